// Context-token authorization decisions (reference §3.4, §3.5). Only context-token callers are
// checked, and only in audit or enforce mode. Audit allows and reports; enforce refuses with 403
// `context token is not authorized for <action>`.
import type { Identity } from '../auth/identity.ts';
import { type ContextTokenAuthzConfig, classOfAction, scopeFailures } from './scopes.ts';
import { contextTokenAuthorizationFailedEvent, type SecurityEvent } from './security-events.ts';
import {
  contextString,
  type TaskAuthzSubject,
  taskContextFailures,
  taskIdentityFailures,
} from './tctx.ts';

export type FailureReason =
  | 'missing_scope'
  | 'namespace_mismatch'
  | 'task_mismatch'
  | 'agent_mismatch'
  | 'repo_mismatch'
  | 'branch_mismatch'
  | 'ref_mismatch'
  | 'provider_mismatch'
  | 'model_mismatch'
  | 'tool_not_allowed'
  | 'context_violation';

export interface AuthzDecision {
  allowed: boolean;
  /** `notChecked`: not a context-token caller, or mode off */
  result: 'allowed' | 'denied' | 'audit' | 'notChecked';
  /** metric label of `orka_context_token_authorization_total` */
  reason: FailureReason | 'ok';
  failures: string[];
  /** set when denied */
  status?: 403;
  message?: string;
  /** set when anything failed (audit or denied) */
  event?: SecurityEvent;
}

const NOT_CHECKED: AuthzDecision = {
  allowed: true,
  result: 'notChecked',
  reason: 'ok',
  failures: [],
};

/** The metric reason of the first matching failure class (reference §3.5 list). */
export function failureReason(failures: readonly string[]): FailureReason {
  const joined = failures.join('; ').toLowerCase();
  if (joined.includes('missing one of required scopes')) return 'missing_scope';
  if (joined.includes('namespace')) return 'namespace_mismatch';
  if (joined.includes('task name') || joined.includes('task "')) return 'task_mismatch';
  if (joined.includes('agent')) return 'agent_mismatch';
  if (joined.includes('workspace repo')) return 'repo_mismatch';
  if (joined.includes('workspace branch')) return 'branch_mismatch';
  if (joined.includes('workspace ref')) return 'ref_mismatch';
  if (joined.includes('provider')) return 'provider_mismatch';
  if (joined.includes('model')) return 'model_mismatch';
  if (joined.includes('tool')) return 'tool_not_allowed';
  return 'context_violation';
}

function checked(identity: Identity, config: ContextTokenAuthzConfig): boolean {
  return (
    config.mode !== 'off' && identity.authType === 'contextToken' && identity.contextToken !== null
  );
}

function decide(
  config: ContextTokenAuthzConfig,
  identity: Identity,
  action: string,
  failures: string[],
): AuthzDecision {
  if (failures.length === 0) return { allowed: true, result: 'allowed', reason: 'ok', failures };
  const event = contextTokenAuthorizationFailedEvent(config.mode, action, identity, failures);
  const reason = failureReason(failures);
  if (config.mode === 'audit') return { allowed: true, result: 'audit', reason, failures, event };
  return {
    allowed: false,
    result: 'denied',
    reason,
    failures,
    status: 403,
    message: `context token is not authorized for ${action}`,
    event,
  };
}

function requiredScopes(config: ContextTokenAuthzConfig, action: string): readonly string[] {
  return config.scopes[classOfAction(action)];
}

/**
 * A route-level check: the action's scope, and `tctx.namespace` against the resolved request
 * namespace (when there is one).
 */
export function authorizeAction(
  config: ContextTokenAuthzConfig,
  identity: Identity,
  action: string,
  namespace: string,
): AuthzDecision {
  const scopesNeeded = requiredScopes(config, action);
  if (!checked(identity, config)) return NOT_CHECKED;
  const claims = identity.contextToken!;
  const failures = scopeFailures(claims.scopes, scopesNeeded);
  const want = contextString(claims.tctx, 'namespace');
  if (want !== null && namespace.trim() !== '' && namespace !== want) {
    failures.push(
      `namespace ${JSON.stringify(namespace)} does not match token context ${JSON.stringify(want)}`,
    );
  }
  return decide(config, identity, action, failures);
}

/** Task read actions by name (getTask, getTaskLogs, …): scope plus namespace/taskName/task. */
export function authorizeTaskRead(
  config: ContextTokenAuthzConfig,
  identity: Identity,
  action: string,
  namespace: string,
  taskName: string,
): AuthzDecision {
  const scopesNeeded = requiredScopes(config, action);
  if (!checked(identity, config)) return NOT_CHECKED;
  const claims = identity.contextToken!;
  const failures = [
    ...scopeFailures(claims.scopes, scopesNeeded),
    ...taskIdentityFailures(claims.tctx, namespace, taskName),
  ];
  return decide(config, identity, action, failures);
}

/** `createTask`: the create scope and every tctx constraint against the Task to be created. */
export function authorizeTaskCreate(
  config: ContextTokenAuthzConfig,
  identity: Identity,
  subject: TaskAuthzSubject,
): AuthzDecision {
  return authorizeTaskWrite(config, identity, 'createTask', subject);
}

/** A stored Task a read action loaded: the tctx constraints again (no scope: checked per route). */
export function authorizeLoadedTask(
  config: ContextTokenAuthzConfig,
  identity: Identity,
  action: string,
  subject: TaskAuthzSubject,
): AuthzDecision {
  classOfAction(action);
  if (!checked(identity, config)) return NOT_CHECKED;
  return decide(
    config,
    identity,
    action,
    taskContextFailures(identity.contextToken!.tctx, subject),
  );
}

/** `deleteTask` on a loaded Task: the delete scope and the tctx constraints. */
export function authorizeTaskDelete(
  config: ContextTokenAuthzConfig,
  identity: Identity,
  subject: TaskAuthzSubject,
): AuthzDecision {
  return authorizeTaskWrite(config, identity, 'deleteTask', subject);
}

/** The action's scope and every tctx constraint against the Task it creates or deletes. */
function authorizeTaskWrite(
  config: ContextTokenAuthzConfig,
  identity: Identity,
  action: 'createTask' | 'deleteTask',
  subject: TaskAuthzSubject,
): AuthzDecision {
  if (!checked(identity, config)) return NOT_CHECKED;
  const claims = identity.contextToken!;
  const failures = [
    ...scopeFailures(claims.scopes, requiredScopes(config, action)),
    ...taskContextFailures(claims.tctx, subject),
  ];
  return decide(config, identity, action, failures);
}

/**
 * `listTasks` items: enforce drops the Tasks the token may not see (the caller then also drops
 * `remainingItemCount`); audit keeps them and reports each.
 */
export function filterListedTasks<T>(
  config: ContextTokenAuthzConfig,
  identity: Identity,
  items: readonly { item: T; subject: TaskAuthzSubject }[],
): { items: T[]; dropped: number; events: SecurityEvent[] } {
  const kept: T[] = [];
  const events: SecurityEvent[] = [];
  for (const { item, subject } of items) {
    const decision = authorizeLoadedTask(config, identity, 'listTasks', subject);
    if (decision.event !== undefined) events.push(decision.event);
    if (decision.allowed) kept.push(item);
  }
  return { items: kept, dropped: items.length - kept.length, events };
}
