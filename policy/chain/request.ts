// One admission request as the chain sees it: what the apiserver sends in an AdmissionReview,
// already decoded (objects with integers as BigInt, see policy/cel/json.ts).
import type { Operation } from '../match/resource-rules.ts';

export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export interface GroupVersionResource {
  group: string;
  version: string;
  resource: string;
}

export type KubeObject = Record<string, unknown>;

export interface AdmissionInput {
  operation: Operation;
  /** the new object; null on DELETE */
  object: KubeObject | null;
  /** the existing object; null on CREATE */
  oldObject: KubeObject | null;
  kind: GroupVersionKind;
  resource: GroupVersionResource;
  subResource: string;
  name: string;
  /** empty for cluster-scoped resources */
  namespace: string;
  dryRun: boolean;
  userInfo: UserInfo;
}
