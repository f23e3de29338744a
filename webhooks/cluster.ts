// With cluster access the webhook keeps informer caches (list + watch) of Agents, Namespaces and
// AdmissionPolicies: lookups are then in-memory per request, and a changed AdmissionPolicy is in
// force as soon as its watch event arrives. An informer that errors is restarted after a pause.
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
import type { PolicyLogger, PolicyStore } from './policies.ts';

const RESTART_MS = 3000;

export interface ClusterLookups {
  lookups: AdmissionLookups;
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
  const refreshPolicies = () => store.setClusterPolicies([...policies.list()]);
  for (const verb of ['add', 'update', 'delete'] as const) policies.on(verb, refreshPolicies);

  await Promise.all(Object.values(informers).map((informer) => informer.start()));
  refreshPolicies();

  return {
    lookups: {
      agent: (namespace, name) => (agents.get(name, namespace) as KubeObject | undefined) ?? null,
      namespace: (name) => (namespaces.get(name) as KubeObject | undefined) ?? null,
      ready: () => synced.size === Object.keys(informers).length,
    },
    async stop() {
      stopped = true;
      await Promise.all(
        Object.values(informers).map((informer) =>
          (informer as unknown as { stop(): Promise<void> }).stop(),
        ),
      );
    },
  };
}
