// Mutate phase for one policy: each mutation expression returns a list of JSON-patch maps that is
// applied at once (RFC 6902, parents must exist); the next mutation sees the patched object.
// An evaluation or patch error under failurePolicy Fail denies the request with InternalError.
import type { CompiledPolicy } from '../admission-policy/types.ts';
import { toPlainJson } from '../chain/plain-json.ts';
import type { KubeObject } from '../chain/request.ts';
import { applyPatch, type PatchOperation, toPatchOperations } from '../json-patch/apply.ts';
import { describeEvaluationError, emptyOutcome, type PolicyOutcome } from './outcome.ts';
import { bindActivation, type PolicyEvaluation, preparePolicy } from './policy.ts';

export interface MutationStep {
  object: KubeObject;
  /** the operations applied, in order */
  patch: PatchOperation[];
  outcome: PolicyOutcome;
}

/** Returns why `after` may not replace `before` (e.g. it changes a provenance field), if it may not. */
export type PatchGuard = (before: KubeObject, after: KubeObject) => string | undefined;

export function mutateWithPolicy(
  policy: CompiledPolicy,
  object: KubeObject,
  evaluationFor: (object: KubeObject) => PolicyEvaluation,
  guard: PatchGuard | undefined,
): MutationStep {
  const step: MutationStep = { object, patch: [], outcome: emptyOutcome() };
  if (policy.mutations.length === 0) return step;
  const fail = (message: string, reason = 'InternalError') => {
    if (reason !== 'InternalError' || policy.failurePolicy === 'Fail') {
      step.outcome.denials.push({ policy: policy.name, message, reason });
    }
  };
  const first = evaluationFor(object);
  const prepared = preparePolicy(policy, first);
  if (prepared.kind === 'skip') return step;
  if (prepared.kind === 'error') {
    fail(prepared.message);
    return step;
  }
  const params = prepared.activation.params;
  for (const [i, mutation] of policy.mutations.entries()) {
    const evaluation = i === 0 ? first : evaluationFor(step.object);
    const activation = i === 0 ? prepared.activation : bindActivation(policy, evaluation, params);
    let operations: PatchOperation[];
    let patched: KubeObject;
    try {
      operations = toPatchOperations(
        toPlainJson(mutation.evaluate(activation, evaluation.budget)),
        mutation.path,
      );
      patched = applyPatch(step.object, operations) as KubeObject;
    } catch (error) {
      const message =
        error instanceof Error && error.name === 'JsonPatchError'
          ? `${error.message.startsWith(mutation.path) ? '' : `${mutation.path}: `}${error.message}`
          : describeEvaluationError(error, mutation.path);
      fail(message);
      continue;
    }
    if (typeof patched !== 'object' || patched === null || Array.isArray(patched)) {
      fail(`${mutation.path}: the patched document must stay an object`);
      continue;
    }
    const refusal = guard?.(step.object, patched);
    if (refusal !== undefined) {
      fail(`${mutation.path}: ${refusal}`, 'Forbidden');
      continue;
    }
    step.object = patched;
    step.patch.push(...operations);
  }
  return step;
}
