// With cluster access the webhook keeps informer caches (list + watch) of Agents, Namespaces and
// AdmissionPolicies: lookups are then in-memory per request, and a changed AdmissionPolicy is in
// force as soon as its watch event arrives. An informer that errors is restarted after a pause.
// The ConfigMaps policies name in paramRef are cached too (params-cache.ts): a changed set of
// cluster policies is put in force once the ConfigMaps it newly names are listed, so a new policy
// never sees its params as missing only because their watch had not started; the file policies'
// refs are followed when the store's policies change (checked every FOLLOW_FILES_MS).
import {
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  makeInformer,
} from '@kubernetes/client-node';
import type { KubeObject } from '../policy/chain/request.ts';
import type { AdmissionLookups } from './lookups.ts';
import { ParamsCache, paramRefOfDocument, paramRefsOf } from './params-cache.ts';
import type { PolicyLogger, PolicyStore } from './policies.ts';

const RESTART_MS = 3000;
const FOLLOW_FILES_MS = 2000;

export interface ClusterLookups {
  lookups: AdmissionLookups;
  /** the params ConfigMaps being watched */
  params: ParamsCache;
  stop(): Promise<void>;
}

export async function startClusterLookups(
  kubeConfig: KubeConfig,
  store: PolicyStore,
  logger: PolicyLogger,
): Promise<ClusterLookups> {
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const listCustom = (group: string, plural: string) => async () =>
    (await custom.listClusterCustomObject({
      group,
      version: 'v1alpha1',
      plural,
    })) as KubernetesListObject<KubernetesObject>;

  const agents = makeInformer(
    kubeConfig,
    '/apis/core.orka.ai/v1alpha1/agents',
    listCustom('core.orka.ai', 'agents'),
  );
  const namespaces = makeInformer(
    kubeConfig,
    '/api/v1/namespaces',
    async () => (await core.listNamespace()) as KubernetesListObject<KubernetesObject>,
  );
  const policies = makeInformer(
    kubeConfig,
    '/apis/policy.orka.ai/v1alpha1/admissionpolicies',
    listCustom('policy.orka.ai', 'admissionpolicies'),
  );
  const informers = { agents, namespaces, policies };
  let stopped = false;
  const synced = new Set<string>();
  for (const [name, informer] of Object.entries(informers)) {
    informer.on('connect', () => synced.add(name));
    informer.on('error', (error: unknown) => {
      synced.delete(name);
      logger.warn(
        { informer: name, error: (error as Error)?.message },
        'informer failed; restarting',
      );
      if (!stopped)
        setTimeout(() => void informer.start().catch(() => undefined), RESTART_MS).unref();
    });
  }

  const params = new ParamsCache(kubeConfig, logger);
  const namedParams = (documents: readonly unknown[]) => [
    ...paramRefsOf(store.policies.validate.custom),
    ...documents.flatMap((document) => paramRefOfDocument(document) ?? []),
  ];
  // one change at a time, in order: a later policy set never overtakes an earlier one
  let changes = Promise.resolve();
  const serially = (change: () => Promise<void>) => {
    changes = changes
      .then(() => (stopped ? undefined : change()))
      .catch((error: unknown) =>
        logger.warn({ error: (error as Error)?.message }, 'cluster policies not refreshed'),
      );
    return changes;
  };
  const refreshPolicies = () =>
    serially(async () => {
      const documents = [...policies.list()];
      await params.follow(namedParams(documents));
      store.setClusterPolicies(documents);
    });
  for (const verb of ['add', 'update', 'delete'] as const) {
    policies.on(verb, () => void refreshPolicies());
  }
  let followed = store.policies;
  const followFiles = setInterval(() => {
    if (store.policies === followed) return;
    followed = store.policies;
    void serially(() => params.follow(namedParams([...policies.list()])));
  }, FOLLOW_FILES_MS);
  followFiles.unref();

  await Promise.all(Object.values(informers).map((informer) => informer.start()));
  await refreshPolicies();

  return {
    lookups: {
      agent: (namespace, name) => (agents.get(name, namespace) as KubeObject | undefined) ?? null,
      namespace: (name) => (namespaces.get(name) as KubeObject | undefined) ?? null,
      params: (ref, namespace) => params.lookup(ref, namespace),
      ready: () => synced.size === Object.keys(informers).length,
    },
    params,
    async stop() {
      stopped = true;
      clearInterval(followFiles);
      await changes;
      await params.stop();
      await Promise.all(
        Object.values(informers).map((informer) =>
          (informer as unknown as { stop(): Promise<void> }).stop(),
        ),
      );
    },
  };
}
