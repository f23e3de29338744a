// Labels and annotations of the worker Job and its Pod (reference §6.1, §3.6, §11.1; DESIGN §12 X1).
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
  LABEL_TASK,
  LABEL_TASK_TYPE,
  LABEL_TRANSACTION_ID,
  LABEL_WORKER_TYPE,
  selectorValue,
} from '../../resources/labels.ts';
import type { Task, TransactionSpec } from '../../resources/types.ts';

/** Transaction annotations and the TransactionSpec field each one carries. */
const TRANSACTION_ANNOTATIONS: readonly [string, keyof TransactionSpec][] = [
  [ANNOTATION_TRANSACTION_ID, 'id'],
  [ANNOTATION_CONTEXT_TOKEN_PROFILE, 'profile'],
  [ANNOTATION_TRANSACTION_ISSUER, 'issuer'],
  [ANNOTATION_TRANSACTION_SUBJECT, 'subject'],
  [ANNOTATION_TRANSACTION_REQUESTING_WORKLOAD, 'requestingWorkload'],
  [ANNOTATION_TRANSACTION_SCOPE, 'scope'],
  [ANNOTATION_TRANSACTION_CONTEXT_DIGEST, 'contextDigest'],
  [ANNOTATION_REQUESTER_CONTEXT_DIGEST, 'requesterContextDigest'],
];

/**
 * The Task's labels on its Job and Pod; the transaction ones are derived from `spec.transaction`
 * (immutable) exactly as the REST API stamps them on the Task.
 */
export function workerLabels(task: Task): Record<string, string> {
  const labels: Record<string, string> = {
    [LABEL_TASK]: selectorValue(task.metadata?.name ?? ''),
    [LABEL_TASK_TYPE]: task.spec.type,
    [LABEL_WORKER_TYPE]: task.spec.type,
  };
  const transaction = task.spec.transaction;
  if (transaction?.id) labels[LABEL_TRANSACTION_ID] = selectorValue(transaction.id);
  if (transaction?.profile) labels[LABEL_AUTH_PROFILE] = selectorValue(transaction.profile);
  return labels;
}

/** The transaction annotations, each only when its value is non-empty; undefined when none. */
export function workerAnnotations(task: Task): Record<string, string> | undefined {
  const transaction = task.spec.transaction;
  if (!transaction) return undefined;
  const annotations: Record<string, string> = {};
  for (const [key, field] of TRANSACTION_ANNOTATIONS) {
    const value = transaction[field];
    if (typeof value === 'string' && value) annotations[key] = value;
  }
  return Object.keys(annotations).length ? annotations : undefined;
}
