// The informers the controller runs: Tasks and Agents, the worker Jobs, Pods and FailedCreate /
// FailedMount Events that tell a Task how its attempt is going, and the Secrets and ConfigMaps
// Agents reference. `watchNamespace` confines them all.
import type { CoreV1Event, V1ConfigMap, V1Job, V1Pod, V1Secret } from '@kubernetes/client-node';
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
const FAILED_MOUNT_SELECTOR = 'reason=FailedMount,involvedObject.kind=Pod';

export interface AgentReferenceCaches {
  /** Names only: values are stripped before caching. */
  secrets: Informer<V1Secret>;
  /** Names and keys only: values are stripped before caching. */
  configMaps: Informer<V1ConfigMap>;
}

const keysOnly = (data: Record<string, string> | undefined) =>
  data && Object.fromEntries(Object.keys(data).map((key) => [key, '']));

/** `kubectl apply` keeps the whole object, values included, in this annotation. */
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

function stripMetadata(object: V1Secret | V1ConfigMap): void {
  if (!object.metadata) return;
  delete object.metadata.managedFields;
  if (object.metadata.annotations) delete object.metadata.annotations[LAST_APPLIED];
}

/**
 * Secrets and ConfigMaps, watched so that an Agent waiting for one becomes Ready when it appears.
 * The controller never needs their values, so none stay in memory.
 */
export function createAgentReferenceInformers(settings: InformerSettings): AgentReferenceCaches {
  const { apis, watchNamespace: ns } = settings;
  const scope = ns ? `/namespaces/${ns}` : '';
  const common = {
    kubeConfig: apis.kubeConfig,
    clock: settings.clock,
    log: settings.log,
    resyncMs: 0,
  };
  return {
    secrets: new Informer<V1Secret>({
      ...common,
      name: 'secrets',
      path: `/api/v1${scope}/secrets`,
      list: () =>
        ns
          ? apis.core.listNamespacedSecret({ namespace: ns })
          : apis.core.listSecretForAllNamespaces(),
      strip(secret) {
        stripMetadata(secret);
        secret.data = keysOnly(secret.data);
        delete secret.stringData;
      },
    }),
    configMaps: new Informer<V1ConfigMap>({
      ...common,
      name: 'configmaps',
      path: `/api/v1${scope}/configmaps`,
      list: () =>
        ns
          ? apis.core.listNamespacedConfigMap({ namespace: ns })
          : apis.core.listConfigMapForAllNamespaces(),
      strip(configMap) {
        stripMetadata(configMap);
        configMap.data = keysOnly(configMap.data);
        configMap.binaryData = keysOnly(configMap.binaryData);
      },
    }),
  };
}

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
  const events = (name: string, fieldSelector: string) =>
    make<CoreV1Event>(
      name,
      `/api/v1${scope}/events`,
      () =>
        ns
          ? apis.core.listNamespacedEvent({ namespace: ns, fieldSelector })
          : apis.core.listEventForAllNamespaces({ fieldSelector }),
      { fieldSelector },
    );
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
    failedCreates: events('failed-create-events', FAILED_CREATE_SELECTOR),
    failedMounts: events('failed-mount-events', FAILED_MOUNT_SELECTOR),
  };
}
