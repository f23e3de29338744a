// The authentication module's public surface.
export {
  Authenticator,
  type AuthenticatorOptions,
  type AuthResult,
  extractBearerToken,
  extractContextToken,
  type RequestHeaders,
} from './authenticate.ts';
export {
  type ContextTokenConfig,
  type ContextTokenSettings,
  ContextTokenVerifier,
  KONTXT_HEADER,
  KONTXT_JWT_TYPE,
  KONTXT_PROFILE,
  parseContextTokenConfig,
  type TokenHeaderSource,
} from './context-token.ts';
export { BearerCredential } from './credential.ts';
export { AuthenticationError, TokenRejected } from './errors.ts';
export {
  type AuthType,
  type ContextTokenClaims,
  type Identity,
  POD_NAME_EXTRA,
  POD_UID_EXTRA,
  parseServiceAccountUsername,
  type RouteGroup,
} from './identity.ts';
export { JsonNumber, type JsonObject, type JsonValue } from './json-literal.ts';
export { RemoteKeySet, type RemoteKeySetOptions } from './jwks.ts';
export { MAX_TOKEN_LENGTH } from './jwt.ts';
export { type OidcConfig, type OidcSettings, OidcVerifier, parseOidcConfig } from './oidc.ts';
export {
  type ReviewToken,
  TOKEN_REVIEW_CACHE_TTL_MS,
  TokenReviewAuthenticator,
  TokenReviewCache,
  type TokenReviewStatus,
  tokenCacheKey,
} from './token-review.ts';
