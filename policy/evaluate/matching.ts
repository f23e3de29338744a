// Does a policy's matchConstraints select this request? All parts must match; excludeResourceRules
// win over resourceRules; the objectSelector matches when the old or the new object does.
import type { MatchConstraints } from '../admission-policy/types.ts';
import type { AdmissionInput, KubeObject } from '../chain/request.ts';
import { type Labels, selectorMatches } from '../match/label-selector.ts';
import {
  type CompiledResourceRule,
  compiledRuleMatches,
  compileResourceRule,
  type RuleTarget,
} from '../match/resource-rules.ts';

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

interface CompiledConstraints {
  readonly resourceRules: readonly CompiledResourceRule[];
  readonly excludeResourceRules: readonly CompiledResourceRule[];
  /** the request last asked about (input and namespace object) and the answer */
  lastInput?: AdmissionInput;
  lastNamespaceObject?: KubeObject | null;
  lastAnswer?: boolean;
}

// Compiled on a policy's first request, once per policy (its matchConstraints never change).
const compiledConstraints = new WeakMap<MatchConstraints, CompiledConstraints>();

/**
 * Policies with equal matchConstraints share one compiled form, and with it the answer for the
 * request at hand: fifty policies that all select Tasks on CREATE and UPDATE match a request once.
 * Bounded: a webhook whose policies keep changing starts the table afresh now and then.
 */
const sharedCompilations = new Map<string, CompiledConstraints>();
const MAX_SHARED_COMPILATIONS = 10_000;

function compiledOf(constraints: MatchConstraints): CompiledConstraints {
  let compiled = compiledConstraints.get(constraints);
  if (compiled === undefined) {
    const key = JSON.stringify(constraints);
    compiled = sharedCompilations.get(key);
    if (compiled === undefined) {
      if (sharedCompilations.size >= MAX_SHARED_COMPILATIONS) sharedCompilations.clear();
      compiled = {
        resourceRules: (constraints.resourceRules ?? []).map(compileResourceRule),
        excludeResourceRules: (constraints.excludeResourceRules ?? []).map(compileResourceRule),
      };
      sharedCompilations.set(key, compiled);
    }
    compiledConstraints.set(constraints, compiled);
  }
  return compiled;
}

function anyRuleMatches(rules: readonly CompiledResourceRule[], input: AdmissionInput): boolean {
  if (rules.length === 0) return false;
  const { group, version, resource } = input.resource;
  const namespaced = input.namespace !== '';
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i]!;
    if (
      compiledRuleMatches(
        rule,
        group,
        version,
        resource,
        input.subResource,
        input.operation,
        input.name,
        namespaced,
      )
    ) {
      return true;
    }
  }
  return false;
}

export function constraintsMatch(
  constraints: MatchConstraints,
  input: AdmissionInput,
  namespaceObject: KubeObject | null,
): boolean {
  const compiled = compiledOf(constraints);
  if (compiled.lastInput === input && compiled.lastNamespaceObject === namespaceObject) {
    return compiled.lastAnswer as boolean;
  }
  const answer = matches(compiled, constraints, input, namespaceObject);
  compiled.lastInput = input;
  compiled.lastNamespaceObject = namespaceObject;
  compiled.lastAnswer = answer;
  return answer;
}

function matches(
  compiled: CompiledConstraints,
  constraints: MatchConstraints,
  input: AdmissionInput,
  namespaceObject: KubeObject | null,
): boolean {
  if (!anyRuleMatches(compiled.resourceRules, input)) return false;
  if (anyRuleMatches(compiled.excludeResourceRules, input)) return false;
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
