// Agent writes of the KubeAccess on client-node: create, conditional merge patch, delete.
import { type CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { CORE_GROUP, VERSION } from '../resources/kinds.ts';
import type { KubeAccess, KubeObject } from './kube-access.ts';
import { orNull, rethrowing } from './kube-calls.ts';

export const AGENTS = { group: CORE_GROUP, version: VERSION, plural: 'agents' };

export function agentWrites(
  custom: CustomObjectsApi,
): Pick<KubeAccess, 'createAgent' | 'patchAgent' | 'deleteAgent'> {
  return {
    async createAgent(namespace, agent) {
      return (await rethrowing(
        custom.createNamespacedCustomObject({ ...AGENTS, namespace, body: agent }),
      )) as KubeObject;
    },
    async patchAgent(namespace, name, patch) {
      return (await rethrowing(
        custom.patchNamespacedCustomObject(
          { ...AGENTS, namespace, name, body: patch },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        ),
      )) as KubeObject;
    },
    async deleteAgent(namespace, name) {
      const deleted = await orNull(
        custom.deleteNamespacedCustomObject({ ...AGENTS, namespace, name }),
      );
      return deleted !== null;
    },
  };
}
