// What every route handler needs: the server's dependencies, and helpers that turn the pure
// decisions of api/auth and api/authz into HTTP refusals with their security log lines.
import type { FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Store } from '../store/index.ts';
import {
  AuthenticationError,
  type Authenticator,
  type AuthResult,
  type ContextTokenVerifier,
  extractContextToken,
  type Identity,
  type RequestHeaders,
  type RouteGroup,
} from './auth/index.ts';
import {
  type AuthzDecision,
  authenticationFailedEvent,
  type ContextTokenAuthzConfig,
  type NamespacePolicy,
  type NamespaceResult,
  resolveNamespace,
  type SecurityEvent,
} from './authz/index.ts';
import { ApiError } from './errors.ts';
import type { KubeAccess } from './kube-access.ts';
import type { ApiMetrics } from './metrics.ts';

export interface ApiConfig {
  /** `--watch-namespace` and `--enforce-namespace-isolation` */
  namespaces: NamespacePolicy;
  contextTokenAuthz: ContextTokenAuthzConfig;
}

export interface ApiDeps {
  store: Store;
  authenticator: Authenticator;
  kube: KubeAccess;
  config: ApiConfig;
  /** Verifies child context tokens presented to the delegation endpoint; null when not configured. */
  contextTokenVerifier: ContextTokenVerifier | null;
  /** The `api-server` logger: security events and request lines. */
  log: Logger;
  metrics: ApiMetrics;
}

declare module 'fastify' {
  interface FastifyRequest {
    caller: AuthResult | null;
  }
}

export function logSecurityEvent(log: Logger, event: SecurityEvent): void {
  log[event.level]({ ...event.fields, security: true }, event.msg);
}

const BEARER_TXN_TOKEN_REFUSED = 'kontxt TxTokens must be sent via the Txn-Token header';

/** Whether a failed authentication was a context-token attempt (it counts in the auth metric). */
function contextTokenAttempted(
  deps: ApiDeps,
  headers: RequestHeaders,
  error: AuthenticationError,
): boolean {
  const config = deps.authenticator.contextTokenConfig;
  if (config === null) return false;
  if (error.message.startsWith(BEARER_TXN_TOKEN_REFUSED)) return true;
  try {
    return extractContextToken(headers, config.headers) !== null;
  } catch {
    return true;
  }
}

/** Authenticates the request for its route group; 401 with the reference message otherwise. */
export async function authenticate(
  deps: ApiDeps,
  request: FastifyRequest,
  group: RouteGroup,
): Promise<AuthResult> {
  const headers = request.headers as RequestHeaders;
  const profile = deps.authenticator.contextTokenConfig?.profile ?? '';
  try {
    const result = await deps.authenticator.authenticate(headers, group);
    if (result.identity.authType === 'contextToken') {
      deps.metrics.contextTokenAuth.inc({ profile, result: 'success' });
    }
    return result;
  } catch (error) {
    if (error instanceof AuthenticationError) {
      if (group === 'api' && contextTokenAttempted(deps, headers, error)) {
        deps.metrics.contextTokenAuth.inc({ profile, result: 'failure' });
      }
      logSecurityEvent(deps.log, authenticationFailedEvent(error, request.ip));
      throw new ApiError(401, error.message);
    }
    throw error;
  }
}

export function callerOf(request: FastifyRequest): Identity {
  if (request.caller === null) throw new ApiError(401, 'authentication required');
  return request.caller.identity;
}

/** Refuses with the decision's status and logs its event; returns when allowed. */
export function enforceNamespace(deps: ApiDeps, result: NamespaceResult): string {
  if (result.ok) return result.namespace;
  if (result.event) logSecurityEvent(deps.log, result.event);
  throw new ApiError(result.status, result.message);
}

export function resolveRequestNamespace(
  deps: ApiDeps,
  request: FastifyRequest,
  explicit: string | undefined,
): string {
  return enforceNamespace(
    deps,
    resolveNamespace(deps.config.namespaces, callerOf(request), explicit ?? '', request.ip),
  );
}

/** Counts a context-token decision of `action` (unless it did not apply) and logs its event. */
export function recordAuthz(deps: ApiDeps, action: string, decision: AuthzDecision): void {
  if (decision.result !== 'notChecked') {
    deps.metrics.contextTokenAuthorization.inc({
      action,
      result: decision.result,
      reason: decision.reason,
    });
  }
  if (decision.event) logSecurityEvent(deps.log, decision.event);
}

/** Records a context-token decision of `action` and refuses when it denies. */
export function enforceAuthz(deps: ApiDeps, action: string, decision: AuthzDecision): void {
  recordAuthz(deps, action, decision);
  if (!decision.allowed)
    throw new ApiError(decision.status ?? 403, decision.message ?? 'forbidden');
}
