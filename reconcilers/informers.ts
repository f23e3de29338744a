// The informers the controller runs: Tasks and Agents, and the worker Jobs, Pods and FailedCreate
// Events that tell a Task how its attempt is going. `watchNamespace` confines them all.
import type { CoreV1Event, V1Job, V1Pod } from '@kubernetes/client-node';
import { LABEL_TASK } from '../resources/labels.ts';
import type { Agent, Task } from '../resources/types.ts';
import type { Clock } from './runtime/clock.ts';
import { type CachedObject, Informer } from './runtime/informer.ts';
import { type KubeApis, ORKA_GROUP, ORKA_VERSION } from './runtime/kube.ts';
import type { Logger } from './runtime/logger.ts';
import type { TaskCaches } from './task/context.ts';

export interface InformerSettings {
  apis: KubeApis;
  /** '' watches every namespace. */
  watchNamespace: string;
  clock: Clock;
  log: Logger;
  resyncMs: number;
}

const FAILED_CREATE_SELECTOR = 'reason=FailedCreate,involvedObject.kind=Job';

export function createInformers(settings: InformerSettings): TaskCaches {
  const { apis, watchNamespace: ns } = settings;
  const scope = ns ? `/namespaces/${ns}` : '';
  const make = <T extends CachedObject>(
    name: string,
    path: string,
    list: () => Promise<unknown>,
    selectors: { labelSelector?: string; fieldSelector?: string } = {},
  ) =>
    new Informer<T>({
      name,
      kubeConfig: apis.kubeConfig,
      path,
      list: list as () => Promise<{ items: T[] }>,
      ...selectors,
      clock: settings.clock,
      log: settings.log,
      resyncMs: settings.resyncMs,
    });
  const orka = (plural: string) => () =>
    ns
      ? apis.custom.listNamespacedCustomObject({
          group: ORKA_GROUP,
          version: ORKA_VERSION,
          namespace: ns,
          plural,
        })
      : apis.custom.listClusterCustomObject({ group: ORKA_GROUP, version: ORKA_VERSION, plural });
  const orkaPath = (plural: string) => `/apis/${ORKA_GROUP}/${ORKA_VERSION}${scope}/${plural}`;
  const workerSelector = { labelSelector: LABEL_TASK };
  return {
    tasks: make<Task>('tasks', orkaPath('tasks'), orka('tasks')),
    agents: make<Agent>('agents', orkaPath('agents'), orka('agents')),
    jobs: make<V1Job>(
      'jobs',
      `/apis/batch/v1${scope}/jobs`,
      () =>
        ns
          ? apis.batch.listNamespacedJob({ namespace: ns, ...workerSelector })
          : apis.batch.listJobForAllNamespaces(workerSelector),
      workerSelector,
    ),
    pods: make<V1Pod>(
      'pods',
      `/api/v1${scope}/pods`,
      () =>
        ns
          ? apis.core.listNamespacedPod({ namespace: ns, ...workerSelector })
          : apis.core.listPodForAllNamespaces(workerSelector),
      workerSelector,
    ),
    failedCreates: make<CoreV1Event>(
      'failed-create-events',
      `/api/v1${scope}/events`,
      () =>
        ns
          ? apis.core.listNamespacedEvent({ namespace: ns, fieldSelector: FAILED_CREATE_SELECTOR })
          : apis.core.listEventForAllNamespaces({ fieldSelector: FAILED_CREATE_SELECTOR }),
      { fieldSelector: FAILED_CREATE_SELECTOR },
    ),
  };
}
