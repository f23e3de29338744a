// What the Task reconciler works with: clients, caches, the store, configuration and hooks.
import type { CoreV1Event, V1Job, V1Pod } from '@kubernetes/client-node';
import type { Agent, Task } from '../../resources/types.ts';
import type { Store } from '../../store/index.ts';
import type { WorkerJobConfig } from '../job/index.ts';
import type { ControllerMetrics } from '../metrics.ts';
import type { Clock } from '../runtime/clock.ts';
import type { EventRecorder } from '../runtime/events.ts';
import type { Informer } from '../runtime/informer.ts';
import type { KubeApis } from '../runtime/kube.ts';
import type { Logger } from '../runtime/logger.ts';
import type { ObjectWriter } from '../runtime/writer.ts';
import type { Recheck } from './recheck.ts';
import type { WorkerRbac } from './worker-rbac.ts';

/** Points where a test hook may stop the process, to check that a restart loses nothing. */
export type CrashPoint = 'after-job-create' | 'after-status-write';

export interface TaskCaches {
  tasks: Informer<Task>;
  agents: Informer<Agent>;
  jobs: Informer<V1Job>;
  pods: Informer<V1Pod>;
  /** Events with reason FailedCreate about Jobs. */
  failedCreates: Informer<CoreV1Event>;
  /** Events with reason FailedMount about Pods. */
  failedMounts: Informer<CoreV1Event>;
}

export interface TaskReconcilerContext {
  apis: KubeApis;
  tasks: ObjectWriter<Task>;
  caches: TaskCaches;
  store: Store;
  events: EventRecorder;
  recheck: Recheck;
  jobConfig: WorkerJobConfig;
  /** 0 means unlimited. */
  maxTasksPerNamespace: number;
  workerRbac: WorkerRbac;
  clock: Clock;
  log: Logger;
  crashPoint: (point: CrashPoint) => void;
  /** Runs the namespace's waiting Tasks again (a slot or a session was freed). */
  wakeWaiting: (namespace: string) => void;
  /** Runs the Agent reconciler for the Agent (its activeTasks changed). */
  touchAgent: (namespace: string, name: string) => void;
  /** Counts the Jobs the reconciler created. */
  metrics: ControllerMetrics;
}
