// Namespace resolution and isolation (reference §4.4), extended so that isolation confines every
// kind of caller (DESIGN §7, X13/X16): ServiceAccounts to their namespace, OIDC callers to their
// namespace claim, context-token callers to `tctx.namespace`. Internal endpoints always require the
// caller's namespace to be the URL's (X12).
import { type Identity, parseServiceAccountUsername } from '../auth/identity.ts';
import {
  crossNamespaceEvent,
  isolationViolationEvent,
  type SecurityEvent,
  watchNamespaceMismatchEvent,
} from './security-events.ts';

export type NamespaceResult =
  | { ok: true; namespace: string }
  | { ok: false; status: 401 | 403; message: string; event?: SecurityEvent };

export interface NamespacePolicy {
  /** `--watch-namespace` ("" = all) */
  watchNamespace: string;
  /** `--enforce-namespace-isolation` */
  enforceIsolation: boolean;
}

export function resolveNamespace(
  policy: NamespacePolicy,
  identity: Identity,
  explicit: string,
  ip: string,
): NamespaceResult {
  let namespace: string;
  if (policy.watchNamespace !== '') {
    if (explicit !== '' && explicit !== policy.watchNamespace) {
      return {
        ok: false,
        status: 403,
        message: 'namespace not allowed',
        event: watchNamespaceMismatchEvent(explicit, policy.watchNamespace, ip),
      };
    }
    namespace = policy.watchNamespace;
  } else {
    namespace = explicit || identity.namespace || 'default';
  }
  if (policy.enforceIsolation) {
    if (identity.namespace === '') {
      // A caller with no namespace binding would otherwise reach every namespace.
      return {
        ok: false,
        status: 403,
        message: `namespace "${namespace}" not allowed, caller is not bound to a namespace`,
        event: isolationViolationEvent(identity, namespace, ip),
      };
    }
    if (namespace !== identity.namespace) {
      return {
        ok: false,
        status: 403,
        message: `namespace "${namespace}" not allowed, restricted to "${identity.namespace}"`,
        event: isolationViolationEvent(identity, namespace, ip),
      };
    }
  }
  return { ok: true, namespace };
}

/** `/internal/v1/*`: the caller must belong to the URL's namespace, whatever the flags say. */
export function verifyCallerNamespace(
  identity: Identity | null,
  targetNamespace: string,
  ip: string,
): NamespaceResult {
  if (identity === null) return { ok: false, status: 401, message: 'authentication required' };
  const saNamespace = parseServiceAccountUsername(identity.username)?.namespace ?? '';
  const callerNamespace = identity.namespace || saNamespace;
  const mismatch =
    (identity.namespace !== '' && identity.namespace !== targetNamespace) ||
    (saNamespace !== '' && saNamespace !== targetNamespace) ||
    callerNamespace === '';
  if (mismatch) {
    return {
      ok: false,
      status: 403,
      message: 'cross-namespace access denied',
      event: crossNamespaceEvent(identity, callerNamespace, targetNamespace, ip),
    };
  }
  return { ok: true, namespace: targetNamespace };
}
