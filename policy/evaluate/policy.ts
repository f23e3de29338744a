// One policy against one request with ValidatingAdmissionPolicy semantics: matchConstraints,
// params, matchConditions (any false skips; an error follows failurePolicy), lazy variables, then
// validations and audit annotations (validate phase) or mutations (mutate phase).
import type {
  Activation,
  CompiledPolicy,
  EvaluationBudget,
  ParamRef,
} from '../admission-policy/types.ts';
import { createCelBudget } from '../cel/engine.ts';
import { toCelValue } from '../cel/json.ts';
import type { AdmissionInput, KubeObject } from '../chain/request.ts';
import { constraintsMatch } from './matching.ts';
import {
  describeEvaluationError,
  emptyOutcome,
  mergeOutcome,
  type PolicyOutcome,
  recordFailure,
} from './outcome.ts';
import { type PolicyTrace, type PolicyTracer, unmatchedConstraint } from './trace.ts';
import { PolicyVariables } from './variables.ts';

/** Finds the object a paramRef names (a ConfigMap); undefined when it does not exist. */
export type ParamsLookup = (ref: ParamRef, namespace: string) => unknown;

export interface PolicyEvaluation {
  input: AdmissionInput;
  /** object, oldObject, request, requester, agent, effective, tctx, config, namespaceObject */
  activation: Activation;
  namespaceObject: KubeObject | null;
  lookupParams: ParamsLookup | undefined;
  budget: EvaluationBudget;
  /** explain mode: receives what the validate phase found out about each policy */
  tracer?: PolicyTracer;
}

export type Preparation =
  | { kind: 'skip' }
  | { kind: 'error'; message: string }
  | { kind: 'ready'; activation: Activation };

/** `variables` of a policy that declares none, and of a request activation no policy bound yet. */
export const NO_VARIABLES: Readonly<Record<string, unknown>> = Object.freeze(Object.create(null));

/**
 * The activation of one policy: the request's activation with this policy's params and lazy
 * variables put in its `params` and `variables`. Policies are evaluated one after the other, so
 * each binds the request's one activation in turn instead of copying it: a copy per policy was a
 * fifth of what a custom policy cost a review. Whatever reads a policy's activation does so before
 * the next policy binds (the fast path, the interpreter and the lazy variables all run inside the
 * policy's own evaluation).
 */
export function bindActivation(
  policy: CompiledPolicy,
  evaluation: PolicyEvaluation,
  params: unknown,
): Activation {
  const activation = evaluation.activation;
  activation.params = params;
  activation.variables =
    policy.variables.length > 0
      ? new PolicyVariables(policy.variables, activation, evaluation.budget)
      : NO_VARIABLES;
  return activation;
}

/** A policy that does not apply to the request (matchConstraints or a matchCondition). */
const SKIPPED = Symbol('skipped');

/** Why a matched policy cannot be evaluated (params not found, a matchCondition failed). */
class PreparationError {
  constructor(readonly message: string) {}
}

/**
 * The policy's params, SKIPPED, or a PreparationError: what matchPolicy finds out. Internal forms
 * without a wrapper object, as they run for every policy of every request.
 */
type Matching = unknown;

/** The params of a policy that matched: null without params, PreparationError when not found. */
function paramsFor(policy: CompiledPolicy, evaluation: PolicyEvaluation): unknown {
  if (!policy.params) return null;
  if ('inline' in policy.params) return policy.params.inline;
  const ref = policy.params.ref;
  const namespace = ref.namespace ?? evaluation.input.namespace;
  const value = evaluation.lookupParams?.(ref, namespace);
  return value === undefined || value === null
    ? new PreparationError(`spec.paramRef: params ConfigMap "${namespace}/${ref.name}" not found`)
    : toCelValue(value);
}

/** matchConstraints and params: everything about a policy that needs no evaluation. */
function matchPolicy(
  policy: CompiledPolicy,
  evaluation: PolicyEvaluation,
  trace: PolicyTrace | undefined,
): Matching {
  if (!constraintsMatch(policy.matchConstraints, evaluation.input, evaluation.namespaceObject)) {
    if (trace) {
      trace.skippedBy = unmatchedConstraint(
        policy.matchConstraints,
        evaluation.input,
        evaluation.namespaceObject,
      );
    }
    return SKIPPED;
  }
  return paramsFor(policy, evaluation);
}

/** The policy's activation, SKIPPED, or a PreparationError: preparePolicy without wrappers. */
function prepare(
  policy: CompiledPolicy,
  evaluation: PolicyEvaluation,
  trace: PolicyTrace | undefined,
): Activation | typeof SKIPPED | PreparationError {
  const matching = matchPolicy(policy, evaluation, trace);
  if (matching === SKIPPED || matching instanceof PreparationError) return matching;
  const activation = bindActivation(policy, evaluation, matching);
  let errorMessage: string | undefined;
  const conditions = policy.matchConditions;
  for (let i = 0; i < conditions.length; i++) {
    const condition = conditions[i]!;
    try {
      const value = condition.expression.evaluate(activation, evaluation.budget);
      if (value !== true) {
        if (trace) {
          trace.skippedBy = {
            constraint: 'matchCondition',
            detail: `matchConditions[${i}] "${condition.name}" is ${String(value)}`,
          };
        }
        return SKIPPED;
      }
    } catch (error) {
      errorMessage ??= describeEvaluationError(error, `spec.matchConditions[${i}].expression`);
    }
  }
  return errorMessage === undefined ? activation : new PreparationError(errorMessage);
}

/** Matching, params and matchConditions; `ready` carries the policy's activation. */
export function preparePolicy(
  policy: CompiledPolicy,
  evaluation: PolicyEvaluation,
  trace?: PolicyTrace,
): Preparation {
  const prepared = prepare(policy, evaluation, trace);
  if (prepared === SKIPPED) return { kind: 'skip' };
  if (prepared instanceof PreparationError) return { kind: 'error', message: prepared.message };
  return { kind: 'ready', activation: prepared as Activation };
}

const MAX_MESSAGE_BYTES = 5 * 1024;

function messageOf(
  validation: CompiledPolicy['validations'][number],
  activation: Activation,
  budget: EvaluationBudget,
): string {
  if (validation.messageExpression) {
    try {
      const value = validation.messageExpression.evaluate(activation, budget);
      if (
        typeof value === 'string' &&
        value.trim() !== '' &&
        !/[\r\n]/.test(value) &&
        Buffer.byteLength(value) <= MAX_MESSAGE_BYTES
      ) {
        return value;
      }
    } catch {
      // VAP semantics: a failing messageExpression falls back to the static message.
    }
  }
  return validation.message ?? `failed expression: ${validation.expression.source.trim()}`;
}

/** An evaluation error: the policy's result is `error`, and a denial under failurePolicy Fail. */
function recordInternalError(
  outcome: PolicyOutcome,
  policy: CompiledPolicy,
  message: string,
  index: number,
): 'error' {
  if (policy.failurePolicy === 'Fail')
    recordFailure(outcome, policy, { message, reason: 'InternalError', index });
  return 'error';
}

/** A policy (or /mutate's view of one) with no expression to run in the validate phase. */
const nothingToEvaluate = (policy: CompiledPolicy) =>
  policy.validations.length === 0 &&
  policy.auditAnnotations.length === 0 &&
  policy.matchConditions.length === 0;

/** Validate phase: validations and audit annotations of one policy. */
export function validateWithPolicy(
  policy: CompiledPolicy,
  evaluation: PolicyEvaluation,
): PolicyOutcome {
  const outcome = emptyOutcome();
  validateWithPolicyInto(outcome, policy, evaluation);
  return outcome;
}

/**
 * validateWithPolicy merged into `into` as mergeOutcome merges it. The policy's own outcome is
 * made only once it has something besides its result: most policies pass, and this runs for
 * every policy of every request.
 */
export function validateWithPolicyInto(
  into: PolicyOutcome,
  policy: CompiledPolicy,
  evaluation: PolicyEvaluation,
): void {
  const trace = evaluation.tracer ? startTrace(policy) : undefined;
  const matchOnly = trace === undefined && nothingToEvaluate(policy);
  const prepared = matchOnly
    ? matchPolicy(policy, evaluation, trace)
    : prepare(policy, evaluation, trace);
  if (prepared === SKIPPED) {
    if (trace) evaluation.tracer?.record(trace);
    return;
  }
  if (prepared instanceof PreparationError) {
    const outcome = emptyOutcome();
    const result = recordInternalError(outcome, policy, prepared.message, -1);
    if (trace) {
      trace.matched = true;
      trace.error = prepared.message;
      evaluation.tracer?.record(trace);
    }
    mergeOutcome(into, outcome);
    into.results.push({ policy: policy.name, validationActions: policy.validationActions, result });
    return;
  }
  if (matchOnly) {
    into.results.push({
      policy: policy.name,
      validationActions: policy.validationActions,
      result: 'pass',
    });
    return;
  }
  const activation = prepared as Activation;
  let outcome: PolicyOutcome | undefined;
  let result: 'pass' | 'fail' | 'error' = 'pass';
  const { validations, auditAnnotations } = policy;
  for (let i = 0; i < validations.length; i++) {
    const validation = validations[i]!;
    let passed: unknown;
    try {
      passed = validation.expression.evaluate(activation, evaluation.budget);
    } catch (error) {
      const message = describeEvaluationError(error, validation.expression.path);
      trace?.validations.push({
        index: i,
        expression: validation.expression.source,
        result: 'error',
        message,
      });
      outcome ??= emptyOutcome();
      result = recordInternalError(outcome, policy, message, i);
      continue;
    }
    if (passed !== true) {
      if (result === 'pass') result = 'fail';
      const message = messageOf(validation, activation, evaluation.budget);
      trace?.validations.push({
        index: i,
        expression: validation.expression.source,
        result: 'false',
        message,
      });
      outcome ??= emptyOutcome();
      recordFailure(outcome, policy, { message, reason: validation.reason, index: i });
    } else {
      trace?.validations.push({
        index: i,
        expression: validation.expression.source,
        result: 'true',
      });
    }
  }
  for (let i = 0; i < auditAnnotations.length; i++) {
    const annotation = auditAnnotations[i]!;
    try {
      const value = annotation.value.evaluate(activation, evaluation.budget);
      if (value === null || value === undefined) continue;
      outcome ??= emptyOutcome();
      if (typeof value !== 'string') {
        result = recordInternalError(
          outcome,
          policy,
          `${annotation.value.path}: must evaluate to a string or null`,
          i,
        );
        continue;
      }
      const key = `${policy.name}/${annotation.key}`;
      if (!Object.hasOwn(outcome.auditAnnotations, key)) outcome.auditAnnotations[key] = value;
    } catch (error) {
      outcome ??= emptyOutcome();
      result = recordInternalError(
        outcome,
        policy,
        describeEvaluationError(error, annotation.value.path),
        i,
      );
    }
  }
  if (trace) {
    trace.matched = true;
    trace.variables = traceVariables(policy, activation);
    evaluation.tracer?.record(trace);
  }
  if (outcome !== undefined) mergeOutcome(into, outcome);
  into.results.push({ policy: policy.name, validationActions: policy.validationActions, result });
}

function startTrace(policy: CompiledPolicy): PolicyTrace {
  return {
    policy: policy.name,
    builtin: policy.builtin,
    matched: false,
    failurePolicy: policy.failurePolicy,
    validationActions: [...policy.validationActions],
    variables: [],
    validations: [],
  };
}

/**
 * Every variable's value for explain mode, from a second lazy binding with its own budget: reading
 * a variable the validations never needed must not spend the request's budget nor change decisions.
 */
function traceVariables(policy: CompiledPolicy, activation: Activation): PolicyTrace['variables'] {
  const copy: Activation = { ...activation };
  const variables = new PolicyVariables(policy.variables, copy, createCelBudget());
  copy.variables = variables;
  return policy.variables.map(({ name, expression }) => {
    try {
      return { name, value: variables.field(name) };
    } catch (error) {
      return { name, error: describeEvaluationError(error, expression.path) };
    }
  });
}
