// Labels and annotations of the worker Job and its Pod (reference §6.1, §3.6, §11.1; DESIGN §12 X1).
import type { Task } from '../../resources/types.ts';
import { selectorValue } from './selector-value.ts';

export const TASK_LABEL = 'orka.ai/task';
export const TASK_TYPE_LABEL = 'orka.ai/task-type';
export const WORKER_TYPE_LABEL = 'orka.ai/worker-type';
export const TRANSACTION_ID_LABEL = 'orka.ai/transaction-id';
export const AUTH_PROFILE_LABEL = 'orka.ai/auth-profile';

/** Transaction annotations and the TransactionSpec field each one carries, in stamping order. */
const TRANSACTION_ANNOTATIONS = [
  ['orka.ai/transaction-id', 'id'],
  ['orka.ai/context-token-profile', 'profile'],
  ['orka.ai/transaction-issuer', 'issuer'],
  ['orka.ai/transaction-subject', 'subject'],
  ['orka.ai/transaction-requesting-workload', 'requestingWorkload'],
  ['orka.ai/transaction-scope', 'scope'],
  ['orka.ai/transaction-context-digest', 'contextDigest'],
  ['orka.ai/requester-context-digest', 'requesterContextDigest'],
] as const;

export function workerLabels(task: Task): Record<string, string> {
  const labels: Record<string, string> = {
    [TASK_LABEL]: selectorValue(task.metadata?.name ?? ''),
    [TASK_TYPE_LABEL]: task.spec.type,
    [WORKER_TYPE_LABEL]: task.spec.type,
  };
  const transaction = task.spec.transaction;
  if (transaction?.id) labels[TRANSACTION_ID_LABEL] = selectorValue(transaction.id);
  if (transaction?.profile) labels[AUTH_PROFILE_LABEL] = selectorValue(transaction.profile);
  return labels;
}

/** The transaction annotations, each only when its value is non-empty; undefined when none. */
export function workerAnnotations(task: Task): Record<string, string> | undefined {
  const transaction = task.spec.transaction;
  if (!transaction) return undefined;
  const annotations: Record<string, string> = {};
  for (const [key, field] of TRANSACTION_ANNOTATIONS) {
    const value = transaction[field];
    if (value) annotations[key] = value;
  }
  return Object.keys(annotations).length ? annotations : undefined;
}
