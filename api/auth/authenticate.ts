// Authentication of one request from its headers (reference §3.2, §4.1): context token first (in
// the configured header order), else the bearer / x-api-key token through OIDC (when it is an OIDC
// candidate) and then TokenReview. Internal routes accept TokenReview only.
import {
  type ContextTokenConfig,
  ContextTokenVerifier,
  KONTXT_JWT_TYPE,
  type TokenHeaderSource,
} from './context-token.ts';
import { BearerCredential } from './credential.ts';
import { AuthenticationError, TokenRejected } from './errors.ts';
import type { Identity, RouteGroup } from './identity.ts';
import type { IssuerSignedOptions } from './issuer-signed.ts';
import { hasJwtType, MAX_TOKEN_LENGTH } from './jwt.ts';
import { type OidcConfig, OidcVerifier } from './oidc.ts';
import { type ReviewToken, TokenReviewAuthenticator, TokenReviewCache } from './token-review.ts';

/** Lower-cased header names, as node and fastify present them. */
export type RequestHeaders = Record<string, string | undefined>;

export interface AuthResult {
  identity: Identity;
  /** the presented token, readable only through `reveal()` */
  credential: BearerCredential;
}

export interface AuthenticatorOptions {
  reviewToken: ReviewToken;
  oidc?: OidcConfig | null;
  contextToken?: ContextTokenConfig | null;
  /** shared by OIDC and context tokens; see README note in the report */
  leewaySeconds?: number;
  now?: () => number;
  tokenReviewCache?: TokenReviewCache;
  keySet?: IssuerSignedOptions['keySet'];
}

const AUTHORIZATION = 'authorization';
const BEARER = /^bearer[ \t]+(\S+)[ \t]*$/i;

export class Authenticator {
  readonly #tokenReview: TokenReviewAuthenticator;
  readonly #oidc: OidcVerifier | null;
  readonly #context: ContextTokenVerifier | null;

  constructor(options: AuthenticatorOptions) {
    const now = options.now ?? Date.now;
    this.#tokenReview = new TokenReviewAuthenticator(
      options.reviewToken,
      options.tokenReviewCache ?? new TokenReviewCache({ now }),
    );
    const verifierOptions = { now, leewaySeconds: options.leewaySeconds, keySet: options.keySet };
    this.#oidc = options.oidc ? new OidcVerifier(options.oidc, verifierOptions) : null;
    this.#context = options.contextToken
      ? new ContextTokenVerifier(options.contextToken, verifierOptions)
      : null;
  }

  /** The context-token settings in force, or null when context tokens are off (for metrics). */
  get contextTokenConfig(): ContextTokenConfig | null {
    return this.#context?.config ?? null;
  }

  /** Resolves to the caller, or rejects with an AuthenticationError (HTTP 401). */
  async authenticate(headers: RequestHeaders, group: RouteGroup): Promise<AuthResult> {
    if (group === 'api' && this.#context !== null) {
      const contextToken = extractContextToken(headers, this.#context.config.headers);
      if (contextToken !== null) {
        const claims = await this.#context.verify(contextToken).catch(rejectAsInvalid);
        return {
          identity: contextTokenIdentity(claims),
          credential: new BearerCredential(contextToken),
        };
      }
    }
    const token = extractBearerToken(headers);
    if (group === 'api' && this.#context !== null && hasJwtType(token, KONTXT_JWT_TYPE)) {
      throw new AuthenticationError(
        'kontxt TxTokens must be sent via the Txn-Token header unless Authorization: Bearer is explicitly enabled',
      );
    }
    if (token.length > MAX_TOKEN_LENGTH) {
      throw new AuthenticationError(
        'invalid token',
        `token exceeds ${MAX_TOKEN_LENGTH} characters`,
      );
    }
    const reasons: string[] = [];
    const candidate = group === 'api' ? this.#oidc?.candidate(token) : null;
    if (candidate && this.#oidc !== null) {
      try {
        const identity = await this.#oidc.verify(token, candidate);
        return { identity, credential: new BearerCredential(token) };
      } catch (error) {
        reasons.push(`oidc: ${rejectionReason(error)}`);
      }
    }
    try {
      const identity = await this.#tokenReview.authenticate(token);
      return { identity, credential: new BearerCredential(token) };
    } catch (error) {
      reasons.push(`tokenReview: ${rejectionReason(error)}`);
      throw new AuthenticationError('invalid token', reasons.join('; '));
    }
  }
}

function rejectionReason(error: unknown): string {
  return error instanceof TokenRejected ? error.message : 'unexpected verification error';
}

function rejectAsInvalid(error: unknown): never {
  throw new AuthenticationError('invalid token', rejectionReason(error));
}

function headerValue(headers: RequestHeaders, name: string): string {
  return headers[name.toLowerCase()] ?? '';
}

/**
 * The context token from the first configured header that carries one, or null. A malformed
 * `Authorization` header configured as a context-token source is an error; a bearer token that is
 * not a TxToken falls through to OIDC / TokenReview.
 */
export function extractContextToken(
  headers: RequestHeaders,
  sources: readonly TokenHeaderSource[],
): string | null {
  for (const source of sources) {
    const value = headerValue(headers, source.name);
    if (value === '') continue;
    const isAuthorization = source.name.toLowerCase() === AUTHORIZATION;
    const token = tokenFromHeaderValue(value, source.scheme);
    if (token === null) {
      if (isAuthorization) throw new AuthenticationError('invalid context token header format');
      continue;
    }
    if (isAuthorization && !hasJwtType(token, KONTXT_JWT_TYPE)) continue;
    return token;
  }
  return null;
}

function tokenFromHeaderValue(value: string, scheme: string): string | null {
  if (scheme === '') {
    const token = value.trim();
    return token === '' ? null : token;
  }
  const fields = value.trim().split(/\s+/);
  if (fields.length !== 2 || fields[0]!.toLowerCase() !== scheme.toLowerCase()) return null;
  return fields[1]!;
}

/** `Authorization: Bearer <token>`, else `x-api-key`, else 401 (reference §4.1). */
export function extractBearerToken(headers: RequestHeaders): string {
  const authorization = headers[AUTHORIZATION];
  if (authorization !== undefined && authorization !== '') {
    const match = BEARER.exec(authorization);
    if (match === null) throw new AuthenticationError('invalid authorization header format');
    return match[1]!;
  }
  const apiKey = (headers['x-api-key'] ?? '').trim();
  if (apiKey === '') throw new AuthenticationError('missing authorization header');
  return apiKey;
}

function contextTokenIdentity(
  claims: Awaited<ReturnType<ContextTokenVerifier['verify']>>,
): Identity {
  const namespace = claims.tctx?.namespace;
  return {
    authType: 'contextToken',
    username: claims.subject || claims.requestingWorkload,
    uid: '',
    groups: [],
    extra: {},
    subject: claims.subject,
    issuer: claims.issuer,
    email: '',
    roles: [...claims.scopes],
    namespace: typeof namespace === 'string' ? namespace.trim() : '',
    contextToken: claims,
  };
}
