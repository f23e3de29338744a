// OIDC bearer JWTs (reference §4.3, DESIGN §7): RS256 only, exact issuer, audience, time claims,
// required non-empty `sub` and `exp`; keys from the JWKS URL or discovery, cached (jwks.ts).
import { TokenRejected } from './errors.ts';
import type { Identity } from './identity.ts';
import { IssuerSignedChecks, type IssuerSignedOptions } from './issuer-signed.ts';
import { type JsonObject, type JsonValue, toPlainJson } from './json-literal.ts';
import { claimString, type ParsedJwt, parseCompactJwt } from './jwt.ts';

export interface OidcConfig {
  issuer: string;
  audience: string;
  /** "" → discovery */
  jwksUrl: string;
  /** claim naming the namespace the caller is confined to ("" = none) */
  namespaceClaim: string;
}

export interface OidcSettings {
  issuer?: string;
  audience?: string;
  jwksUrl?: string;
  namespaceClaim?: string;
}

/** Enabled only when both issuer and audience are set (reference §4.3: otherwise silently off). */
export function parseOidcConfig(settings: OidcSettings): OidcConfig | null {
  const issuer = settings.issuer ?? '';
  const audience = settings.audience ?? '';
  if (issuer === '' || audience === '') return null;
  return {
    issuer,
    audience,
    jwksUrl: settings.jwksUrl ?? '',
    namespaceClaim: (settings.namespaceClaim ?? '').trim(),
  };
}

export class OidcVerifier {
  readonly #config: OidcConfig;
  readonly #signed: IssuerSignedChecks;

  constructor(config: OidcConfig, options: IssuerSignedOptions = {}) {
    this.#config = config;
    this.#signed = new IssuerSignedChecks(config, options);
  }

  /**
   * The parsed token when it is an OIDC candidate: a JWT signed with RS256 whose unverified `iss`
   * is the configured issuer. Anything else goes straight to TokenReview (reference §4.3).
   */
  candidate(token: string): ParsedJwt | null {
    try {
      const parsed = parseCompactJwt(token);
      if (parsed.header.alg !== 'RS256') return null;
      return claimString(parsed.claims, 'iss') === this.#config.issuer ? parsed : null;
    } catch {
      return null;
    }
  }

  async verify(token: string, parsed: ParsedJwt): Promise<Identity> {
    // A transaction token is not an ID token even when one issuer signs both (RFC 8725 §3.11).
    if (parsed.header.typ.toLowerCase() === 'txntoken+jwt') {
      throw new TokenRejected('context token presented as an OIDC token');
    }
    const { claims } = parsed;
    await this.#signed.verify(token, parsed.header, claims);
    if (claims.exp === undefined) throw new TokenRejected('invalid expiration');
    const subject = claimString(claims, 'sub');
    if (subject === '') throw new TokenRejected('missing subject');
    return oidcIdentity(claims, this.#config.namespaceClaim);
  }
}

function stringList(value: JsonValue | undefined): string[] {
  if (!Array.isArray(value)) return [];
  return value.filter((v): v is string => typeof v === 'string' && v !== '');
}

function oidcIdentity(claims: JsonObject, namespaceClaim: string): Identity {
  const subject = claimString(claims, 'sub');
  const email = claimString(claims, 'email');
  const username =
    claimString(claims, 'preferred_username') || email || claimString(claims, 'name') || subject;
  const realmAccess = toPlainJson(claims.realm_access ?? null) as { roles?: unknown } | null;
  const realmRoles = Array.isArray(realmAccess?.roles)
    ? realmAccess.roles.filter((r): r is string => typeof r === 'string' && r !== '')
    : [];
  return {
    authType: 'oidc',
    username,
    uid: '',
    groups: stringList(claims.groups),
    extra: {},
    subject,
    issuer: claimString(claims, 'iss'),
    email,
    roles: [...stringList(claims.roles), ...realmRoles],
    namespace: namespaceClaim === '' ? '' : claimString(claims, namespaceClaim).trim(),
    contextToken: null,
  };
}
