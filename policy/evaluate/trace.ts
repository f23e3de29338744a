// What `orka policy eval --explain` records about one policy's validate phase. A tracer is opt-in:
// without one the evaluation path allocates nothing of this, so the webhook pays nothing for it.
import type { MatchConstraints, ValidationAction } from '../admission-policy/types.ts';
import type { AdmissionInput, KubeObject } from '../chain/request.ts';
import { selectorMatches } from '../match/label-selector.ts';
import { ruleMatches } from '../match/resource-rules.ts';
import { labelsOf, ruleTargetOf } from './matching.ts';

export type SkipConstraint =
  | 'resourceRules'
  | 'excludeResourceRules'
  | 'namespaceSelector'
  | 'objectSelector'
  | 'matchCondition'
  | 'builtinSwitchedOff'
  | 'customPoliciesExcluded';

export interface VariableTrace {
  name: string;
  /** the CEL value; absent when the variable failed */
  value?: unknown;
  error?: string;
}

export interface ValidationTrace {
  index: number;
  expression: string;
  result: 'true' | 'false' | 'error';
  /** the failure message (false) or the evaluation error (error) */
  message?: string;
}

export interface PolicyTrace {
  policy: string;
  builtin: boolean;
  matched: boolean;
  /** why the policy was skipped (matched is false) */
  skippedBy?: { constraint: SkipConstraint; detail: string };
  /** a params or matchCondition error that stopped the policy before its validations */
  error?: string;
  failurePolicy: 'Fail' | 'Ignore';
  /** the actions applied to failures, after namespace overrides */
  validationActions: ValidationAction[];
  variables: VariableTrace[];
  validations: ValidationTrace[];
}

export interface PolicyTracer {
  record(trace: PolicyTrace): void;
}

/** Which matchConstraints part skipped the request, with the facts that made it skip. */
export function unmatchedConstraint(
  constraints: MatchConstraints,
  input: AdmissionInput,
  namespaceObject: KubeObject | null,
): { constraint: SkipConstraint; detail: string } | undefined {
  const target = ruleTargetOf(input);
  const requested = `${input.operation} ${target.group || 'core'}/${target.version}/${target.resource}${
    target.subResource ? `/${target.subResource}` : ''
  }`;
  if (!(constraints.resourceRules ?? []).some((rule) => ruleMatches(rule, target))) {
    return { constraint: 'resourceRules', detail: `no resource rule matches ${requested}` };
  }
  const excluded = (constraints.excludeResourceRules ?? []).findIndex((rule) =>
    ruleMatches(rule, target),
  );
  if (excluded >= 0) {
    return {
      constraint: 'excludeResourceRules',
      detail: `excludeResourceRules[${excluded}] matches ${requested}`,
    };
  }
  if (constraints.namespaceSelector && input.namespace !== '') {
    const labels = labelsOf(namespaceObject);
    if (!selectorMatches(constraints.namespaceSelector, labels)) {
      return {
        constraint: 'namespaceSelector',
        detail: `namespace "${input.namespace}" labels ${JSON.stringify(labels)} do not match ${JSON.stringify(constraints.namespaceSelector)}${
          namespaceObject === null ? ' (no Namespace object given)' : ''
        }`,
      };
    }
  }
  if (constraints.objectSelector) {
    const selector = constraints.objectSelector;
    const matchesNew = input.object !== null && selectorMatches(selector, labelsOf(input.object));
    const matchesOld =
      input.oldObject !== null && selectorMatches(selector, labelsOf(input.oldObject));
    if (!matchesNew && !matchesOld) {
      return {
        constraint: 'objectSelector',
        detail: `object labels ${JSON.stringify(labelsOf(input.object ?? input.oldObject))} do not match ${JSON.stringify(selector)}`,
      };
    }
  }
  return undefined;
}
