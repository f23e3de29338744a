// What evaluating policies yields, before the chain joins it into one admission response.

import type { CompiledPolicy } from '../admission-policy/types.ts';
import { CelBudgetExceededError, CelEvaluationError } from '../cel/errors.ts';
import { VariableCycleError } from './variables.ts';

export interface Denial {
  policy: string;
  /** without the policy prefix */
  message: string;
  reason: string;
}

/** How one policy that matched the request fared in the validate phase (for per-policy metrics). */
export interface PolicyResult {
  policy: string;
  /** the actions its failures took, after namespace overrides */
  validationActions: readonly string[];
  /** error when any expression failed to evaluate, else fail when any validation was false */
  result: 'pass' | 'fail' | 'error';
}

export interface PolicyOutcome {
  denials: Denial[];
  /** `<policy>: <message>` */
  warnings: string[];
  /** `<policy>/<key>` → value */
  auditAnnotations: Record<string, string>;
  /** one entry per policy that matched in the validate phase */
  results: PolicyResult[];
}

export const emptyOutcome = (): PolicyOutcome => ({
  denials: [],
  warnings: [],
  auditAnnotations: {},
  results: [],
});

export function mergeOutcome(into: PolicyOutcome, from: PolicyOutcome): void {
  // most policies add one result and nothing else: skip the empty parts without allocating
  if (from.denials.length > 0) into.denials.push(...from.denials);
  if (from.warnings.length > 0) into.warnings.push(...from.warnings);
  if (from.results.length > 0) into.results.push(...from.results);
  for (const key in from.auditAnnotations) {
    if (Object.hasOwn(from.auditAnnotations, key) && !Object.hasOwn(into.auditAnnotations, key)) {
      into.auditAnnotations[key] = from.auditAnnotations[key]!;
    }
  }
}

/**
 * A message for an evaluation error that is safe to return and log: engine errors carry only the
 * author's expression text; anything else (a bug, a library surprise) is reported generically.
 */
export function describeEvaluationError(error: unknown, path: string): string {
  if (error instanceof CelBudgetExceededError) return `${path}: ${error.message}`;
  if (error instanceof CelEvaluationError || error instanceof VariableCycleError) {
    return `${path}: evaluation error: ${error.message}`;
  }
  return `${path}: evaluation error: ${error instanceof Error ? error.name : 'unknown error'}`;
}

/** A failed check (or an error under failurePolicy Fail) routed through validationActions. */
export function recordFailure(
  outcome: PolicyOutcome,
  policy: CompiledPolicy,
  failure: { message: string; reason: string; index: number },
): void {
  for (const action of policy.validationActions) {
    if (action === 'Deny') {
      outcome.denials.push({
        policy: policy.name,
        message: failure.message,
        reason: failure.reason,
      });
    } else if (action === 'Warn') {
      outcome.warnings.push(`${policy.name}: ${failure.message}`);
    } else {
      const key = `${policy.name}/validation_failure`;
      const previous = outcome.auditAnnotations[key];
      const entries: unknown[] = previous ? JSON.parse(previous) : [];
      entries.push({
        message: failure.message,
        reason: failure.reason,
        expressionIndex: failure.index,
        validationActions: policy.validationActions,
      });
      outcome.auditAnnotations[key] = JSON.stringify(entries);
    }
  }
}
