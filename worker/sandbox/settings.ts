// The sandbox workspace request as the worker reads it from its environment (reference §6.3 row
// 16, §7.6): which template, which namespace the SandboxClaim lives in, its name when a session
// reuses it, the warm pool, the timeouts and what happens to it afterwards.
import { createHash } from 'node:crypto';
import type { Env } from '../config.ts';
import { WorkerConfigError } from '../errors.ts';

/** Where the sandbox runtime's file API writes (reference §11.3); overridable for tests. */
export const SANDBOX_APP_DIR = '/app';
/** The upstream SDK's default readiness bound when no claim timeout is configured. */
export const DEFAULT_CLAIM_TIMEOUT_SECONDS = 180;
export const CLAIM_NAME_PREFIX = 'orka-session-';

export type CleanupPolicy = 'delete' | 'retain';

export interface SandboxSettings {
  enabled: boolean;
  depth: number;
  routerUrl: string | undefined;
  templateName: string;
  templateNamespace: string;
  claimNamespace: string;
  reusePolicy: string;
  reuseKey: string;
  /** the raw policy: anything but delete/retain is retained with a warning */
  cleanupPolicy: string;
  /** upstream `spec.warmpool`: `none` or `default` */
  warmPool: 'none' | 'default';
  claimTimeoutSeconds: number;
  /** 0 = no limit */
  commandTimeoutSeconds: number;
  appDir: string;
  task: { name: string; namespace: string };
}

const trimmed = (env: Env, name: string): string => (env[name] ?? '').trim();

export function sandboxEnabled(env: Env): boolean {
  return trimmed(env, 'ORKA_AGENT_SANDBOX_ENABLED').toLowerCase() === 'true';
}

/** Reference §11.2: timeouts are positive integers, anything else means none. */
function seconds(env: Env, name: string): number {
  const value = Number.parseInt(trimmed(env, name), 10);
  return Number.isSafeInteger(value) && value > 0 ? value : 0;
}

function depth(env: Env): number {
  const raw = trimmed(env, 'ORKA_AGENT_SANDBOX_DEPTH');
  if (raw === '') return 0;
  if (!/^\d+$/.test(raw)) {
    throw new WorkerConfigError(
      `invalid ORKA_AGENT_SANDBOX_DEPTH: expected a non-negative integer, got "${raw}"`,
    );
  }
  return Number(raw);
}

/** Orka's `disabled` (and anything unknown) is upstream `none`; `template` is `default`. */
export function warmPoolFor(policy: string): 'none' | 'default' {
  return policy.trim().toLowerCase() === 'template' ? 'default' : 'none';
}

/**
 * The deterministic claim name of a reusable session workspace (reference §7.6): later worker
 * Jobs of the same session, template and namespaces reattach to it. Empty when not reusable.
 */
export function sessionClaimName(input: {
  claimNamespace: string;
  taskNamespace: string;
  templateNamespace: string;
  templateName: string;
  reusePolicy: string;
  reuseKey: string;
}): string {
  if (input.reusePolicy.trim().toLowerCase() !== 'session' || input.reuseKey.trim() === '') {
    return '';
  }
  const parts = [
    input.claimNamespace,
    input.taskNamespace,
    input.templateNamespace,
    input.templateName,
    input.reuseKey,
  ].map((part) => part.trim());
  const digest = createHash('sha256').update(parts.join('\x00')).digest('hex');
  return `${CLAIM_NAME_PREFIX}${digest.slice(0, 32)}`;
}

/** The request, or a WorkerConfigError naming the variable; recursion is refused here. */
export function sandboxSettings(env: Env): SandboxSettings {
  const level = depth(env);
  if (level > 0) {
    throw new WorkerConfigError(
      `agent sandbox recursion detected: ORKA_AGENT_SANDBOX_DEPTH=${trimmed(env, 'ORKA_AGENT_SANDBOX_DEPTH')}`,
    );
  }
  const taskName = trimmed(env, 'ORKA_TASK_NAME');
  const taskNamespace = trimmed(env, 'ORKA_TASK_NAMESPACE');
  if (taskName === '') throw new WorkerConfigError('ORKA_TASK_NAME is required');
  if (taskNamespace === '') throw new WorkerConfigError('ORKA_TASK_NAMESPACE is required');
  const templateName = trimmed(env, 'ORKA_AGENT_SANDBOX_TEMPLATE_NAME');
  if (templateName === '') {
    throw new WorkerConfigError(
      'ORKA_AGENT_SANDBOX_TEMPLATE_NAME is required: template name is required',
    );
  }
  const templateNamespace = trimmed(env, 'ORKA_AGENT_SANDBOX_TEMPLATE_NAMESPACE') || taskNamespace;
  const strategy = trimmed(env, 'ORKA_AGENT_SANDBOX_NAMESPACE_STRATEGY').toLowerCase();
  const claimNamespace =
    trimmed(env, 'ORKA_AGENT_SANDBOX_CLAIM_NAMESPACE') ||
    (strategy === 'controller' ? templateNamespace : taskNamespace);
  const routerUrl = trimmed(env, 'ORKA_AGENT_SANDBOX_ROUTER_URL').replace(/\/+$/, '');
  return {
    enabled: sandboxEnabled(env),
    depth: level,
    routerUrl: routerUrl || undefined,
    templateName,
    templateNamespace,
    claimNamespace,
    reusePolicy: trimmed(env, 'ORKA_AGENT_SANDBOX_REUSE_POLICY'),
    reuseKey: trimmed(env, 'ORKA_AGENT_SANDBOX_REUSE_KEY'),
    cleanupPolicy: trimmed(env, 'ORKA_AGENT_SANDBOX_CLEANUP_POLICY'),
    warmPool: warmPoolFor(trimmed(env, 'ORKA_AGENT_SANDBOX_WARM_POOL_POLICY')),
    claimTimeoutSeconds:
      seconds(env, 'ORKA_AGENT_SANDBOX_CLAIM_TIMEOUT_SECONDS') || DEFAULT_CLAIM_TIMEOUT_SECONDS,
    commandTimeoutSeconds: seconds(env, 'ORKA_AGENT_SANDBOX_COMMAND_TIMEOUT_SECONDS'),
    appDir: trimmed(env, 'ORKA_AGENT_SANDBOX_APP_DIR').replace(/\/+$/, '') || SANDBOX_APP_DIR,
    task: { name: taskName, namespace: taskNamespace },
  };
}

/** `delete` (or unset) deletes the claim; `retain` keeps it; anything else is kept, warned. */
export function cleanupAction(policy: string): { action: CleanupPolicy; warning?: string } {
  const lower = policy.trim().toLowerCase();
  if (lower === '' || lower === 'delete') return { action: 'delete' };
  if (lower === 'retain') return { action: 'retain' };
  return {
    action: 'retain',
    warning: `unsupported sandbox cleanup policy "${policy}"; retaining workspace to avoid unintended deletion`,
  };
}
