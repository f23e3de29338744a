// The worker container's environment, row by row in the order of reference §6.3. Every variable
// the controller owns is set with the controller's value or removed, so `spec.env` can add
// variables but never override what admission decided (tools, Bash, repository, sandbox, ...).
import type { V1EnvVar } from '@kubernetes/client-node';
import {
  ANNOTATION_PARENT_TASK_NAME,
  ANNOTATION_TRANSACTION_TOKEN_SECRET,
  LABEL_PARENT_TASK,
} from '../../resources/labels.ts';
import type { Agent, EnvVar, Task, WorkspaceConfig } from '../../resources/types.ts';
import type { WorkerJobConfig } from './config.ts';
import type { AgentRuntime } from './constants.ts';
import { TRANSACTION_TOKEN_DIR, TRANSACTION_TOKEN_KEY, WORKSPACE_DIR } from './constants.ts';
import { EnvList } from './env-list.ts';
import type { ResolvedSandboxWorkspace } from './sandbox.ts';

/** Context-token exchange settings: not configurable here, so never passed to workers (row 17). */
const TOKEN_EXCHANGE_VARIABLES = [
  'ORKA_CONTEXT_TOKEN_TTS_URL',
  'ORKA_CONTEXT_TOKEN_TTS_AUDIENCE',
  'ORKA_CONTEXT_TOKEN_TTS_TIMEOUT',
  'ORKA_CONTEXT_TOKEN_TTS_TOKEN_SOURCE',
  'ORKA_CONTEXT_TOKEN_SUBJECT_TOKEN_TYPE',
  'ORKA_CONTEXT_TOKEN_CHILD_SCOPE',
  'ORKA_CONTEXT_TOKEN_OUTBOUND_SCOPE',
  'ORKA_CONTEXT_TOKEN_CHILD_TOKEN_TTL',
  'ORKA_CONTEXT_TOKEN_TOOL_TOKEN_TTL',
] as const;

/** What the environment is made from: the Task and Agent plus the values resolved from them. */
export interface WorkerEnvInput {
  task: Task;
  agent: Agent | undefined;
  runtime: AgentRuntime;
  config: WorkerJobConfig;
  maxTurns: number;
  allowedTools: readonly string[];
  disallowedTools: readonly string[];
  allowBash: boolean;
  workspace: WorkspaceConfig | undefined;
  timeoutSeconds: number | undefined;
  sandbox: ResolvedSandboxWorkspace | undefined;
}

export function resultEndpoint(controllerUrl: string, namespace: string, task: string): string {
  return `${controllerUrl}/internal/v1/results/${namespace}/${task}`;
}

export function workerEnv(input: WorkerEnvInput): V1EnvVar[] {
  const { task, agent, config } = input;
  const name = task.metadata?.name ?? '';
  const namespace = task.metadata?.namespace ?? '';
  const env = new EnvList();

  // 1. who the worker is and where it reports, then which runtime it runs
  env.set('ORKA_TASK_NAME', name);
  env.set('ORKA_TASK_NAMESPACE', namespace);
  env.set('ORKA_RESULT_ENDPOINT', resultEndpoint(config.controllerUrl, namespace, name));
  env.set('ORKA_CONTROLLER_URL', config.controllerUrl);
  env.set('ORKA_AGENT_RUNTIME', input.runtime);
  const controllerFirst = new Set(env.toArray().map((variable) => variable.name));

  // 2. the Task's own variables, except those the controller has already set
  for (const variable of task.spec.env ?? []) {
    if (!controllerFirst.has(variable.name)) env.append(kubernetesEnvVar(variable));
  }

  // 3. the transaction the Task was created under
  const transaction = task.spec.transaction;
  env.setOrRemove('ORKA_TRANSACTION_ID', transaction?.id);
  env.setOrRemove('ORKA_TRANSACTION_PROFILE', transaction?.profile);
  env.setOrRemove('ORKA_TRANSACTION_ISSUER', transaction?.issuer);
  env.setOrRemove('ORKA_TRANSACTION_SUBJECT', transaction?.subject);
  env.setOrRemove('ORKA_TRANSACTION_REQUESTING_WORKLOAD', transaction?.requestingWorkload);
  env.setOrRemove('ORKA_TRANSACTION_SCOPE', transaction?.scope);
  env.setOrRemove('ORKA_TRANSACTION_SCOPES', transaction?.scopes?.join(','));
  env.setOrRemove('ORKA_TRANSACTION_CONTEXT_DIGEST', transaction?.contextDigest);
  env.setOrRemove('ORKA_TRANSACTION_REQUESTER_CONTEXT_DIGEST', transaction?.requesterContextDigest);

  // 4-5. related Tasks
  const prior = task.spec.priorTaskRef;
  env.setOrRemove('ORKA_PRIOR_TASK', prior?.name);
  env.setOrRemove('ORKA_PRIOR_TASK_NAMESPACE', prior ? prior.namespace || namespace : undefined);
  env.setOrRemove(
    'ORKA_PARENT_TASK',
    task.metadata?.annotations?.[ANNOTATION_PARENT_TASK_NAME] ||
      task.metadata?.labels?.[LABEL_PARENT_TASK],
  );

  // 6-8. what the agent is asked and with which model and system prompt
  env.setOrRemove('ORKA_PROMPT', task.spec.prompt || task.spec.ai?.prompt);
  env.setOrRemove('ORKA_MODEL', agent?.spec.model?.name);
  const systemPrompt = agent?.spec.systemPrompt;
  if (systemPrompt?.inline) env.set('ORKA_SYSTEM_PROMPT', systemPrompt.inline);
  else if (systemPrompt?.configMapRef) {
    // Kubernetes reads the key when the Pod starts; a missing key leaves the variable unset.
    const { name: configMap, key } = systemPrompt.configMapRef;
    env.setFrom({
      name: 'ORKA_SYSTEM_PROMPT',
      valueFrom: { configMapKeyRef: { name: configMap, key, optional: true } },
    });
  } else env.remove('ORKA_SYSTEM_PROMPT');

  // 9-12. permissions
  env.set('ORKA_MAX_TURNS', String(input.maxTurns));
  env.setOrRemove('ORKA_ALLOWED_TOOLS', input.allowedTools.join(','));
  env.setOrRemove('ORKA_DISALLOWED_TOOLS', input.disallowedTools.join(','));
  env.setOrRemove('ORKA_ALLOW_BASH', input.allowBash ? 'true' : undefined);

  // 13. the git checkout
  const workspace = input.workspace;
  env.setOrRemove('ORKA_GIT_REPO', workspace?.gitRepo);
  env.setOrRemove('GIT_CONFIG_COUNT', workspace ? '1' : undefined);
  env.setOrRemove('GIT_CONFIG_KEY_0', workspace ? 'safe.directory' : undefined);
  env.setOrRemove('GIT_CONFIG_VALUE_0', workspace ? WORKSPACE_DIR : undefined);
  env.setOrRemove('ORKA_GIT_BRANCH', workspace?.branch);
  env.setOrRemove('ORKA_GIT_REF', workspace?.ref);
  env.setOrRemove('ORKA_WORKSPACE_SUBPATH', workspace?.subPath);
  env.setOrRemove('ORKA_FORK_REPO', workspace?.forkRepo);
  env.setOrRemove('ORKA_PR_BASE_BRANCH', workspace?.prBaseBranch);
  env.setOrRemove('ORKA_PUSH_BRANCH', workspace?.pushBranch);
  env.setOrRemove('ORKA_REQUIRE_PUSH_BRANCH', workspace?.pushBranch ? 'true' : undefined);

  // 14-15. limits and runtime tuning (a Task's own codex sandbox mode wins)
  env.setOrRemove('ORKA_TIMEOUT_SECONDS', input.timeoutSeconds?.toString());
  if (input.runtime === 'codex' && config.codexSandboxMode) {
    env.setDefault('ORKA_CODEX_SANDBOX_MODE', config.codexSandboxMode);
  }

  // 16. the agent-sandbox workspace: all thirteen, empty values included, or none
  setSandboxVariables(env, input.sandbox);

  // 17-18. context-token exchange is never configured for workers; a delegated token is a file
  for (const variable of TOKEN_EXCHANGE_VARIABLES) env.remove(variable);
  env.remove('ORKA_CONTEXT_TOKEN_SUBJECT_TOKEN_FILE');
  env.setOrRemove(
    'ORKA_TRANSACTION_TOKEN_FILE',
    task.metadata?.annotations?.[ANNOTATION_TRANSACTION_TOKEN_SECRET]
      ? `${TRANSACTION_TOKEN_DIR}/${TRANSACTION_TOKEN_KEY}`
      : undefined,
  );

  // 19. the session
  env.setOrRemove('ORKA_SESSION_NAME', task.spec.sessionRef?.name);
  return env.toArray();
}

/** A Task env entry as the Pod API types it: a resource divisor is always a quantity string. */
function kubernetesEnvVar(variable: EnvVar): V1EnvVar {
  const divisor = variable.valueFrom?.resourceFieldRef?.divisor;
  if (divisor === undefined) return variable as V1EnvVar;
  const copy = structuredClone(variable);
  copy.valueFrom!.resourceFieldRef!.divisor = String(divisor);
  return copy as V1EnvVar;
}

const SANDBOX_PREFIX = 'ORKA_AGENT_SANDBOX_';

function setSandboxVariables(env: EnvList, sandbox: ResolvedSandboxWorkspace | undefined): void {
  const values: [string, string][] = sandbox
    ? [
        ['ENABLED', 'true'],
        ['ROUTER_URL', sandbox.routerUrl],
        ['TEMPLATE_NAME', sandbox.templateName],
        ['TEMPLATE_NAMESPACE', sandbox.templateNamespace],
        ['CLAIM_NAMESPACE', sandbox.claimNamespace],
        ['REUSE_POLICY', sandbox.reusePolicy],
        ['REUSE_KEY', sandbox.reuseKey],
        ['CLEANUP_POLICY', sandbox.cleanupPolicy],
        ['WARM_POOL_POLICY', sandbox.warmPoolPolicy],
        ['NAMESPACE_STRATEGY', sandbox.namespaceStrategy],
        ['CLAIM_TIMEOUT_SECONDS', String(sandbox.claimTimeoutSeconds)],
        ['COMMAND_TIMEOUT_SECONDS', String(sandbox.commandTimeoutSeconds)],
        ['DEPTH', '0'],
      ]
    : [];
  for (const variable of SANDBOX_VARIABLES) env.remove(variable);
  for (const [suffix, value] of values) env.set(`${SANDBOX_PREFIX}${suffix}`, value);
}

/** The thirteen variables of a sandbox workspace request (row 16). */
export const SANDBOX_VARIABLES = [
  'ENABLED',
  'ROUTER_URL',
  'TEMPLATE_NAME',
  'TEMPLATE_NAMESPACE',
  'CLAIM_NAMESPACE',
  'REUSE_POLICY',
  'REUSE_KEY',
  'CLEANUP_POLICY',
  'WARM_POOL_POLICY',
  'NAMESPACE_STRATEGY',
  'CLAIM_TIMEOUT_SECONDS',
  'COMMAND_TIMEOUT_SECONDS',
  'DEPTH',
].map((suffix) => `${SANDBOX_PREFIX}${suffix}`);
