// Delegation (DESIGN §8, reference §3.7), the pure part: a child Task inherits its parent's
// provenance, must fit the parent's transaction context, and may carry a child context token whose
// scope is a subset of the parent's scopes.
import { randomBytes } from 'node:crypto';
import {
  ANNOTATION_PARENT_TASK_NAME,
  ANNOTATION_TRANSACTION_TOKEN_PENDING,
  ANNOTATION_TRANSACTION_TOKEN_PENDING_SINCE,
  ANNOTATION_TRANSACTION_TOKEN_SECRET,
  LABEL_PARENT_TASK,
  MANAGED_ANNOTATION_KEYS,
  MANAGED_LABEL_KEYS,
  selectorValue,
} from '../resources/labels.ts';
import type { ContextTokenClaims, JsonObject, JsonValue } from './auth/index.ts';
import { type TaskAuthzSubject, type TaskTransaction, taskContextFailures } from './authz/index.ts';
import type { KubeObject } from './kube-access.ts';

const TOKEN_ANNOTATIONS: readonly string[] = [
  ANNOTATION_TRANSACTION_TOKEN_SECRET,
  ANNOTATION_TRANSACTION_TOKEN_PENDING,
  ANNOTATION_TRANSACTION_TOKEN_PENDING_SINCE,
];

export function parentTransaction(parent: KubeObject): TaskTransaction | null {
  const transaction = parent.spec?.transaction;
  return typeof transaction === 'object' && transaction !== null
    ? (transaction as TaskTransaction)
    : null;
}

function fields(text: string): string[] {
  return text.split(/\s+/).filter((part) => part !== '');
}

/** The subset rule of reference §3.7: null when every child scope is one of the parent's. */
export function childScopeFailure(
  childScope: string,
  parent: TaskTransaction | null,
): string | null {
  const wanted = fields(childScope);
  if (wanted.length === 0) return 'child transaction scope is required';
  const parentScopes = parent?.scopes?.length ? parent.scopes : fields(parent?.scope ?? '');
  if (parentScopes.length === 0)
    return 'parent transaction scopes are required for child token exchange';
  const missing = wanted.find((scope) => !parentScopes.includes(scope));
  return missing === undefined
    ? null
    : `child transaction scope ${JSON.stringify(missing)} is not present in parent transaction scopes`;
}

/**
 * The parent's stored `transaction.context` as tctx: list values were stored as their JSON text
 * (`["Write","Read"]`), so they are read back as lists.
 */
export function contextAsTctx(context: Record<string, string> | undefined): JsonObject {
  const tctx: JsonObject = {};
  for (const [key, value] of Object.entries(context ?? {})) {
    let parsed: JsonValue = value;
    if (value.startsWith('[')) {
      try {
        const list: unknown = JSON.parse(value);
        if (Array.isArray(list) && list.every((item) => typeof item === 'string')) parsed = list;
      } catch {
        parsed = value;
      }
    }
    tctx[key] = parsed;
  }
  return tctx;
}

/** The reference §3.7 checks of a child against its parent's transaction context. */
export function childContextFailures(
  parent: TaskTransaction | null,
  child: TaskAuthzSubject,
): string[] {
  if (parent?.context === undefined) return [];
  const failures = taskContextFailures(contextAsTctx(parent.context), child).map(
    (failure) => `child task ${failure.replace('token context', 'transaction context')}`,
  );
  return [...new Set(failures)];
}

/** Why a presented child token does not belong to this delegation, or null. */
export function childTokenFailure(
  claims: ContextTokenClaims,
  parent: TaskTransaction,
  childScope: string,
): string | null {
  if (claims.transactionId !== parent.id) {
    return 'child transaction token belongs to another transaction';
  }
  const wanted = [...new Set(fields(childScope))].sort();
  const granted = [...new Set(claims.scopes)].sort();
  if (wanted.join(' ') !== granted.join(' ')) {
    return 'child transaction token scope does not match the requested child scope';
  }
  return null;
}

/**
 * The child Task with its parent's provenance: requestedBy and transaction copied (scope
 * re-stamped to the child scope when one was exchanged), transaction labels and annotations
 * copied (never the parent's own token marks), and the parent link.
 */
export function inheritProvenance(
  child: KubeObject,
  parent: KubeObject,
  childScope: string | null,
): KubeObject {
  const spec: Record<string, unknown> = { ...child.spec };
  if (parent.spec?.requestedBy !== undefined)
    spec.requestedBy = structuredClone(parent.spec.requestedBy);
  const transaction = parentTransaction(parent);
  if (transaction !== null) {
    const copy = structuredClone(transaction);
    if (childScope !== null) {
      copy.scope = fields(childScope).join(' ');
      copy.scopes = fields(childScope);
    }
    spec.transaction = copy;
  }
  const labels: Record<string, string> = { ...child.metadata?.labels };
  for (const key of MANAGED_LABEL_KEYS) {
    const value = parent.metadata?.labels?.[key];
    if (value !== undefined) labels[key] = value;
  }
  const parentName = parent.metadata?.name ?? '';
  labels[LABEL_PARENT_TASK] = selectorValue(parentName);
  const annotations: Record<string, string> = { ...child.metadata?.annotations };
  for (const key of MANAGED_ANNOTATION_KEYS) {
    const value = parent.metadata?.annotations?.[key];
    if (value !== undefined && !TOKEN_ANNOTATIONS.includes(key)) annotations[key] = value;
  }
  annotations[ANNOTATION_PARENT_TASK_NAME] = parentName;
  return { ...child, metadata: { ...child.metadata, labels, annotations }, spec };
}

const DNS_LABEL_MAX = 63;

/** `<dns-safe parent>-txn-<hex unix nanos>-<10 hex random>`, at most 63 characters. */
export function tokenSecretName(
  parentName: string,
  nowMs: number,
  random = randomBytes(5).toString('hex'),
): string {
  const suffix = `-txn-${(BigInt(nowMs) * 1_000_000n).toString(16)}-${random}`;
  const safe = parentName
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .slice(0, DNS_LABEL_MAX - suffix.length)
    .replace(/^-+|-+$/g, '');
  return `${safe || 'task'}${suffix}`;
}
