// Secret names and types of a namespace for the API's secrets listing. The apiserver sends values
// with every list; they are dropped here, so nothing above this file ever holds them.
import type { CoreV1Api } from '@kubernetes/client-node';
import type { SecretSummary } from './kube-access.ts';
import { rethrowing } from './kube-calls.ts';

/** Token Secrets of ServiceAccounts: credentials of the cluster, not of the caller's Agents. */
export const SERVICE_ACCOUNT_TOKEN_TYPE = 'kubernetes.io/service-account-token';

export async function listSecretSummaries(
  core: CoreV1Api,
  namespace: string,
): Promise<SecretSummary[]> {
  const list = await rethrowing(core.listNamespacedSecret({ namespace }));
  return list.items
    .filter((secret) => secret.type !== SERVICE_ACCOUNT_TOKEN_TYPE)
    .map((secret) => ({
      name: secret.metadata?.name ?? '',
      namespace: secret.metadata?.namespace ?? namespace,
      type: secret.type ?? 'Opaque',
    }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
