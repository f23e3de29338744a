// The worker's configuration, read once from its environment (reference §6.3, §7.3, §11.2). The
// Job builder's env names are the contract; every filesystem path has an env override whose
// default is the Pod path (DESIGN §8), so the same program runs unchanged in tests.
import { posix } from 'node:path';
import {
  AGENT_RUNTIMES,
  type AgentRuntime,
  HOME_DIR,
  SECRETS_DIR,
  SERVICE_ACCOUNT_TOKEN_PATH,
  SESSION_DIR,
  TMP_DIR,
  WORKSPACE_DIR,
} from '../reconcilers/job/constants.ts';
import { resultEndpoint } from '../reconcilers/job/env.ts';
import { WorkerConfigError } from './errors.ts';

export type Env = Readonly<Record<string, string | undefined>>;

export interface WorkerPaths {
  workspace: string;
  home: string;
  tmp: string;
  /** where the agent drops files to upload; linked from `<workspace>/.orka-artifacts` */
  artifacts: string;
  secrets: string;
  session: string;
  serviceAccountToken: string;
}

export interface TaskIdentity {
  name: string;
  namespace: string;
}

export interface ApiSettings {
  controllerUrl: string | undefined;
  resultEndpoint: string | undefined;
  /** first retry delay of submissions; doubles per attempt (reference §7.5: 2, 4, 8, 16 s) */
  retryDelayMs: number;
  attempts: number;
}

export interface WorkspaceSettings {
  gitRepo: string | undefined;
  branch: string | undefined;
  ref: string | undefined;
  /** cleaned, relative, never escaping the checkout */
  subPath: string | undefined;
  forkRepo: string | undefined;
  prBaseBranch: string | undefined;
  pushBranch: string | undefined;
  requirePushBranch: boolean;
}

export interface CodexSettings {
  sandboxMode: string;
  autoCompactTokenLimit: string;
  /** true: always bypass; false: never bypass and skip the probe; undefined: probe */
  disableSandbox: boolean | undefined;
  openaiBaseUrl: string | undefined;
}

export interface RuntimeSettings {
  prompt: string;
  model: string | undefined;
  systemPrompt: string | undefined;
  maxTurns: number;
  allowedTools: string[];
  disallowedTools: string[];
  allowBash: boolean;
  /** 0 = no limit */
  timeoutSeconds: number;
  cliPaths: Record<AgentRuntime, string>;
  codex: CodexSettings;
  /** `cli`: the Copilot CLI in programmatic mode; `sdk`: a @github/copilot-sdk session (reference) */
  copilotMode: 'cli' | 'sdk';
}

export interface WorkerConfig {
  runtime: AgentRuntime;
  task: TaskIdentity;
  api: ApiSettings;
  paths: WorkerPaths;
  agent: RuntimeSettings;
  workspace: WorkspaceSettings;
  priorTask: TaskIdentity | undefined;
  sessionName: string | undefined;
}

export const DEFAULT_MAX_TURNS = 50;
export const DEFAULT_CODEX_SANDBOX_MODE = 'workspace-write';
export const DEFAULT_CODEX_AUTO_COMPACT_TOKEN_LIMIT = '240000';
export const DEFAULT_RETRY_DELAY_MS = 2000;
export const SUBMIT_ATTEMPTS = 5;
export const ARTIFACTS_SUBDIR = 'artifacts';

const text = (env: Env, name: string): string | undefined => {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
};

function required(env: Env, name: string): string {
  const value = text(env, name);
  if (value === undefined) throw new WorkerConfigError(`${name} is required`);
  return value;
}

function integer(env: Env, name: string, fallback: number, minimum: number): number {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  if (!/^-?\d+$/.test(raw.trim())) {
    throw new WorkerConfigError(`invalid ${name}: expected an integer, got "${raw}"`);
  }
  const value = Number(raw.trim());
  if (!Number.isSafeInteger(value) || value < minimum) {
    throw new WorkerConfigError(`invalid ${name}: expected an integer >= ${minimum}, got "${raw}"`);
  }
  return value;
}

function flag(env: Env, name: string): boolean | undefined {
  const raw = text(env, name);
  if (raw === undefined) return undefined;
  const lower = raw.trim().toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  throw new WorkerConfigError(`invalid ${name}: expected true or false, got "${raw}"`);
}

/** Comma-separated tool names, trimmed, empties dropped (reference §7.1). */
export function toolList(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((tool) => tool.trim())
    .filter((tool) => tool !== '');
}

/** `--runtime` wins over `ORKA_AGENT_RUNTIME`; one of them must name a known runtime. */
export function selectRuntime(flagValue: string, env: Env): AgentRuntime {
  const chosen = flagValue || text(env, 'ORKA_AGENT_RUNTIME');
  if (chosen === undefined) {
    throw new WorkerConfigError('no agent runtime: pass --runtime or set ORKA_AGENT_RUNTIME');
  }
  if (!(AGENT_RUNTIMES as readonly string[]).includes(chosen)) {
    const source = flagValue ? '--runtime' : 'ORKA_AGENT_RUNTIME';
    throw new WorkerConfigError(
      `invalid ${source}: "${chosen}" is not one of ${AGENT_RUNTIMES.join(', ')}`,
    );
  }
  return chosen as AgentRuntime;
}

export function workerPaths(env: Env): WorkerPaths {
  const tmp = text(env, 'ORKA_TMP_DIR') ?? TMP_DIR;
  return {
    workspace: text(env, 'ORKA_WORKSPACE_DIR') ?? WORKSPACE_DIR,
    home: text(env, 'ORKA_HOME_DIR') ?? HOME_DIR,
    tmp,
    artifacts: text(env, 'ORKA_ARTIFACTS_DIR') ?? posix.join(tmp, ARTIFACTS_SUBDIR),
    secrets: text(env, 'ORKA_SECRETS_DIR') ?? SECRETS_DIR,
    session: text(env, 'ORKA_SESSION_DIR') ?? SESSION_DIR,
    serviceAccountToken: text(env, 'ORKA_SA_TOKEN_PATH') ?? SERVICE_ACCOUNT_TOKEN_PATH,
  };
}

/** Reference §7.3: cleaned, and rejected when absolute or climbing out of the checkout. */
export function cleanSubPath(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const cleaned = posix.normalize(raw);
  if (posix.isAbsolute(cleaned) || cleaned === '..' || cleaned.startsWith('../')) {
    throw new WorkerConfigError(`ORKA_WORKSPACE_SUBPATH "${raw}" contains path traversal`);
  }
  return cleaned === '.' ? undefined : cleaned.replace(/\/$/, '');
}

export function apiSettings(env: Env, task: TaskIdentity | undefined): ApiSettings {
  const controllerUrl = text(env, 'ORKA_CONTROLLER_URL')?.replace(/\/+$/, '');
  const endpoint =
    text(env, 'ORKA_RESULT_ENDPOINT') ??
    (controllerUrl && task ? resultEndpoint(controllerUrl, task.namespace, task.name) : undefined);
  return {
    controllerUrl,
    resultEndpoint: endpoint,
    retryDelayMs: integer(env, 'ORKA_SUBMIT_RETRY_DELAY_MS', DEFAULT_RETRY_DELAY_MS, 0),
    attempts: SUBMIT_ATTEMPTS,
  };
}

export function taskIdentity(env: Env): TaskIdentity {
  return { name: required(env, 'ORKA_TASK_NAME'), namespace: required(env, 'ORKA_TASK_NAMESPACE') };
}

function runtimeSettings(env: Env): RuntimeSettings {
  const copilotMode = text(env, 'ORKA_COPILOT_MODE') ?? 'cli';
  if (copilotMode !== 'cli' && copilotMode !== 'sdk') {
    throw new WorkerConfigError(`invalid ORKA_COPILOT_MODE: "${copilotMode}" is not cli or sdk`);
  }
  return {
    prompt: required(env, 'ORKA_PROMPT'),
    model: text(env, 'ORKA_MODEL'),
    systemPrompt: text(env, 'ORKA_SYSTEM_PROMPT'),
    maxTurns: integer(env, 'ORKA_MAX_TURNS', DEFAULT_MAX_TURNS, 1),
    allowedTools: toolList(env.ORKA_ALLOWED_TOOLS),
    disallowedTools: toolList(env.ORKA_DISALLOWED_TOOLS),
    // The controller sends the variable only when Bash is allowed (reference §6.3 row 12).
    allowBash: env.ORKA_ALLOW_BASH === 'true',
    timeoutSeconds: integer(env, 'ORKA_TIMEOUT_SECONDS', 0, 0),
    cliPaths: {
      claude: text(env, 'CLAUDE_CLI_PATH') ?? 'claude',
      codex: text(env, 'CODEX_CLI_PATH') ?? 'codex',
      copilot: text(env, 'COPILOT_CLI_PATH') ?? 'copilot',
    },
    codex: {
      sandboxMode: text(env, 'ORKA_CODEX_SANDBOX_MODE') ?? DEFAULT_CODEX_SANDBOX_MODE,
      autoCompactTokenLimit:
        text(env, 'ORKA_CODEX_AUTO_COMPACT_TOKEN_LIMIT') ?? DEFAULT_CODEX_AUTO_COMPACT_TOKEN_LIMIT,
      disableSandbox: flag(env, 'ORKA_CODEX_DISABLE_SANDBOX'),
      openaiBaseUrl: text(env, 'OPENAI_BASE_URL'),
    },
    copilotMode,
  };
}

function workspaceSettings(env: Env): WorkspaceSettings {
  const branch = text(env, 'ORKA_GIT_BRANCH');
  const ref = text(env, 'ORKA_GIT_REF');
  return {
    gitRepo: text(env, 'ORKA_GIT_REPO'),
    branch,
    ref,
    subPath: cleanSubPath(text(env, 'ORKA_WORKSPACE_SUBPATH')),
    forkRepo: text(env, 'ORKA_FORK_REPO'),
    prBaseBranch: text(env, 'ORKA_PR_BASE_BRANCH'),
    pushBranch: text(env, 'ORKA_PUSH_BRANCH'),
    requirePushBranch: flag(env, 'ORKA_REQUIRE_PUSH_BRANCH') ?? false,
  };
}

/** Everything `orka worker --runtime <type>` needs; throws WorkerConfigError naming the variable. */
export function loadWorkerConfig(env: Env, runtimeFlag: string): WorkerConfig {
  const runtime = selectRuntime(runtimeFlag, env);
  const task = taskIdentity(env);
  const priorName = text(env, 'ORKA_PRIOR_TASK');
  const api = apiSettings(env, task);
  if (priorName && !api.controllerUrl) {
    throw new WorkerConfigError(
      'ORKA_CONTROLLER_URL must be set when ORKA_PRIOR_TASK is specified',
    );
  }
  if (!api.resultEndpoint) {
    throw new WorkerConfigError(
      'no result endpoint: set ORKA_RESULT_ENDPOINT or ORKA_CONTROLLER_URL',
    );
  }
  return {
    runtime,
    task,
    api,
    paths: workerPaths(env),
    agent: runtimeSettings(env),
    workspace: workspaceSettings(env),
    priorTask: priorName
      ? { name: priorName, namespace: text(env, 'ORKA_PRIOR_TASK_NAMESPACE') ?? task.namespace }
      : undefined,
    sessionName: text(env, 'ORKA_SESSION_NAME'),
  };
}
