// The controller assembly: informers, work queues and the Task and Agent reconcilers, wired so
// that each change wakes exactly the keys it concerns, and the AdmissionPolicy status reconciler.
// `orka controller` and `orka dev` start it.
import type { KubeConfig, V1ConfigMap, V1Job, V1Secret } from '@kubernetes/client-node';
import type { PolicyConfig } from '../policy/chain/config.ts';
import type { Agent, Task } from '../resources/types.ts';
import type { Store } from '../store/index.ts';
import { reconcileAgent } from './agent/reconcile.ts';
import { agentsReferencing, type ReferencedKind } from './agent/references.ts';
import {
  type AgentReferenceCaches,
  createAgentReferenceInformers,
  createInformers,
} from './informers.ts';
import type { WorkerJobConfig } from './job/index.ts';
import { ControllerMetrics } from './metrics.ts';
import { startPolicyStatusReconciler } from './policy-status/reconciler.ts';
import { type Clock, systemClock } from './runtime/clock.ts';
import { findCondition } from './runtime/conditions.ts';
import { eventRecorder } from './runtime/events.ts';
import { type CachedObject, DEFAULT_RESYNC_MS, type Informer, keyOf } from './runtime/informer.ts';
import { kubeApis } from './runtime/kube.ts';
import type { Logger } from './runtime/logger.ts';
import { WorkQueue } from './runtime/queue.ts';
import { runWorkers } from './runtime/runner.ts';
import { ObjectWriter } from './runtime/writer.ts';
import type { CrashPoint, TaskCaches, TaskReconcilerContext } from './task/context.ts';
import { isTerminal } from './task/finish.ts';
import { CONDITIONS, REASONS } from './task/messages.ts';
import { createRecheck } from './task/recheck.ts';
import { reconcileTask } from './task/reconcile.ts';
import { DEFAULT_WORKER_CLUSTER_ROLE, workerRbac } from './task/worker-rbac.ts';

export interface ControllerOptions {
  kubeConfig: KubeConfig;
  store: Store;
  jobConfig: WorkerJobConfig;
  policyConfig: PolicyConfig;
  log: Logger;
  /** '' reconciles every namespace. */
  watchNamespace?: string;
  /** 0 (default) means unlimited. */
  maxTasksPerNamespace?: number;
  /** ClusterRole the per-namespace worker RoleBinding grants. */
  workerClusterRole?: string;
  /** Tasks reconciled at once. */
  taskWorkers?: number;
  resyncMs?: number;
  clock?: Clock;
  /** Test hook: called at points where a crash must lose nothing. */
  crashPoint?: (point: CrashPoint) => void;
  /** Work queue backoff (first delay and cap). */
  queueBaseDelayMs?: number;
  queueMaxDelayMs?: number;
  /** Where reconcile durations and Job creations are counted; a fresh one when absent. */
  metrics?: ControllerMetrics;
}

export interface RunningController {
  caches: TaskCaches;
  taskQueue: WorkQueue;
  agentQueue: WorkQueue;
  /** Secrets and ConfigMaps as cached: names and keys, never values. */
  agentReferences: AgentReferenceCaches;
  metrics: ControllerMetrics;
  /** Every informer has listed once and the workers run. */
  isReady(): boolean;
  /** Stops the informers and lets in-flight reconciles finish. */
  stop(): Promise<void>;
}

const WAITING_REASONS = new Set(['WaitingForSlot', 'WaitingForSession']);

function ownerTask(job: V1Job | undefined): string | undefined {
  const owner = job?.metadata?.ownerReferences?.find(
    (ref) => ref.kind === 'Task' && ref.controller,
  );
  return owner && job?.metadata?.namespace ? `${job.metadata.namespace}/${owner.name}` : undefined;
}

export async function startController(options: ControllerOptions): Promise<RunningController> {
  const clock = options.clock ?? systemClock;
  const { log, store } = options;
  const apis = kubeApis(options.kubeConfig);
  const caches = createInformers({
    apis,
    watchNamespace: options.watchNamespace ?? '',
    clock,
    log,
    resyncMs: options.resyncMs ?? DEFAULT_RESYNC_MS,
  });
  const queueOptions = {
    clock,
    ...(options.queueBaseDelayMs !== undefined ? { baseDelayMs: options.queueBaseDelayMs } : {}),
    ...(options.queueMaxDelayMs !== undefined ? { maxDelayMs: options.queueMaxDelayMs } : {}),
  };
  const taskQueue = new WorkQueue(queueOptions);
  const agentQueue = new WorkQueue(queueOptions);
  const metrics = options.metrics ?? new ControllerMetrics();
  metrics.attach({
    queues: { task: taskQueue, agent: agentQueue },
    tasks: () => caches.tasks.list(),
  });
  const references = createAgentReferenceInformers({
    apis,
    watchNamespace: options.watchNamespace ?? '',
    clock,
    log,
    resyncMs: 0,
  });

  const wakeWaiting = (namespace: string) => {
    for (const task of caches.tasks.list(namespace)) {
      const reason = findCondition(task.status?.conditions, CONDITIONS.scheduled)?.reason;
      if (task.status?.phase === 'Pending' && WAITING_REASONS.has(reason ?? '')) {
        taskQueue.add(keyOf(task));
      }
    }
  };
  const touchAgent = (namespace: string, name: string) => agentQueue.add(`${namespace}/${name}`);
  const taskOfJob = (namespace: string | undefined, jobName: string | undefined) =>
    jobName ? ownerTask(caches.jobs.get(jobName, namespace)) : undefined;

  const context: TaskReconcilerContext = {
    apis,
    tasks: new ObjectWriter<Task>(apis.custom, 'tasks'),
    caches,
    store,
    events: eventRecorder(apis.core, log, clock),
    recheck: createRecheck(options.policyConfig),
    jobConfig: options.jobConfig,
    maxTasksPerNamespace: options.maxTasksPerNamespace ?? 0,
    workerRbac: workerRbac(
      apis.core,
      apis.rbac,
      options.workerClusterRole ?? DEFAULT_WORKER_CLUSTER_ROLE,
    ),
    clock,
    log,
    crashPoint: options.crashPoint ?? (() => {}),
    wakeWaiting,
    touchAgent,
    metrics,
  };
  const agentContext = {
    agents: new ObjectWriter<Agent>(apis.custom, 'agents'),
    agentCache: caches.agents,
    taskCache: caches.tasks,
    core: apis.core,
    custom: apis.custom,
    clock,
  };

  const enqueueTask = (task: Task) => taskQueue.add(keyOf(task));
  const taskGone = (task: Task) => {
    const namespace = task.metadata?.namespace ?? '';
    wakeWaiting(namespace);
    const ref = task.spec.agentRef;
    if (ref) touchAgent(ref.namespace || namespace, ref.name);
  };
  caches.tasks.on({
    add: enqueueTask,
    update(task) {
      enqueueTask(task);
      if (isTerminal(task)) taskGone(task);
    },
    delete: taskGone,
    resync: enqueueTask,
  });
  const agentChanged = (agent: Agent) => {
    agentQueue.add(keyOf(agent));
    const namespace = agent.metadata?.namespace ?? '';
    const name = agent.metadata?.name;
    for (const task of caches.tasks.list()) {
      const ref = task.spec.agentRef;
      if (!ref || ref.name !== name || (ref.namespace || task.metadata?.namespace) !== namespace) {
        continue;
      }
      const waiting = findCondition(task.status?.conditions, CONDITIONS.agentFound);
      if (waiting?.reason === REASONS.agentNotFound) enqueueTask(task);
    }
  };
  caches.agents.on({
    add: agentChanged,
    update: (agent) => agentQueue.add(keyOf(agent)),
    resync: (agent) => agentQueue.add(keyOf(agent)),
  });
  const jobChanged = (job: V1Job) => {
    const key = ownerTask(job);
    if (key) taskQueue.add(key);
  };
  caches.jobs.on({ add: jobChanged, update: jobChanged, delete: jobChanged });
  caches.pods.on({
    add: (pod) => taskOfJobKey(pod.metadata?.namespace, pod.metadata?.labels?.['job-name']),
    update: (pod) => taskOfJobKey(pod.metadata?.namespace, pod.metadata?.labels?.['job-name']),
  });
  caches.failedMounts.on({
    add: (event) => podEvent(event.involvedObject?.namespace, event.involvedObject?.name),
    update: (event) => podEvent(event.involvedObject?.namespace, event.involvedObject?.name),
  });
  function podEvent(namespace: string | undefined, podName: string | undefined) {
    const pod = podName ? caches.pods.get(podName, namespace) : undefined;
    taskOfJobKey(namespace, pod?.metadata?.labels?.['job-name']);
  }
  // A Secret or ConfigMap an Agent needs appeared, changed or went: its readiness may have changed.
  const referenceChanged = (kind: ReferencedKind) => (object: V1Secret | V1ConfigMap) => {
    const namespace = object.metadata?.namespace ?? '';
    const name = object.metadata?.name ?? '';
    for (const agent of agentsReferencing(caches.agents.list(namespace), kind, namespace, name)) {
      agentQueue.add(keyOf(agent));
    }
  };
  for (const [informer, kind] of [
    [references.secrets, 'Secret'],
    [references.configMaps, 'ConfigMap'],
  ] as const) {
    const changed = referenceChanged(kind);
    (informer as Informer<V1Secret | V1ConfigMap>).on({
      add: changed,
      update: changed,
      delete: changed,
    });
  }
  caches.failedCreates.on({
    add: (event) => taskOfJobKey(event.involvedObject?.namespace, event.involvedObject?.name),
    update: (event) => taskOfJobKey(event.involvedObject?.namespace, event.involvedObject?.name),
  });
  function taskOfJobKey(namespace: string | undefined, jobName: string | undefined) {
    const key = taskOfJob(namespace, jobName);
    if (key) taskQueue.add(key);
  }

  const informers: Informer<CachedObject>[] = [
    ...Object.values(caches),
    references.secrets,
    references.configMaps,
  ];
  await Promise.all(informers.map((informer) => informer.start()));
  const policyStatus = await startPolicyStatusReconciler(options.kubeConfig, {
    log,
    clock,
    resyncMs: options.resyncMs ?? DEFAULT_RESYNC_MS,
  });
  const workers = Promise.all([
    runWorkers({
      name: 'task',
      queue: taskQueue,
      reconcile: (key) => reconcileTask(context, key),
      workers: options.taskWorkers ?? 8,
      log,
      observe: (result, seconds) => metrics.observeReconcile('task', result, seconds),
    }),
    runWorkers({
      name: 'agent',
      queue: agentQueue,
      reconcile: (key) => reconcileAgent(agentContext, key),
      workers: 2,
      log,
      observe: (result, seconds) => metrics.observeReconcile('agent', result, seconds),
    }),
  ]);
  let stopped = false;
  log.info(
    {
      watchNamespace: options.watchNamespace || '(all)',
      maxTasksPerNamespace: context.maxTasksPerNamespace,
    },
    'reconcilers started',
  );
  return {
    caches,
    taskQueue,
    agentQueue,
    agentReferences: references,
    metrics,
    isReady: () =>
      !stopped &&
      policyStatus.informer.hasSynced &&
      informers.every((informer) => informer.hasSynced),
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const informer of informers) informer.stop();
      taskQueue.shutDown();
      agentQueue.shutDown();
      await Promise.all([workers, policyStatus.stop()]);
    },
  };
}
