// What the webhook looks up in the cluster for one request: the Agent a Task references, the
// Namespace of the request, params objects. In-cluster these come from informer caches
// (webhooks/cluster.ts); without Kubernetes access they are null (DESIGN §11).
import type { KubeObject } from '../policy/chain/request.ts';
import type { ParamsLookup } from '../policy/evaluate/policy.ts';

export interface AdmissionLookups {
  agent(namespace: string, name: string): KubeObject | null;
  namespace(name: string): KubeObject | null;
  params?: ParamsLookup;
  /** true once the caches hold a full list */
  ready(): boolean;
}

export const NO_CLUSTER: AdmissionLookups = {
  agent: () => null,
  namespace: () => null,
  ready: () => true,
};
