// The agent-sandbox workspace request of a Task, checked and resolved against the controller's
// settings (reference §6.5). The reconciler fails a Task with `problem`'s message; the builder
// turns the resolved request into the worker's ORKA_AGENT_SANDBOX_* variables.
import type { Task } from '../../resources/types.ts';
import type { SandboxSettings, WorkerJobConfig } from './config.ts';
import { WorkerJobError } from './errors.ts';

export interface ResolvedSandboxWorkspace {
  routerUrl: string;
  templateName: string;
  templateNamespace: string;
  /** the SandboxClaim's namespace: the template's, as the upstream SDK requires */
  claimNamespace: string;
  reusePolicy: 'none' | 'session';
  /** the session name when reusePolicy is session, else '' */
  reuseKey: string;
  cleanupPolicy: string;
  warmPoolPolicy: string;
  namespaceStrategy: string;
  claimTimeoutSeconds: number;
  commandTimeoutSeconds: number;
}

function settingsProblem(settings: SandboxSettings): string | undefined {
  if (!['disabled', 'template'].includes(settings.warmPoolPolicy))
    return `unsupported agent sandbox warm pool policy "${settings.warmPoolPolicy}"`;
  if (!['task', 'controller'].includes(settings.namespaceStrategy))
    return `unsupported agent sandbox namespace strategy "${settings.namespaceStrategy}"`;
  if (!(settings.claimTimeoutSeconds > 0))
    return 'agent sandbox claim timeout must be greater than zero';
  if (!(settings.commandTimeoutSeconds > 0))
    return 'agent sandbox command timeout must be greater than zero';
  if (!['delete', 'retain'].includes(settings.cleanupPolicy))
    return `unsupported agent sandbox cleanup policy "${settings.cleanupPolicy}"`;
  return undefined;
}

/**
 * Why the Task's workspace request cannot run, in the reference's words (§6.5 checks 1-7), or
 * undefined when it can or when the Task requests no workspace.
 */
export function sandboxWorkspaceProblem(task: Task, config: WorkerJobConfig): string | undefined {
  const request = task.spec.execution?.workspace;
  if (request?.enabled !== true) return undefined;
  const settings = config.sandbox;
  if (!settings.enabled) return 'execution workspace requires agent sandbox to be enabled';
  if (task.spec.type !== 'agent')
    return 'execution workspace is only supported for type: agent tasks';
  const invalid = settingsProblem(settings);
  if (invalid) return invalid;
  if (!request.templateRef?.name && !settings.defaultTemplate)
    return 'execution workspace templateRef.name is required when no agent sandbox default template is configured';
  const reusePolicy = request.reusePolicy ?? '';
  if (!['', 'none', 'session'].includes(reusePolicy))
    return `unsupported execution workspace reusePolicy "${reusePolicy}"`;
  const cleanupPolicy = request.cleanupPolicy ?? '';
  if (!['', 'delete', 'retain'].includes(cleanupPolicy))
    return `unsupported execution workspace cleanupPolicy "${cleanupPolicy}"`;
  if (reusePolicy === 'session' && !task.spec.sessionRef?.name)
    return 'execution workspace reusePolicy "session" requires spec.sessionRef.name';
  return undefined;
}

/**
 * The resolved workspace request, or undefined when the Task requests none. Throws WorkerJobError
 * with `sandboxWorkspaceProblem`'s message when the request cannot run.
 */
export function resolveSandboxWorkspace(
  task: Task,
  config: WorkerJobConfig,
): ResolvedSandboxWorkspace | undefined {
  const request = task.spec.execution?.workspace;
  if (request?.enabled !== true) return undefined;
  const problem = sandboxWorkspaceProblem(task, config);
  if (problem) throw new WorkerJobError(problem);
  const settings = config.sandbox;
  const taskNamespace = task.metadata?.namespace ?? '';
  const templateNamespace =
    request.templateRef?.namespace?.trim() ||
    (settings.namespaceStrategy === 'controller' && config.controllerNamespace
      ? config.controllerNamespace
      : taskNamespace);
  const reusePolicy = request.reusePolicy === 'session' ? 'session' : 'none';
  return {
    routerUrl: settings.routerUrl,
    templateName: request.templateRef?.name || settings.defaultTemplate,
    templateNamespace,
    claimNamespace: templateNamespace,
    reusePolicy,
    reuseKey: reusePolicy === 'session' ? (task.spec.sessionRef?.name ?? '') : '',
    cleanupPolicy: request.cleanupPolicy || settings.cleanupPolicy,
    warmPoolPolicy: settings.warmPoolPolicy,
    namespaceStrategy: settings.namespaceStrategy,
    claimTimeoutSeconds: settings.claimTimeoutSeconds,
    commandTimeoutSeconds: settings.commandTimeoutSeconds,
  };
}
