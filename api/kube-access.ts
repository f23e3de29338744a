// The Kubernetes calls the REST API makes, and nothing more: Tasks and Agents, the Pods and logs of
// a Task's Job, SubjectAccessReview, Secret names, and the Secret of a delegated child token. Every
// call is made with the controller's credentials. kube-client.ts implements it on
// @kubernetes/client-node.

import type { Readable } from 'node:stream';
import type { Identity } from './auth/index.ts';
import type { PodFacts } from './authz/index.ts';

/** A Task or Agent object as the apiserver returns it (JSON, as stored). */
export type KubeObject = Record<string, unknown> & {
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [key: string]: unknown;
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
};

export interface ListOptions {
  limit?: number;
  continueToken?: string;
  labelSelector?: string;
}

export interface ObjectList {
  items: KubeObject[];
  continueToken?: string;
  remainingItemCount?: number;
}

export interface PodSummary {
  name: string;
  phase: string;
  /** RFC 3339; the newest Pod of a Job is the one whose logs are shown */
  createdAt: string;
}

export interface AccessDecision {
  allowed: boolean;
  reason: string;
}

/** What a caller may learn about a Secret: never its values. */
export interface SecretSummary {
  name: string;
  namespace: string;
  type: string;
}

/** The resource a SubjectAccessReview asks about, in a namespace. */
export interface ResourceAccess {
  verb: string;
  group: string;
  resource: string;
}

/** A container log being followed: its text as it is written, until `stop` or the container ends. */
export interface LogFollow {
  output: Readable;
  stop(): void;
}

export interface SecretToCreate {
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  ownerReferences: {
    apiVersion: string;
    kind: string;
    name: string;
    uid: string;
    controller?: boolean;
    blockOwnerDeletion?: boolean;
  }[];
  /** Values as text; the implementation base64-encodes them */
  stringData: Record<string, string>;
}

export interface ReadOptions {
  /**
   * Read from the apiserver even when a cache could answer: for decisions that a view a few
   * milliseconds old could get wrong (binding a worker to its Task's current Job).
   */
  live?: boolean;
}

export interface KubeAccess {
  getTask(namespace: string, name: string, options?: ReadOptions): Promise<KubeObject | null>;
  listTasks(namespace: string, options: ListOptions): Promise<ObjectList>;
  createTask(namespace: string, task: KubeObject): Promise<KubeObject>;
  /** JSON merge patch of `metadata.annotations` (null removes a key). */
  patchTaskAnnotations(
    namespace: string,
    name: string,
    annotations: Record<string, string | null>,
  ): Promise<KubeObject>;
  /** Returns false when the Task did not exist. */
  deleteTask(namespace: string, name: string): Promise<boolean>;
  getAgent(namespace: string, name: string, options?: ReadOptions): Promise<KubeObject | null>;
  listAgents(namespace: string): Promise<KubeObject[]>;
  getPod(
    namespace: string,
    name: string,
  ): Promise<(PodFacts & { labels: Record<string, string> }) | null>;
  listJobPods(namespace: string, jobName: string): Promise<PodSummary[]>;
  readPodLog(namespace: string, pod: string, container: string, tailLines: number): Promise<string>;
  /** Follows a container's log from its last `tailLines` lines (client-node `Log`, follow). */
  followPodLog(
    namespace: string,
    pod: string,
    container: string,
    tailLines: number,
  ): Promise<LogFollow>;
  /** SubjectAccessReview: may `identity` create Tasks in `namespace`? */
  canCreateTasks(identity: Identity, namespace: string): Promise<AccessDecision>;
  /** SubjectAccessReview: may `identity` do `access` in `namespace`? */
  reviewAccess(
    identity: Identity,
    namespace: string,
    access: ResourceAccess,
  ): Promise<AccessDecision>;
  createAgent(namespace: string, agent: KubeObject): Promise<KubeObject>;
  /**
   * JSON merge patch of an Agent. A `metadata.resourceVersion` in the patch makes it conditional:
   * KubeError 409 when the Agent changed since; 404 when it does not exist.
   */
  patchAgent(namespace: string, name: string, patch: Record<string, unknown>): Promise<KubeObject>;
  /** Returns false when the Agent did not exist. */
  deleteAgent(namespace: string, name: string): Promise<boolean>;
  /** Secrets of the namespace without their values, ServiceAccount-token Secrets left out. */
  listSecrets(namespace: string): Promise<SecretSummary[]>;
  createSecret(namespace: string, secret: SecretToCreate): Promise<void>;
  /** Whether the apiserver answers, for `/readyz`. */
  isReachable(): Promise<boolean>;
}

/**
 * A refusal from the apiserver: its HTTP status and Status message. The message is the
 * apiserver's own text about the object (never a credential).
 */
export class KubeError extends Error {
  readonly status: number;
  readonly reason: string;
  constructor(status: number, reason: string, message: string) {
    super(message);
    this.name = 'KubeError';
    this.status = status;
    this.reason = reason;
  }
}
