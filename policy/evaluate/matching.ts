// Does a policy's matchConstraints select this request? All parts must match; excludeResourceRules
// win over resourceRules; the objectSelector matches when the old or the new object does.
import type { MatchConstraints } from '../admission-policy/types.ts';
import type { AdmissionInput, KubeObject } from '../chain/request.ts';
import { type Labels, selectorMatches } from '../match/label-selector.ts';
import { type ResourceRule, type RuleTarget, ruleMatches } from '../match/resource-rules.ts';

// One request's target, shared by every policy matched against it.
const targets = new WeakMap<AdmissionInput, RuleTarget>();

function cachedRuleTarget(input: AdmissionInput): RuleTarget {
  let target = targets.get(input);
  if (target === undefined) {
    target = ruleTargetOf(input);
    targets.set(input, target);
  }
  return target;
}

export function ruleTargetOf(input: AdmissionInput): RuleTarget {
  return {
    group: input.resource.group,
    version: input.resource.version,
    resource: input.resource.resource,
    subResource: input.subResource,
    operation: input.operation,
    name: input.name,
    namespaced: input.namespace !== '',
  };
}

export function labelsOf(object: KubeObject | null | undefined): Labels {
  const labels = (object?.metadata as { labels?: unknown } | undefined)?.labels;
  return typeof labels === 'object' && labels !== null ? (labels as Labels) : {};
}

function anyRuleMatches(rules: readonly ResourceRule[] | undefined, target: RuleTarget): boolean {
  if (rules === undefined) return false;
  for (const rule of rules) if (ruleMatches(rule, target)) return true;
  return false;
}

export function constraintsMatch(
  constraints: MatchConstraints,
  input: AdmissionInput,
  namespaceObject: KubeObject | null,
): boolean {
  const target = cachedRuleTarget(input);
  if (!anyRuleMatches(constraints.resourceRules, target)) return false;
  if (anyRuleMatches(constraints.excludeResourceRules, target)) return false;
  if (constraints.namespaceSelector && input.namespace !== '') {
    if (!selectorMatches(constraints.namespaceSelector, labelsOf(namespaceObject))) return false;
  }
  if (constraints.objectSelector) {
    const selector = constraints.objectSelector;
    const matchesNew = input.object !== null && selectorMatches(selector, labelsOf(input.object));
    const matchesOld =
      input.oldObject !== null && selectorMatches(selector, labelsOf(input.oldObject));
    if (!matchesNew && !matchesOld) return false;
  }
  return true;
}
