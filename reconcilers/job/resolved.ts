// The values a Task runs with once its Agent's defaults are applied (DESIGN §3).
import type { Agent, ExecutionSpec, Task, WorkspaceConfig } from '../../resources/types.ts';

export interface ResolvedSettings {
  runtimeType: string | undefined;
  maxTurns: number;
  allowedTools: string[];
  disallowedTools: string[];
  allowBash: boolean;
  workspace: WorkspaceConfig | undefined;
  execution: Omit<ExecutionSpec, 'workspace'>;
  secretName: string | undefined;
}

export function resolveSettings(task: Task, agent: Agent | undefined): ResolvedSettings {
  const runtime = agent?.spec.runtime;
  const overrides = task.spec.agentRuntime;
  const disallowedTools = overrides?.disallowedTools ?? [];
  const bashDisallowed = disallowedTools.includes('Bash');
  const allowBash = !bashDisallowed && (overrides?.allowBash ?? runtime?.defaultAllowBash ?? true);
  const requested = overrides?.allowedTools?.length
    ? overrides.allowedTools
    : (runtime?.defaultAllowedTools ?? []);
  const allowedTools = requested.filter(
    (tool) => !disallowedTools.includes(tool) && (allowBash || tool !== 'Bash'),
  );
  const agentExecution = agent?.spec.execution ?? {};
  const taskExecution = task.spec.execution ?? {};
  const execution: Omit<ExecutionSpec, 'workspace'> = {};
  const runtimeClassName = taskExecution.runtimeClassName || agentExecution.runtimeClassName;
  if (runtimeClassName) execution.runtimeClassName = runtimeClassName;
  const nodeSelector = taskExecution.nodeSelector ?? agentExecution.nodeSelector;
  if (nodeSelector) execution.nodeSelector = nodeSelector;
  const tolerations = taskExecution.tolerations ?? agentExecution.tolerations;
  if (tolerations) execution.tolerations = tolerations;
  const affinity = taskExecution.affinity ?? agentExecution.affinity;
  if (affinity) execution.affinity = affinity;
  return {
    runtimeType: runtime?.type,
    maxTurns: overrides?.maxTurns ?? runtime?.defaultMaxTurns ?? 50,
    allowedTools,
    disallowedTools,
    allowBash,
    workspace: task.spec.workspace ?? overrides?.workspace,
    execution,
    secretName: task.spec.secretRef?.name || agent?.spec.secretRef?.name || undefined,
  };
}
