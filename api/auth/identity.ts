// Who made a request, as every route, authorizer and stamping function sees it. An Identity never
// carries the raw token (see credential.ts for the one way to reach it).
import type { JsonObject } from './json-literal.ts';

export type AuthType = 'serviceAccount' | 'oidc' | 'contextToken';
export type RouteGroup = 'api' | 'internal';

/** TokenReview `user.extra` key naming the Pod a bound ServiceAccount token was issued for. */
export const POD_NAME_EXTRA = 'authentication.kubernetes.io/pod-name';
export const POD_UID_EXTRA = 'authentication.kubernetes.io/pod-uid';

/** The verified claims of a kontxt context token (reference §3.3). */
export interface ContextTokenClaims {
  profile: 'kontxt';
  /** JWT `typ` header */
  type: string;
  issuer: string;
  subject: string;
  audience: string[];
  transactionId: string;
  /** the raw space-delimited `scope` claim */
  scope: string;
  scopes: string[];
  requestingWorkload: string;
  /** `tctx`, numbers kept as their literals (digest input), or null when absent or not an object */
  tctx: JsonObject | null;
  /** `rctx`, same representation */
  rctx: JsonObject | null;
  issuedAt: number;
  expiresAt: number;
}

export interface Identity {
  authType: AuthType;
  username: string;
  uid: string;
  groups: string[];
  /** TokenReview `user.extra` (e.g. the pod-name claim); empty for JWT callers */
  extra: Record<string, string[]>;
  /** `sub` for OIDC and context tokens */
  subject: string;
  /** `iss` for OIDC and context tokens */
  issuer: string;
  email: string;
  /** OIDC `roles` + `realm_access.roles`; context-token scopes */
  roles: string[];
  /**
   * The namespace the caller is bound to: a ServiceAccount's own namespace, the OIDC namespace
   * claim (`--oidc-namespace-claim`), or `tctx.namespace`; "" when unbound.
   */
  namespace: string;
  contextToken: ContextTokenClaims | null;
}

/** `system:serviceaccount:<ns>:<name>` → { namespace, name }, else null. */
export function parseServiceAccountUsername(
  username: string,
): { namespace: string; name: string } | null {
  const parts = username.split(':');
  if (parts.length !== 4 || parts[0] !== 'system' || parts[1] !== 'serviceaccount') return null;
  const [, , namespace, name] = parts as [string, string, string, string];
  if (namespace === '' || name === '') return null;
  return { namespace, name };
}
