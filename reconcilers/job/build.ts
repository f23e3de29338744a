// The worker Job for an agent Task: one pure function, used by the Task reconciler and by
// `orka render job` (DESIGN §2, §6). Same input, same Job; the inputs are never modified.
import type {
  V1Affinity,
  V1Container,
  V1Job,
  V1ResourceRequirements,
} from '@kubernetes/client-node';
import { effectiveValues } from '../../resources/effective.ts';
import { ANNOTATION_TRANSACTION_TOKEN_SECRET } from '../../resources/labels.ts';
import type { Agent, Task } from '../../resources/types.ts';
import type { WorkerJobConfig } from './config.ts';
import {
  AGENT_RUNTIMES,
  type AgentRuntime,
  DEFAULT_AGENT_RUNTIME,
  DEFAULT_WORKER_RESOURCES,
  FETCH_SESSION_CONTAINER_NAME,
  SESSION_DIR,
  TASK_API_VERSION,
  WORKER_CONTAINER_NAME,
  WORKER_PROGRAM,
  WORKER_SERVICE_ACCOUNT,
} from './constants.ts';
import { wholeSeconds } from './duration.ts';
import { workerEnv } from './env.ts';
import { WorkerJobError } from './errors.ts';
import { workerAnnotations, workerLabels } from './metadata.ts';
import { workerJobName } from './name.ts';
import { resolveSandboxWorkspace } from './sandbox.ts';
import { workerContainerSecurityContext, workerPodSecurityContext } from './security.ts';
import { fetchSessionMounts, workerVolumes } from './volumes.ts';

function runtimeOf(type: string | null): AgentRuntime {
  return AGENT_RUNTIMES.find((runtime) => runtime === type) ?? DEFAULT_AGENT_RUNTIME;
}

function hasQuantities(resources: { limits?: object; requests?: object } | undefined): boolean {
  return (
    Object.keys(resources?.limits ?? {}).length + Object.keys(resources?.requests ?? {}).length > 0
  );
}

/** The Task's resources if it sets any, else the Agent's, else the defaults (reference §6.1). */
function workerResources(task: Task, agent: Agent | undefined): V1ResourceRequirements {
  const chosen = [task.spec.resources, agent?.spec.resources].find(hasQuantities);
  if (!chosen) return structuredClone(DEFAULT_WORKER_RESOURCES) as V1ResourceRequirements;
  const resources: V1ResourceRequirements = {};
  // Quantities may be integers in a manifest; the Job carries them as the apiserver prints them.
  const asStrings = (quantities: Record<string, number | string>) =>
    Object.fromEntries(Object.entries(quantities).map(([key, value]) => [key, String(value)]));
  if (chosen.limits) resources.limits = asStrings(chosen.limits);
  if (chosen.requests) resources.requests = asStrings(chosen.requests);
  if (chosen.claims) resources.claims = structuredClone(chosen.claims);
  return resources;
}

function checkBuildable(task: Task, agent: Agent | undefined): void {
  if (task.spec.type === 'ai') throw new WorkerJobError('type: ai tasks are not supported yet');
  if (task.spec.type !== 'agent') {
    throw new WorkerJobError(`spec.type: "${String(task.spec.type)}" is not agent or ai`);
  }
  if (!task.metadata?.name) throw new WorkerJobError('metadata.name: the Task has no name');
  if (!task.metadata.namespace)
    throw new WorkerJobError('metadata.namespace: the Task has no namespace');
  if (!task.metadata.uid) throw new WorkerJobError('metadata.uid: the Task has no UID');
  if (agent && !agent.spec.runtime) {
    throw new WorkerJobError(
      `agent "${agent.metadata?.name ?? ''}" has no spec.runtime: type: agent tasks need an Agent with a runtime`,
    );
  }
  if (agent?.spec.skills?.length) {
    throw new WorkerJobError(
      `agent "${agent.metadata?.name ?? ''}": spec.skills are not supported for agent tasks yet`,
    );
  }
}

/**
 * The Job that runs an agent Task. `agent` is the Task's Agent, undefined when it is not known
 * (then the Claude runtime with no credentials, as reference §6.1). The Job's name includes
 * `task.status.attempts`, so each attempt has one Job and a restart finds it again.
 * Throws WorkerJobError naming the field when the Task cannot become a Job.
 */
export function buildWorkerJob(
  task: Task,
  agent: Agent | undefined,
  config: WorkerJobConfig,
): V1Job {
  checkBuildable(task, agent);
  const name = task.metadata!.name!;
  const namespace = task.metadata!.namespace!;
  const uid = task.metadata!.uid!;
  const settings = effectiveValues(task, agent ?? null);
  const runtime = runtimeOf(settings.runtimeType);
  const image = config.images[runtime];
  const timeoutSeconds = task.spec.timeout
    ? wholeSeconds(task.spec.timeout, 'spec.timeout')
    : undefined;
  const sandbox = resolveSandboxWorkspace(task, config);
  const transactionTokenSecret =
    task.metadata!.annotations?.[ANNOTATION_TRANSACTION_TOKEN_SECRET] || undefined;
  const session = task.spec.sessionRef;
  const resources = workerResources(task, agent);
  const { volumes, workerMounts } = workerVolumes({
    transactionTokenSecret,
    gitSecret: settings.workspace?.gitSecretRef?.name || undefined,
    credentialsSecret: settings.secretRef ?? undefined,
    hasSession: session !== undefined,
  });

  const worker: V1Container = {
    name: WORKER_CONTAINER_NAME,
    image,
    imagePullPolicy: 'IfNotPresent',
    command: [...WORKER_PROGRAM, '--runtime', runtime],
    env: workerEnv({
      task,
      agent,
      runtime,
      config,
      maxTurns: settings.maxTurns,
      allowedTools: settings.allowedTools,
      disallowedTools: settings.disallowedTools,
      allowBash: settings.allowBash,
      workspace: settings.workspace ?? undefined,
      timeoutSeconds,
      sandbox,
    }),
    ...(settings.secretRef ? { envFrom: [{ secretRef: { name: settings.secretRef } }] } : {}),
    resources,
    securityContext: workerContainerSecurityContext(),
    volumeMounts: workerMounts,
  };

  const initContainers: V1Container[] = session
    ? [
        {
          name: FETCH_SESSION_CONTAINER_NAME,
          image,
          imagePullPolicy: 'IfNotPresent',
          command: [...WORKER_PROGRAM, 'fetch-session'],
          env: [
            { name: 'ORKA_TASK_NAME', value: name },
            { name: 'ORKA_TASK_NAMESPACE', value: namespace },
            { name: 'ORKA_CONTROLLER_URL', value: config.controllerUrl },
            { name: 'ORKA_SESSION_NAME', value: session.name },
            { name: 'ORKA_SESSION_MAX_MESSAGES', value: String(session.maxMessages ?? 50) },
            { name: 'ORKA_SESSION_DIR', value: SESSION_DIR },
          ],
          resources: structuredClone(resources),
          securityContext: workerContainerSecurityContext(),
          volumeMounts: fetchSessionMounts(),
        },
      ]
    : [];

  const labels = workerLabels(task);
  const annotations = workerAnnotations(task);
  const metadataOf = () => ({
    labels: { ...labels },
    ...(annotations ? { annotations: { ...annotations } } : {}),
  });
  const { execution } = settings;

  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: workerJobName(name, uid, task.status?.attempts ?? 0),
      namespace,
      ...metadataOf(),
      ownerReferences: [
        {
          apiVersion: TASK_API_VERSION,
          kind: 'Task',
          name,
          uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      backoffLimit: 0,
      ...(timeoutSeconds !== undefined ? { activeDeadlineSeconds: timeoutSeconds } : {}),
      ...(config.ttlSecondsAfterFinished !== undefined
        ? { ttlSecondsAfterFinished: config.ttlSecondsAfterFinished }
        : {}),
      template: {
        metadata: metadataOf(),
        spec: {
          restartPolicy: 'Never',
          serviceAccountName: WORKER_SERVICE_ACCOUNT,
          // The worker proves who it is with its ServiceAccount token when it reports results.
          automountServiceAccountToken: true,
          securityContext: workerPodSecurityContext(),
          // effectiveExecution leaves out empty values, so each field is set only when it says something
          ...(execution.runtimeClassName ? { runtimeClassName: execution.runtimeClassName } : {}),
          ...(execution.nodeSelector ? { nodeSelector: execution.nodeSelector } : {}),
          ...(execution.tolerations ? { tolerations: execution.tolerations } : {}),
          ...(execution.affinity ? { affinity: execution.affinity as V1Affinity } : {}),
          ...(initContainers.length ? { initContainers } : {}),
          containers: [worker],
          volumes,
        },
      },
    },
  };
}
