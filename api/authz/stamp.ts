// Provenance stamped on a Task created through the REST API (reference §3.6, DESIGN §5): who asked
// (`spec.requestedBy`), and for context-token callers the transaction and its labels/annotations.

import {
  ANNOTATION_CONTEXT_TOKEN_PROFILE,
  ANNOTATION_REQUESTER_CONTEXT_DIGEST,
  ANNOTATION_TRANSACTION_CONTEXT_DIGEST,
  ANNOTATION_TRANSACTION_ID,
  ANNOTATION_TRANSACTION_ISSUER,
  ANNOTATION_TRANSACTION_REQUESTING_WORKLOAD,
  ANNOTATION_TRANSACTION_SCOPE,
  ANNOTATION_TRANSACTION_SUBJECT,
  LABEL_AUTH_PROFILE,
  LABEL_TRANSACTION_ID,
  selectorValue,
} from '../../resources/labels.ts';
import type { ContextTokenClaims, Identity } from '../auth/identity.ts';
import { isJsonNumber, type JsonObject, type JsonValue } from '../auth/json-literal.ts';
import { contextDigest, goJsonEncode, SET_VALUED_KEYS } from './go-json.ts';

export interface RequestedBy {
  subject?: string;
  issuer?: string;
  username?: string;
  email?: string;
  groups?: string[];
  roles?: string[];
}

export interface TaskTransaction {
  profile?: string;
  id?: string;
  issuer?: string;
  audience?: string[];
  subject?: string;
  requestingWorkload?: string;
  scope?: string;
  scopes?: string[];
  contextDigest?: string;
  requesterContextDigest?: string;
  context?: Record<string, string>;
}

export interface ProvenanceStamp {
  requestedBy: RequestedBy | null;
  transaction: TaskTransaction | null;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** tctx keys whose values are kept at any length: they are what authorization decisions read. */
const AUTHORIZATION_KEY_LIST = [
  'namespace',
  'taskType',
  'agent',
  'allowedAgents',
  'repo',
  'branch',
  'ref',
  'maxDepth',
  'allowedTools',
  'provider',
  'allowedProviders',
  'model',
  'allowedModels',
] as const;

const AUTHORIZATION_KEYS: ReadonlySet<string> = new Set(AUTHORIZATION_KEY_LIST);

/** tctx keys copied into `spec.transaction.context`, in this order. */
const CONTEXT_KEYS = ['purpose', ...AUTHORIZATION_KEY_LIST, 'e2e', 'trace_id'] as const;

const MAX_CONTEXT_VALUE = 1024;

/** Drops empty strings and empty lists, as Go's `omitempty` does. */
function compact<T extends object>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (item === undefined || item === '' || (Array.isArray(item) && item.length === 0)) continue;
    if (typeof item === 'object' && item !== null && !Array.isArray(item)) {
      if (Object.keys(item).length === 0) continue;
    }
    out[key] = item;
  }
  return out as T;
}

function renderContextValue(key: string, value: JsonValue): string | null {
  if (typeof value === 'string') return value === '' ? null : value;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (isJsonNumber(value)) return value.literal;
  if (Array.isArray(value)) {
    if (value.length === 0) return SET_VALUED_KEYS.has(key) ? '[]' : null;
    const scalars = value.every(
      (item) => typeof item === 'string' || typeof item === 'boolean' || isJsonNumber(item),
    );
    return scalars ? goJsonEncode(value) : null;
  }
  return null;
}

/** The allowlisted, rendered tctx entries for `spec.transaction.context`. */
export function transactionContext(tctx: JsonObject | null): Record<string, string> {
  const out: Record<string, string> = {};
  if (tctx === null) return out;
  for (const key of CONTEXT_KEYS) {
    const value = tctx[key];
    if (value === undefined) continue;
    const rendered = renderContextValue(key, value);
    if (rendered === null) continue;
    if (rendered.length > MAX_CONTEXT_VALUE && !AUTHORIZATION_KEYS.has(key)) continue;
    out[key] = rendered;
  }
  return out;
}

function transactionOf(claims: ContextTokenClaims): TaskTransaction {
  return compact({
    profile: claims.profile,
    id: claims.transactionId,
    issuer: claims.issuer,
    audience: [...claims.audience],
    subject: claims.subject,
    requestingWorkload: claims.requestingWorkload,
    scope: claims.scope,
    scopes: [...claims.scopes],
    contextDigest: contextDigest(claims.tctx),
    requesterContextDigest: contextDigest(claims.rctx),
    context: transactionContext(claims.tctx),
  });
}

function transactionMetadata(
  transaction: TaskTransaction,
): Pick<ProvenanceStamp, 'labels' | 'annotations'> {
  const labels: Record<string, string> = {};
  const annotations: Record<string, string> = {};
  const id = selectorValue(transaction.id ?? '');
  if (id !== '') labels[LABEL_TRANSACTION_ID] = id;
  if (transaction.profile) labels[LABEL_AUTH_PROFILE] = transaction.profile;
  const values: [string, string | undefined][] = [
    [ANNOTATION_TRANSACTION_ID, transaction.id],
    [ANNOTATION_CONTEXT_TOKEN_PROFILE, transaction.profile],
    [ANNOTATION_TRANSACTION_ISSUER, transaction.issuer],
    [ANNOTATION_TRANSACTION_SUBJECT, transaction.subject],
    [ANNOTATION_TRANSACTION_REQUESTING_WORKLOAD, transaction.requestingWorkload],
    [ANNOTATION_TRANSACTION_SCOPE, transaction.scope],
    [ANNOTATION_TRANSACTION_CONTEXT_DIGEST, transaction.contextDigest],
    [ANNOTATION_REQUESTER_CONTEXT_DIGEST, transaction.requesterContextDigest],
  ];
  for (const [key, value] of values) if (value) annotations[key] = value;
  return { labels, annotations };
}

/** What the API writes onto a Task it creates for `identity`. */
export function provenanceStamp(identity: Identity): ProvenanceStamp {
  switch (identity.authType) {
    case 'serviceAccount':
      return {
        requestedBy: compact({ username: identity.username, groups: [...identity.groups] }),
        transaction: null,
        labels: {},
        annotations: {},
      };
    case 'oidc':
      return {
        requestedBy: compact({
          subject: identity.subject,
          issuer: identity.issuer,
          username: identity.username,
          email: identity.email,
          groups: [...identity.groups],
          roles: [...identity.roles],
        }),
        transaction: null,
        labels: {},
        annotations: {},
      };
    case 'contextToken': {
      const claims = identity.contextToken;
      if (claims === null) throw new Error('context-token identity without its claims');
      const transaction = transactionOf(claims);
      return {
        requestedBy: compact({
          subject: claims.subject,
          issuer: claims.issuer,
          username: claims.subject || claims.requestingWorkload,
          roles: [...claims.scopes],
        }),
        transaction,
        ...transactionMetadata(transaction),
      };
    }
  }
}

export interface StampableTask {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
}

/**
 * A copy of `task` carrying the stamp. Client-supplied provenance never reaches here (the REST
 * guard of reference §2.3 rejects it first), so the stamp simply overwrites.
 */
export function applyProvenanceStamp<T extends StampableTask>(
  task: T,
  stamp: ProvenanceStamp,
): T & { spec: { requestedBy?: RequestedBy; transaction?: TaskTransaction } } {
  const spec: Record<string, unknown> = { ...task.spec };
  if (stamp.requestedBy !== null) spec.requestedBy = stamp.requestedBy;
  if (stamp.transaction !== null) spec.transaction = stamp.transaction;
  const labels = { ...task.metadata?.labels, ...stamp.labels };
  const annotations = { ...task.metadata?.annotations, ...stamp.annotations };
  return {
    ...task,
    metadata: {
      ...task.metadata,
      ...(Object.keys(labels).length > 0 ? { labels } : {}),
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
    },
    spec,
  };
}
