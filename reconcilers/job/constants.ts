// Fixed facts of every worker Pod. The worker images' Dockerfiles must agree with these (a test
// compares them), and the worker program uses the paths as its defaults (DESIGN §8).

/** The unprivileged user the worker images declare and every worker Pod runs as (seed 002). */
export const WORKER_USER = 'worker';
export const WORKER_UID = 1000;
export const WORKER_GID = 1000;
/** HOME of the worker user; set by the image, writable through an emptyDir (seed 002). */
export const WORKER_HOME = '/home/worker';

/** The only writable paths of a worker Pod (seed 002), each an emptyDir. */
export const TMP_DIR = '/tmp';
export const WORKSPACE_DIR = '/workspace';
export const HOME_DIR = WORKER_HOME;

/** Session transcript fetched by the init container; read-only for the worker. */
export const SESSION_DIR = '/session';
export const SESSION_TRANSCRIPT_FILE = 'transcript.jsonl';

/** Read-only Secret mounts. The runtime credentials are the Task's secretRef, else the Agent's. */
export const SECRETS_DIR = '/secrets';
export const AGENT_SECRET_DIR = '/secrets/agent';
export const GIT_SECRET_DIR = '/secrets/git';
export const TRANSACTION_TOKEN_DIR = '/var/run/orka/transaction-token';
export const TRANSACTION_TOKEN_KEY = 'token';
/** Where Kubernetes mounts the automounted ServiceAccount token. */
export const SERVICE_ACCOUNT_TOKEN_PATH = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/** Per-namespace ServiceAccount of worker Pods (DESIGN §6). */
export const WORKER_SERVICE_ACCOUNT = 'orka-worker';
export const WORKER_CONTAINER_NAME = 'worker';
export const FETCH_SESSION_CONTAINER_NAME = 'fetch-session';

/** The worker image's program; the Job adds `--runtime <type>` or `fetch-session`. */
export const WORKER_PROGRAM = ['orka', 'worker'] as const;

export const AGENT_RUNTIMES = ['claude', 'codex', 'copilot'] as const;
export type AgentRuntime = (typeof AGENT_RUNTIMES)[number];
/** The runtime used when the Agent names none (reference §6.1). */
export const DEFAULT_AGENT_RUNTIME: AgentRuntime = 'claude';

/** Worker container resources when neither the Task nor the Agent sets any (reference §6.1). */
export const DEFAULT_WORKER_RESOURCES = {
  requests: { cpu: '100m', memory: '128Mi' },
  limits: { cpu: '1', memory: '512Mi' },
} as const;

/** Secret files are readable by the worker's group (fsGroup) and nobody else. */
export const SECRET_FILE_MODE = 0o440;

/** Stands in for a Task's UID when it has none yet (`orka render job`, DESIGN §11). */
export const PLACEHOLDER_TASK_UID = '00000000-0000-0000-0000-000000000000';

export const TASK_API_VERSION = 'core.orka.ai/v1alpha1';
