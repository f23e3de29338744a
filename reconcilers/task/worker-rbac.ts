// The per-namespace identity of worker Pods (DESIGN §6): ServiceAccount `orka-worker` and a
// RoleBinding (never a ClusterRoleBinding) to the worker ClusterRole, created on demand.
import type { CoreV1Api, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { LABEL_MANAGED_BY, MANAGED_BY_ORKA } from '../../resources/labels.ts';
import { WORKER_SERVICE_ACCOUNT } from '../job/index.ts';
import { statusCode } from '../runtime/kube.ts';

export const DEFAULT_WORKER_CLUSTER_ROLE = 'orka-worker';

export interface WorkerRbac {
  /** Makes sure the namespace has the worker ServiceAccount and RoleBinding. */
  ensure(namespace: string): Promise<void>;
}

const ignoreExisting = (error: unknown) => {
  if (statusCode(error) !== 409) throw error;
};

export function workerRbac(
  core: CoreV1Api,
  rbac: RbacAuthorizationV1Api,
  clusterRole: string = DEFAULT_WORKER_CLUSTER_ROLE,
): WorkerRbac {
  const ready = new Set<string>();
  const labels = { [LABEL_MANAGED_BY]: MANAGED_BY_ORKA };
  return {
    async ensure(namespace) {
      if (ready.has(namespace)) return;
      await core
        .createNamespacedServiceAccount({
          namespace,
          body: { metadata: { name: WORKER_SERVICE_ACCOUNT, namespace, labels } },
        })
        .catch(ignoreExisting);
      await rbac
        .createNamespacedRoleBinding({
          namespace,
          body: {
            metadata: { name: WORKER_SERVICE_ACCOUNT, namespace, labels },
            roleRef: {
              apiGroup: 'rbac.authorization.k8s.io',
              kind: 'ClusterRole',
              name: clusterRole,
            },
            subjects: [{ kind: 'ServiceAccount', name: WORKER_SERVICE_ACCOUNT, namespace }],
          },
        })
        .catch(ignoreExisting);
      ready.add(namespace);
    },
  };
}
