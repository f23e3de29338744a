// Label, annotation and finalizer keys (reference §11.1 and §2.2, DESIGN §12 X1) and the
// SelectorValue normaliser of reference §6.1.
import { createHash } from 'node:crypto';

export const FINALIZER_CLEANUP = 'orka.ai/cleanup';

export const LABEL_TASK = 'orka.ai/task';
export const LABEL_TASK_TYPE = 'orka.ai/task-type';
/** DESIGN §12 X1: the seeds' troubleshooting selects worker Pods by this label. */
export const LABEL_WORKER_TYPE = 'orka.ai/worker-type';
export const LABEL_JOB_NAME = 'job-name';
export const LABEL_TRANSACTION_ID = 'orka.ai/transaction-id';
export const LABEL_AUTH_PROFILE = 'orka.ai/auth-profile';
export const LABEL_PARENT_TASK = 'orka.ai/parent-task';
export const LABEL_CREATED_BY = 'orka.ai/created-by';
export const LABEL_PURPOSE = 'orka.ai/purpose';
export const LABEL_MANAGED = 'orka.ai/managed';
export const LABEL_MANAGED_BY = 'orka.ai/managed-by';

export const ANNOTATION_TRANSACTION_ID = 'orka.ai/transaction-id';
export const ANNOTATION_CONTEXT_TOKEN_PROFILE = 'orka.ai/context-token-profile';
export const ANNOTATION_TRANSACTION_ISSUER = 'orka.ai/transaction-issuer';
export const ANNOTATION_TRANSACTION_SUBJECT = 'orka.ai/transaction-subject';
export const ANNOTATION_TRANSACTION_REQUESTING_WORKLOAD = 'orka.ai/transaction-requesting-workload';
export const ANNOTATION_TRANSACTION_SCOPE = 'orka.ai/transaction-scope';
export const ANNOTATION_TRANSACTION_CONTEXT_DIGEST = 'orka.ai/transaction-context-digest';
export const ANNOTATION_REQUESTER_CONTEXT_DIGEST = 'orka.ai/requester-context-digest';
export const ANNOTATION_TRANSACTION_TOKEN_SECRET = 'orka.ai/transaction-token-secret';
export const ANNOTATION_TRANSACTION_TOKEN_PENDING = 'orka.ai/transaction-token-pending';
export const ANNOTATION_TRANSACTION_TOKEN_PENDING_SINCE = 'orka.ai/transaction-token-pending-since';
export const ANNOTATION_PARENT_TASK_NAME = 'orka.ai/parent-task-name';
export const ANNOTATION_COORDINATION_DEPTH = 'orka.ai/coordination-depth';

/** Values of the labels above. */
export const WORKER_TYPE_AGENT = 'agent';
export const CREATED_BY_CREATE_AGENT = 'create_agent';
export const PURPOSE_SKILLS = 'skills';
export const MANAGED_BY_ORKA = 'orka';

/** Provenance labels only trusted writers may set (reference §2.2), in the order denials list them. */
export const MANAGED_LABEL_KEYS: readonly string[] = [LABEL_TRANSACTION_ID, LABEL_AUTH_PROFILE];

/** Provenance annotations only trusted writers may set (reference §2.2), in order. */
export const MANAGED_ANNOTATION_KEYS: readonly string[] = [
  ANNOTATION_TRANSACTION_ID,
  ANNOTATION_CONTEXT_TOKEN_PROFILE,
  ANNOTATION_TRANSACTION_ISSUER,
  ANNOTATION_TRANSACTION_SUBJECT,
  ANNOTATION_TRANSACTION_REQUESTING_WORKLOAD,
  ANNOTATION_TRANSACTION_SCOPE,
  ANNOTATION_TRANSACTION_CONTEXT_DIGEST,
  ANNOTATION_REQUESTER_CONTEXT_DIGEST,
  ANNOTATION_TRANSACTION_TOKEN_SECRET,
  ANNOTATION_TRANSACTION_TOKEN_PENDING,
  ANNOTATION_TRANSACTION_TOKEN_PENDING_SINCE,
];

const MAX_LABEL_VALUE = 63;
const HASHED_PREFIX = 50;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export function isValidLabelValue(value: string): boolean {
  return value.length <= MAX_LABEL_VALUE && LABEL_VALUE.test(value);
}

const trimNonAlphanumeric = (value: string) => value.replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');

/**
 * A label value that selects `value` (reference §6.1): the trimmed value when it is already a
 * valid label value; else lowercased with characters outside [a-z0-9-_.] turned into '-' and
 * non-alphanumerics trimmed from both ends ('label' when nothing is left); when that is still
 * longer than 63, its first 50 characters (trimmed again), '-', and the first 12 hex digits of
 * the SHA-256 of the trimmed value — so distinct long values stay distinct.
 */
export function selectorValue(value: string): string {
  const trimmed = value.trim();
  if (isValidLabelValue(trimmed)) return trimmed;
  const normalised =
    trimNonAlphanumeric(trimmed.toLowerCase().replace(/[^a-z0-9\-_.]/g, '-')) || 'label';
  if (normalised.length <= MAX_LABEL_VALUE) return normalised;
  const digest = createHash('sha256').update(trimmed).digest('hex').slice(0, 12);
  const prefix = trimNonAlphanumeric(normalised.slice(0, HASHED_PREFIX)) || 'label';
  return `${prefix}-${digest}`;
}
