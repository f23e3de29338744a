// `orka render job`: prints the worker Job the controller would create for a Task (DESIGN §11).
// Reads the files and flags, then calls the Job builder; all decisions are the builder's.
import { readFileSync } from 'node:fs';
import { parseAllDocuments, stringify } from 'yaml';
import {
  buildWorkerJob,
  defaultControllerUrl,
  durationSecondsOf,
  PLACEHOLDER_TASK_UID,
  type SandboxCleanupPolicy,
  type SandboxNamespaceStrategy,
  type SandboxWarmPoolPolicy,
  type WorkerJobConfig,
} from '../reconcilers/job/index.ts';
import type { Agent, Task } from '../resources/types.ts';
import { parseResource } from '../resources/validate.ts';
import type { CommandContext } from './commands.ts';
import type { FlagValues } from './flags.ts';
import { UsageError } from './flags.ts';

const RESOURCE_API_VERSION = 'core.orka.ai/v1alpha1';

function firstLine(text: string): string {
  return text.split('\n')[0]!.trim();
}

/** The one YAML or JSON document of `path`, which must be an Orka object of `kind`. */
function readResource(path: string, kind: 'Task' | 'Agent'): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`${path}: cannot read: ${firstLine((error as Error).message)}`);
  }
  const documents = parseAllDocuments(text).filter((document) => document.contents !== null);
  if (documents.length !== 1) {
    throw new Error(`${path}: expected one ${kind} document, found ${documents.length}`);
  }
  const document = documents[0]!;
  const problem = document.errors[0];
  if (problem) throw new Error(`${path}: not valid YAML or JSON: ${firstLine(problem.message)}`);
  const object: unknown = document.toJS();
  if (typeof object !== 'object' || object === null || Array.isArray(object)) {
    throw new Error(`${path}: expected a ${kind} object`);
  }
  const resource = object as Record<string, unknown>;
  if (resource.apiVersion !== RESOURCE_API_VERSION || resource.kind !== kind) {
    throw new Error(
      `${path}: apiVersion/kind: expected ${RESOURCE_API_VERSION} ${kind}, got ${String(resource.apiVersion)} ${String(resource.kind)}`,
    );
  }
  if (typeof resource.spec !== 'object' || resource.spec === null) {
    throw new Error(`${path}: spec: Required value`);
  }
  return resource;
}

function metadataOf(path: string, resource: Record<string, unknown>): Record<string, unknown> {
  if (resource.metadata === undefined) resource.metadata = {};
  if (typeof resource.metadata !== 'object' || resource.metadata === null) {
    throw new Error(`${path}: metadata: expected an object`);
  }
  return resource.metadata as Record<string, unknown>;
}

/** The object defaulted and validated as the apiserver would store it. */
function validated(path: string, object: Record<string, unknown>) {
  try {
    return parseResource(object);
  } catch (error) {
    throw new Error(`${path}: ${firstLine((error as Error).message)}`);
  }
}

function sandboxSeconds(values: FlagValues, flag: string): number {
  if (values['agent-sandbox-enabled'] !== true) return 0;
  return durationSecondsOf(String(values[flag]), `--${flag}`);
}

/** The builder's configuration from the command's flags (controller defaults). */
export function workerJobConfigFromFlags(values: FlagValues): WorkerJobConfig {
  const controllerNamespace = String(values['controller-namespace']);
  const ttl = Number(values['job-ttl-seconds-after-finished']);
  if (ttl < 0) throw new UsageError(`--job-ttl-seconds-after-finished: ${ttl} is negative`);
  return {
    images: {
      claude: String(values['claude-worker-image']),
      codex: String(values['codex-worker-image']),
      copilot: String(values['copilot-worker-image']),
    },
    controllerUrl: String(values['controller-url']) || defaultControllerUrl(controllerNamespace),
    controllerNamespace,
    ttlSecondsAfterFinished: ttl,
    codexSandboxMode: String(values['codex-sandbox-mode']),
    sandbox: {
      enabled: values['agent-sandbox-enabled'] === true,
      routerUrl: String(values['agent-sandbox-router-url']),
      defaultTemplate: String(values['agent-sandbox-default-template']),
      warmPoolPolicy: String(values['agent-sandbox-warm-pool-policy']) as SandboxWarmPoolPolicy,
      namespaceStrategy: String(
        values['agent-sandbox-namespace-strategy'],
      ) as SandboxNamespaceStrategy,
      claimTimeoutSeconds: sandboxSeconds(values, 'agent-sandbox-claim-timeout'),
      commandTimeoutSeconds: sandboxSeconds(values, 'agent-sandbox-command-timeout'),
      cleanupPolicy: String(values['agent-sandbox-cleanup-policy']) as SandboxCleanupPolicy,
    },
  };
}

export async function renderJob(context: CommandContext): Promise<number> {
  const { values, stdout, stderr } = context;
  const taskPath = String(values.task);
  if (!taskPath) throw new UsageError('--task FILE is required');
  if (context.positionals.length) {
    throw new UsageError(`unexpected argument "${context.positionals[0]}"`);
  }
  const config = workerJobConfigFromFlags(values);
  // Notes are said only once the Job is built, so a failure stays a one-line reason.
  const notes: string[] = [];
  const note = (text: string) => notes.push(`orka render job: ${text}\n`);

  const taskObject = readResource(taskPath, 'Task');
  const taskMetadata = metadataOf(taskPath, taskObject);
  const flagNamespace = String(values.namespace);
  if (!taskMetadata.name) throw new Error(`${taskPath}: metadata.name: Required value`);
  if (taskMetadata.namespace && flagNamespace && taskMetadata.namespace !== flagNamespace) {
    throw new Error(
      `${taskPath}: metadata.namespace "${String(taskMetadata.namespace)}" does not match --namespace "${flagNamespace}"`,
    );
  }
  taskMetadata.namespace = taskMetadata.namespace || flagNamespace || 'default';
  const placeholderUid = !taskMetadata.uid;
  if (placeholderUid) taskMetadata.uid = PLACEHOLDER_TASK_UID;
  const task = validated(taskPath, taskObject) as Task;
  if (placeholderUid) note(`${taskPath} has no metadata.uid; using ${PLACEHOLDER_TASK_UID}`);

  let agent: Agent | undefined;
  const agentPath = String(values.agent);
  if (agentPath) {
    const agentObject = readResource(agentPath, 'Agent');
    const agentMetadata = metadataOf(agentPath, agentObject);
    const reference = task.spec.agentRef;
    const wantedNamespace = reference?.namespace || task.metadata!.namespace!;
    if (reference && agentMetadata.name !== reference.name) {
      throw new Error(
        `${agentPath}: metadata.name "${String(agentMetadata.name)}" is not the Task's agentRef "${reference.name}"`,
      );
    }
    if (agentMetadata.namespace && agentMetadata.namespace !== wantedNamespace) {
      throw new Error(
        `${agentPath}: metadata.namespace "${String(agentMetadata.namespace)}" is not the Task's agent namespace "${wantedNamespace}"`,
      );
    }
    agentMetadata.namespace = wantedNamespace;
    agent = validated(agentPath, agentObject) as Agent;
  } else {
    note(
      'no --agent given: rendering as if the Agent set nothing (claude runtime, no credentials)',
    );
  }

  let job: ReturnType<typeof buildWorkerJob>;
  try {
    job = buildWorkerJob(task, agent, config);
  } catch (error) {
    throw new Error(`${taskPath}: ${(error as Error).message}`);
  }
  for (const text of notes) stderr.write(text);
  stdout.write(values.output === 'json' ? `${JSON.stringify(job, null, 2)}\n` : stringify(job));
  return 0;
}
