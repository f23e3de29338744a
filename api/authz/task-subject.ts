// Builds the TaskAuthzSubject of tctx.ts from a Task, its Agent and Provider objects (any of which
// may be missing: NotFound is tolerated at authorization time, reference §3.5).

import { NO_PROVIDER, type ProviderInfo, type TaskAuthzSubject } from './tctx.ts';

interface Ref {
  name?: string;
  namespace?: string;
}
interface Workspace {
  gitRepo?: string;
  branch?: string;
  ref?: string;
}

/** The Task fields authorization reads (a REST body and a stored Task both fit). */
export interface TaskLike {
  metadata?: { name?: string; namespace?: string };
  spec?: {
    type?: string;
    agentRef?: Ref;
    workspace?: Workspace;
    agentRuntime?: {
      workspace?: Workspace;
      allowedTools?: string[];
      disallowedTools?: string[];
      allowBash?: boolean;
    };
    ai?: {
      providerRef?: Ref;
      provider?: string;
      model?: string;
      tools?: { name?: string; enabled?: boolean }[];
    };
  };
}

export interface AgentLike {
  metadata?: { name?: string; namespace?: string };
  spec?: {
    providerRef?: Ref;
    model?: {
      provider?: string;
      name?: string;
      fallbacks?: { providerRef?: string; model?: string }[];
    };
    tools?: { name?: string; enabled?: boolean }[];
    coordination?: { enabled?: boolean };
    runtime?: { defaultAllowedTools?: string[]; defaultAllowBash?: boolean };
  };
}

export interface ProviderLike {
  metadata?: { name?: string; namespace?: string };
  spec?: { type?: string; defaultModel?: string };
}

/** Tools a coordinating Agent gets injected (reference §3.5 "coordination tool list"). */
export const COORDINATION_TOOLS = [
  'delegate_task',
  'wait_for_tasks',
  'create_container_task',
  'cancel_task',
  'send_message',
  'check_messages',
  'recall_memory',
  'remember',
  'propose_memory',
  'search_transcript',
  'create_pull_request',
  'list_pull_requests',
  'check_pr_review_marker',
  'check_pull_request_ci',
  'merge_pull_request',
  'auto_merge_pull_request',
  'review_pull_request',
  'post_review_comment',
  'create_agent',
  'delete_agent',
  'update_plan',
] as const;

export function providerInfo(provider: ProviderLike): ProviderInfo {
  return {
    name: provider.metadata?.name ?? '',
    namespace: provider.metadata?.namespace ?? '',
    type: provider.spec?.type ?? '',
  };
}

const nonBlank = (value: string | undefined): value is string =>
  value !== undefined && value.trim() !== '';

export interface SubjectInputs {
  task: TaskLike;
  /** the namespace the Task is (to be) created in */
  namespace: string;
  agent?: AgentLike | null;
  /** the Provider the providerRef resolved to, if any */
  provider?: ProviderLike | null;
  /** Providers named by the Agent's model fallbacks, by name, in the Task's namespace */
  fallbackProviders?: ReadonlyMap<string, ProviderLike>;
}

export function taskAuthzSubject(inputs: SubjectInputs): TaskAuthzSubject {
  const { task, namespace } = inputs;
  const agent = inputs.agent ?? null;
  const provider = inputs.provider ?? null;
  const spec = task.spec ?? {};
  const agentName = spec.agentRef?.name ?? '';
  const ref = spec.ai?.providerRef ?? agent?.spec?.providerRef;
  const providerRef = nonBlank(ref?.name)
    ? { name: ref.name, namespace: ref.namespace || namespace, type: '' }
    : null;

  let effectiveProvider = provider ? providerInfo(provider) : NO_PROVIDER;
  let effectiveModel = provider?.spec?.defaultModel ?? '';
  const model = agent?.spec?.model;
  if (nonBlank(model?.provider)) effectiveProvider = { ...NO_PROVIDER, type: model.provider };
  if (nonBlank(model?.name)) effectiveModel = model.name;
  if (nonBlank(spec.ai?.provider)) effectiveProvider = { ...NO_PROVIDER, type: spec.ai.provider };
  if (nonBlank(spec.ai?.model)) effectiveModel = spec.ai.model;
  // A resolved Provider's type is authoritative over provider strings on the Task or Agent.
  if (provider) effectiveProvider = providerInfo(provider);

  const fallbacks: TaskAuthzSubject['fallbacks'] = [];
  for (const fallback of model?.fallbacks ?? []) {
    const found = nonBlank(fallback.providerRef)
      ? inputs.fallbackProviders?.get(fallback.providerRef)
      : undefined;
    if (found === undefined) continue;
    fallbacks.push({
      provider: providerInfo(found),
      model: nonBlank(fallback.model) ? fallback.model : (found.spec?.defaultModel ?? ''),
    });
  }

  const aiTools: string[] = [];
  for (const tool of agent?.spec?.tools ?? []) {
    if (tool.enabled !== false && nonBlank(tool.name)) aiTools.push(tool.name);
  }
  if (agent?.spec?.coordination?.enabled) {
    for (const tool of COORDINATION_TOOLS) if (!aiTools.includes(tool)) aiTools.push(tool);
  }
  for (const tool of spec.ai?.tools ?? []) {
    if (tool.enabled !== false && nonBlank(tool.name)) aiTools.push(tool.name);
  }

  // Effective runtime tools as everywhere else (DESIGN §3): disallowed tools always win.
  const disallowed = new Set(spec.agentRuntime?.disallowedTools ?? []);
  const listed = spec.agentRuntime?.allowedTools?.length
    ? spec.agentRuntime.allowedTools
    : (agent?.spec?.runtime?.defaultAllowedTools ?? []);
  const runtimeAllowBash =
    (spec.agentRuntime?.allowBash ?? agent?.spec?.runtime?.defaultAllowBash ?? true) &&
    !disallowed.has('Bash');
  const runtimeAllowedTools = listed.filter(
    (tool) => !disallowed.has(tool) && !(tool === 'Bash' && !runtimeAllowBash),
  );

  const workspace = spec.workspace ?? spec.agentRuntime?.workspace ?? {};
  return {
    namespace,
    name: task.metadata?.name ?? '',
    type: spec.type ?? '',
    agentName,
    agentNamespace: agentName === '' ? '' : spec.agentRef?.namespace || namespace,
    workspace: {
      gitRepo: workspace.gitRepo ?? '',
      branch: workspace.branch ?? '',
      ref: workspace.ref ?? '',
    },
    providerRef,
    effectiveProvider,
    effectiveModel,
    fallbacks,
    aiTools,
    runtimeAllowedTools,
    runtimeAllowBash,
  };
}
