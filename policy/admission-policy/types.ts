// The AdmissionPolicy shape (DESIGN §4): ValidatingAdmissionPolicy field names with the binding
// folded in, plus JSON-patch mutations. Compiled forms hold one compiled program per expression.
import type { CelBudget } from '../cel/engine.ts';
import type { LabelSelector } from '../match/label-selector.ts';
import type { ResourceRule } from '../match/resource-rules.ts';

export type FailurePolicy = 'Fail' | 'Ignore';
export type ValidationAction = 'Deny' | 'Warn' | 'Audit';

export interface MatchConstraints {
  resourceRules?: ResourceRule[];
  excludeResourceRules?: ResourceRule[];
  namespaceSelector?: LabelSelector;
  objectSelector?: LabelSelector;
}

export interface ParamRef {
  name: string;
  namespace?: string;
}

export interface AdmissionPolicySpec {
  failurePolicy?: FailurePolicy;
  validationActions?: ValidationAction[];
  matchConstraints: MatchConstraints;
  matchConditions?: { name: string; expression: string }[];
  params?: unknown;
  paramRef?: ParamRef;
  variables?: { name: string; expression: string }[];
  validations?: {
    expression: string;
    message?: string;
    messageExpression?: string;
    reason?: string;
  }[];
  mutations?: { expression: string }[];
  auditAnnotations?: { key: string; valueExpression: string }[];
}

export interface AdmissionPolicy {
  apiVersion: string;
  kind: string;
  metadata: { name: string; [key: string]: unknown };
  spec: AdmissionPolicySpec;
  status?: unknown;
}

/** One expression ready to run. `evaluate` throws CelEvaluationError (or a subclass) on failure. */
export interface CompiledExpression {
  /** where the expression sits in the policy, e.g. `spec.validations[1].expression` */
  readonly path: string;
  readonly source: string;
  evaluate(activation: Activation, budget: EvaluationBudget): unknown;
}

/** The request-wide step budget shared by every expression of one admission request. */
export type EvaluationBudget = CelBudget;

export type Activation = Record<string, unknown>;

/** A type-check finding that does not stop the policy (VAP's status.typeChecking.expressionWarnings). */
export interface ExpressionWarning {
  /** where the expression sits in the policy, e.g. `spec.validations[0].expression` */
  readonly path: string;
  readonly position: { readonly line: number; readonly column: number };
  /** e.g. `core.orka.ai/v1alpha1, Kind=Task: undefined field 'promptx'` */
  readonly warning: string;
}

export interface CompiledValidation {
  expression: CompiledExpression;
  message: string | undefined;
  messageExpression: CompiledExpression | undefined;
  reason: string;
}

export interface CompiledPolicy {
  name: string;
  /** the policy as written, for `orka policy show` */
  source: AdmissionPolicy;
  builtin: boolean;
  failurePolicy: FailurePolicy;
  validationActions: ValidationAction[];
  matchConstraints: MatchConstraints;
  matchConditions: { name: string; expression: CompiledExpression }[];
  params: { inline: unknown } | { ref: ParamRef } | undefined;
  variables: { name: string; expression: CompiledExpression }[];
  validations: CompiledValidation[];
  mutations: CompiledExpression[];
  auditAnnotations: { key: string; value: CompiledExpression }[];
  /** type-check warnings: fields `object`, `oldObject` or `agent` cannot have */
  warnings: ExpressionWarning[];
}
