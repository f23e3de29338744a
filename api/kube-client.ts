// KubeAccess on @kubernetes/client-node, with the controller's KubeConfig. Failures become
// KubeError carrying the apiserver's status and Status message; 404 on a read becomes null.
import {
  AuthorizationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type V1Pod,
} from '@kubernetes/client-node';
import { CORE_GROUP, VERSION } from '../resources/kinds.ts';
import type { Identity } from './auth/index.ts';
import type {
  AccessDecision,
  KubeAccess,
  KubeObject,
  ObjectList,
  PodSummary,
  ResourceAccess,
} from './kube-access.ts';
import { AGENTS, agentWrites } from './kube-agent-writes.ts';
import { orNull, rethrowing } from './kube-calls.ts';
import { followPodLog } from './kube-log-follow.ts';
import { listSecretSummaries } from './kube-secrets.ts';

const TASKS = { group: CORE_GROUP, version: VERSION, plural: 'tasks' };

function podSummary(pod: V1Pod): PodSummary {
  return {
    name: pod.metadata?.name ?? '',
    phase: pod.status?.phase ?? '',
    createdAt: pod.metadata?.creationTimestamp
      ? new Date(pod.metadata.creationTimestamp).toISOString()
      : '',
  };
}

export interface KubeClientOptions {
  /** Where `/readyz` probes with a one-item list ("" = cluster-wide). */
  readinessNamespace?: string;
}

export function kubernetesAccess(
  kubeConfig: KubeConfig,
  options: KubeClientOptions = {},
): KubeAccess {
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const authorization = kubeConfig.makeApiClient(AuthorizationV1Api);

  async function reviewAccess(
    identity: Identity,
    namespace: string,
    access: ResourceAccess,
  ): Promise<AccessDecision> {
    const review = await rethrowing(
      authorization.createSubjectAccessReview({
        body: {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SubjectAccessReview',
          spec: {
            user: identity.username,
            groups: [...identity.groups],
            ...(identity.uid ? { uid: identity.uid } : {}),
            ...(Object.keys(identity.extra).length > 0 ? { extra: { ...identity.extra } } : {}),
            resourceAttributes: { namespace, version: VERSION, ...access },
          },
        },
      }),
    );
    return {
      allowed: review.status?.allowed === true && review.status?.denied !== true,
      reason: review.status?.reason ?? '',
    };
  }

  return {
    async getTask(namespace, name) {
      return (await orNull(
        custom.getNamespacedCustomObject({ ...TASKS, namespace, name }),
      )) as KubeObject | null;
    },
    async listTasks(namespace, list) {
      const result = (await rethrowing(
        custom.listNamespacedCustomObject({
          ...TASKS,
          namespace,
          ...(list.limit !== undefined ? { limit: list.limit } : {}),
          ...(list.continueToken ? { _continue: list.continueToken } : {}),
          ...(list.labelSelector ? { labelSelector: list.labelSelector } : {}),
        }),
      )) as { items?: KubeObject[]; metadata?: { continue?: string; remainingItemCount?: number } };
      const out: ObjectList = { items: result.items ?? [] };
      if (result.metadata?.continue) out.continueToken = result.metadata.continue;
      if (typeof result.metadata?.remainingItemCount === 'number') {
        out.remainingItemCount = result.metadata.remainingItemCount;
      }
      return out;
    },
    async createTask(namespace, task) {
      return (await rethrowing(
        custom.createNamespacedCustomObject({ ...TASKS, namespace, body: task }),
      )) as KubeObject;
    },
    async patchTaskAnnotations(namespace, name, annotations) {
      return (await rethrowing(
        custom.patchNamespacedCustomObject(
          { ...TASKS, namespace, name, body: { metadata: { annotations } } },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        ),
      )) as KubeObject;
    },
    async deleteTask(namespace, name) {
      const deleted = await orNull(
        custom.deleteNamespacedCustomObject({ ...TASKS, namespace, name }),
      );
      return deleted !== null;
    },
    async getAgent(namespace, name) {
      return (await orNull(
        custom.getNamespacedCustomObject({ ...AGENTS, namespace, name }),
      )) as KubeObject | null;
    },
    async listAgents(namespace) {
      const result = (await rethrowing(
        custom.listNamespacedCustomObject({ ...AGENTS, namespace }),
      )) as { items?: KubeObject[] };
      return result.items ?? [];
    },
    async getPod(namespace, name) {
      const pod = await orNull(core.readNamespacedPod({ namespace, name }));
      if (pod === null) return null;
      return {
        name: pod.metadata?.name ?? '',
        namespace: pod.metadata?.namespace ?? '',
        uid: pod.metadata?.uid ?? '',
        serviceAccountName: pod.spec?.serviceAccountName ?? '',
        ownerReferences: (pod.metadata?.ownerReferences ?? []).map((owner) => ({
          apiVersion: owner.apiVersion,
          kind: owner.kind,
          name: owner.name,
          controller: owner.controller,
        })),
        labels: pod.metadata?.labels ?? {},
      };
    },
    async listJobPods(namespace, jobName) {
      const pods = await rethrowing(
        core.listNamespacedPod({ namespace, labelSelector: `job-name=${jobName}` }),
      );
      return pods.items.map(podSummary);
    },
    async readPodLog(namespace, pod, container, tailLines) {
      return await rethrowing(
        core.readNamespacedPodLog({ namespace, name: pod, container, tailLines }),
      );
    },
    canCreateTasks(identity, namespace) {
      return reviewAccess(identity, namespace, {
        verb: 'create',
        group: CORE_GROUP,
        resource: 'tasks',
      });
    },
    reviewAccess,
    ...agentWrites(custom),
    listSecrets: (namespace) => listSecretSummaries(core, namespace),
    followPodLog: (namespace, pod, container, tailLines) =>
      followPodLog(kubeConfig, namespace, pod, container, tailLines),
    async createSecret(namespace, secret) {
      await rethrowing(
        core.createNamespacedSecret({
          namespace,
          body: {
            apiVersion: 'v1',
            kind: 'Secret',
            type: 'Opaque',
            metadata: {
              name: secret.name,
              namespace,
              labels: secret.labels,
              annotations: secret.annotations,
              ownerReferences: secret.ownerReferences,
            },
            data: Object.fromEntries(
              Object.entries(secret.stringData).map(([key, value]) => [
                key,
                Buffer.from(value, 'utf8').toString('base64'),
              ]),
            ),
          },
        }),
      );
    },
    async isReachable() {
      try {
        if (options.readinessNamespace) {
          await custom.listNamespacedCustomObject({
            ...TASKS,
            namespace: options.readinessNamespace,
            limit: 1,
          });
        } else {
          await custom.listClusterCustomObject({ ...TASKS, limit: 1 });
        }
        return true;
      } catch {
        return false;
      }
    },
  };
}
