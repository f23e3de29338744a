// The API's own Task and Agent informers (the reconcilers' Informer: list+watch, 410 relist,
// restart with backoff) behind a cached KubeAccess. A process that already runs the controller's
// informers can hand those to `cachedKubeAccess` instead and watch once.
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
// The runtime files alone: the reconcilers' index also loads the policy engine the API never uses.
import { Informer } from '../reconcilers/runtime/informer.ts';
import type { Logger } from '../reconcilers/runtime/logger.ts';
import { CORE_GROUP, VERSION } from '../resources/kinds.ts';
import type { KubeAccess, KubeObject } from './kube-access.ts';
import {
  type CachedKubeAccess,
  type CachedKubeAccessOptions,
  cachedKubeAccess,
} from './kube-cache.ts';

export interface KubeCacheOptions extends CachedKubeAccessOptions {
  /** `--watch-namespace`: the only namespace watched; '' watches all. */
  watchNamespace: string;
  log: Logger;
}

export interface RunningKubeCache {
  access: CachedKubeAccess;
  /** Resolves once both informers have listed (it never rejects: failed lists are retried). */
  synced: Promise<void>;
  /** Watch restarts after errors, summed over both informers. */
  restarts(): number;
  stop(): void;
}

/** Starts the informers in the background; reads go through to `inner` until they have synced. */
export function startKubeCache(
  kubeConfig: KubeConfig,
  inner: KubeAccess,
  options: KubeCacheOptions,
): RunningKubeCache {
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  const namespace = options.watchNamespace;
  const informer = (plural: 'tasks' | 'agents') =>
    new Informer<KubeObject>({
      name: `api-${plural}`,
      kubeConfig,
      path: `/apis/${CORE_GROUP}/${VERSION}${namespace ? `/namespaces/${namespace}` : ''}/${plural}`,
      list: () =>
        (namespace
          ? custom.listNamespacedCustomObject({
              group: CORE_GROUP,
              version: VERSION,
              namespace,
              plural,
            })
          : custom.listClusterCustomObject({
              group: CORE_GROUP,
              version: VERSION,
              plural,
            })) as Promise<{
          items: KubeObject[];
        }>,
      log: options.log,
      resyncMs: 0,
    });
  const tasks = informer('tasks');
  const agents = informer('agents');
  const access = cachedKubeAccess(inner, { tasks, agents, namespace }, options);
  const synced = Promise.all([tasks.start(), agents.start()]).then(() => undefined);
  return {
    access,
    synced,
    restarts: () => tasks.restarts + agents.restarts,
    stop() {
      tasks.stop();
      agents.stop();
    },
  };
}
