// Effective values of a Task given its Agent (DESIGN §3, reference §1.4, §6.3 rows 9-13, §7.1):
// what the policy engine exposes as `effective`, the Job builder turns into env and Pod fields,
// and the worker obeys. Pure functions of the two objects.
import type { Agent, ExecutionSpec, Task, WorkspaceConfig } from './types.ts';

export const DEFAULT_MAX_TURNS = 50;
export const BASH_TOOL = 'Bash';

/** The worker Pod placement after merging Agent and Task execution (only non-empty values). */
export type EffectiveExecution = Pick<
  ExecutionSpec,
  'runtimeClassName' | 'nodeSelector' | 'tolerations' | 'affinity' | 'workspace'
>;

export interface EffectiveValues {
  /** the Agent's runtime.type, or null without an Agent or runtime */
  runtimeType: string | null;
  /** the tools the agent may use; empty means the runtime's own defaults (minus disallowedTools) */
  allowedTools: string[];
  disallowedTools: string[];
  /** allowedTools plus Bash when Bash is allowed */
  toolSet: string[];
  allowBash: boolean;
  maxTurns: number;
  workspace: WorkspaceConfig | null;
  execution: EffectiveExecution;
  /** name of the Secret with the runtime credentials, or null */
  secretRef: string | null;
}

type TaskLike = Pick<Task, 'spec'>;
type AgentLike = Pick<Agent, 'spec'>;

const unique = (list: readonly string[]) => [...new Set(list)];
const nonEmpty = (value: string | undefined): value is string =>
  value !== undefined && value !== '';

/** Task `allowBash` > Agent `defaultAllowBash` > true; never when Bash is disallowed. */
export function effectiveAllowBash(task: TaskLike, agent: AgentLike | null): boolean {
  const disallowed = task.spec.agentRuntime?.disallowedTools ?? [];
  if (disallowed.includes(BASH_TOOL)) return false;
  return task.spec.agentRuntime?.allowBash ?? agent?.spec.runtime?.defaultAllowBash ?? true;
}

/**
 * The Task's allowedTools when non-empty, else the Agent's defaults (no union); minus every
 * disallowed tool (disallowedTools always wins) and minus Bash when Bash is not allowed.
 */
export function effectiveAllowedTools(task: TaskLike, agent: AgentLike | null): string[] {
  const own = task.spec.agentRuntime?.allowedTools ?? [];
  const base = own.length > 0 ? own : (agent?.spec.runtime?.defaultAllowedTools ?? []);
  const disallowed = new Set(task.spec.agentRuntime?.disallowedTools ?? []);
  const allowBash = effectiveAllowBash(task, agent);
  return unique(base).filter((tool) => !disallowed.has(tool) && (allowBash || tool !== BASH_TOOL));
}

/** Task `agentRuntime.maxTurns` > Agent `runtime.defaultMaxTurns` > 50. */
export function effectiveMaxTurns(task: TaskLike, agent: AgentLike | null): number {
  return (
    task.spec.agentRuntime?.maxTurns ?? agent?.spec.runtime?.defaultMaxTurns ?? DEFAULT_MAX_TURNS
  );
}

/** The top-level `workspace` wins over `agentRuntime.workspace`. */
export function effectiveWorkspace(task: TaskLike): WorkspaceConfig | null {
  return task.spec.workspace ?? task.spec.agentRuntime?.workspace ?? null;
}

/**
 * Reference §1.4: start from the Agent; the Task's runtimeClassName wins when non-empty; its
 * nodeSelector, tolerations and affinity replace the Agent's whenever set (an explicit empty value
 * clears them). Empty results are left out. The sandbox `workspace` request is the Task's alone:
 * an Agent-level request is never inherited.
 */
export function effectiveExecution(task: TaskLike, agent: AgentLike | null): EffectiveExecution {
  const fromAgent = agent?.spec.execution ?? {};
  const fromTask = task.spec.execution ?? {};
  const runtimeClassName = nonEmpty(fromTask.runtimeClassName)
    ? fromTask.runtimeClassName
    : fromAgent.runtimeClassName;
  const nodeSelector = fromTask.nodeSelector ?? fromAgent.nodeSelector;
  const tolerations = fromTask.tolerations ?? fromAgent.tolerations;
  const affinity = fromTask.affinity ?? fromAgent.affinity;
  const execution: EffectiveExecution = {};
  if (nonEmpty(runtimeClassName)) execution.runtimeClassName = runtimeClassName;
  if (nodeSelector && Object.keys(nodeSelector).length > 0)
    execution.nodeSelector = { ...nodeSelector };
  if (tolerations && tolerations.length > 0) execution.tolerations = structuredClone(tolerations);
  if (affinity && Object.keys(affinity).length > 0) execution.affinity = structuredClone(affinity);
  if (fromTask.workspace) execution.workspace = structuredClone(fromTask.workspace);
  return execution;
}

/** The Task's secretRef overrides the Agent's (seed 000, DESIGN §12 X4). */
export function effectiveSecretRef(task: TaskLike, agent: AgentLike | null): string | null {
  if (nonEmpty(task.spec.secretRef?.name)) return task.spec.secretRef.name;
  if (nonEmpty(agent?.spec.secretRef?.name)) return agent.spec.secretRef.name;
  return null;
}

/** Every effective value of a Task run with `agent` (null when the Agent is unknown). */
export function effectiveValues(task: TaskLike, agent: AgentLike | null): EffectiveValues {
  const allowedTools = effectiveAllowedTools(task, agent);
  const allowBash = effectiveAllowBash(task, agent);
  const workspace = effectiveWorkspace(task);
  return {
    runtimeType: agent?.spec.runtime?.type ?? null,
    allowedTools,
    disallowedTools: unique(task.spec.agentRuntime?.disallowedTools ?? []),
    toolSet:
      allowBash && !allowedTools.includes(BASH_TOOL) ? [...allowedTools, BASH_TOOL] : allowedTools,
    allowBash,
    maxTurns: effectiveMaxTurns(task, agent),
    workspace: workspace ? structuredClone(workspace) : null,
    execution: effectiveExecution(task, agent),
    secretRef: effectiveSecretRef(task, agent),
  };
}
