// The checks OIDC bearer tokens and kontxt context tokens share (reference §3.3, §4.3): the
// signature against the issuer's key set, then iss, aud and the time claims with leeway. Each
// verifier runs its own header and claim rules around them.

import type { JsonObject } from './json-literal.ts';
import { RemoteKeySet, type RemoteKeySetOptions } from './jwks.ts';
import { checkRegisteredClaims, type JwtHeader } from './jwt.ts';

export interface IssuerSignedOptions {
  leewaySeconds?: number;
  now?: () => number;
  keySet?: Omit<RemoteKeySetOptions, 'issuer' | 'jwksUrl' | 'now'>;
}

export interface TokenIssuer {
  issuer: string;
  audience: string;
  /** "" → discovery */
  jwksUrl: string;
}

export class IssuerSignedChecks {
  readonly #issuer: TokenIssuer;
  readonly #keys: RemoteKeySet;
  readonly #leewaySeconds: number;
  readonly #now: () => number;

  constructor(issuer: TokenIssuer, options: IssuerSignedOptions = {}) {
    this.#issuer = issuer;
    this.#now = options.now ?? Date.now;
    this.#leewaySeconds = options.leewaySeconds ?? 30;
    this.#keys = new RemoteKeySet({
      ...options.keySet,
      issuer: issuer.issuer,
      jwksUrl: issuer.jwksUrl,
      now: this.#now,
    });
  }

  /** Throws TokenRejected with the reference's reason; the signature is checked first. */
  async verify(token: string, header: JwtHeader, claims: JsonObject): Promise<void> {
    await this.#keys.verifySignature(token, header);
    checkRegisteredClaims(claims, {
      issuer: this.#issuer.issuer,
      audience: this.#issuer.audience,
      nowMs: this.#now(),
      leewaySeconds: this.#leewaySeconds,
    });
  }
}
