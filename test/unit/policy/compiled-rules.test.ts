// Resource rules are compiled once per policy (wildcards read, patterns split). The compiled
// matcher must decide every request exactly as the rule-by-rule reading did; that reading is
// kept here as the oracle and both are run over the cross product of rule and request shapes.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { MatchConstraints } from '../../../policy/admission-policy/types.ts';
import type { AdmissionInput } from '../../../policy/chain/request.ts';
import { constraintsMatch } from '../../../policy/evaluate/matching.ts';
import {
  type Operation,
  type ResourceRule,
  type RuleTarget,
  ruleMatches,
} from '../../../policy/match/resource-rules.ts';

function oracleAllows(list: readonly string[] | undefined, value: string): boolean {
  if (list === undefined) return false;
  for (const item of list) if (item === '*' || item === value) return true;
  return false;
}

function oracleResourceMatches(pattern: string, resource: string, subResource: string): boolean {
  const [patternResource, patternSub] = pattern.split('/', 2) as [string, string | undefined];
  if (patternSub === undefined) {
    return subResource === '' && (patternResource === '*' || patternResource === resource);
  }
  const resourceOk = patternResource === '*' || patternResource === resource;
  const subOk =
    patternSub === '*' ? subResource !== '' || patternResource === '*' : patternSub === subResource;
  return resourceOk && subOk;
}

/** The matching as it read each rule per request before rules were compiled. */
function oracleRuleMatches(rule: ResourceRule, target: RuleTarget): boolean {
  if (!oracleAllows(rule.operations, target.operation)) return false;
  if (!oracleAllows(rule.apiGroups, target.group)) return false;
  if (!oracleAllows(rule.apiVersions, target.version)) return false;
  if (
    !(rule.resources ?? []).some((p) =>
      oracleResourceMatches(p, target.resource, target.subResource),
    )
  )
    return false;
  const names = rule.resourceNames ?? [];
  if (names.length > 0 && !names.includes(target.name)) return false;
  const scope = rule.scope ?? '*';
  if (scope === 'Namespaced' && !target.namespaced) return false;
  if (scope === 'Cluster' && target.namespaced) return false;
  return true;
}

const OPERATION_LISTS = [undefined, [], ['CREATE'], ['UPDATE', 'DELETE'], ['CONNECT', '*']];
const GROUP_LISTS = [undefined, ['core.orka.ai'], ['', 'policy.orka.ai'], ['*']];
const VERSION_LISTS = [['v1alpha1'], ['*'], undefined];
const RESOURCE_LISTS = [
  undefined,
  [],
  ['tasks'],
  ['tasks/status'],
  ['*/status'],
  ['tasks/*'],
  ['*/*'],
  ['*'],
  ['agents', 'tasks/finalizers'],
  ['tasks/status/extra'],
  [''],
];
const NAME_LISTS = [undefined, [], ['other', 'fix-tests']];
const SCOPES = [undefined, '*', 'Namespaced', 'Cluster'] as const;

function* rules(): Generator<ResourceRule> {
  for (const operations of OPERATION_LISTS)
    for (const apiGroups of GROUP_LISTS)
      for (const apiVersions of VERSION_LISTS)
        for (const resources of RESOURCE_LISTS)
          for (const resourceNames of NAME_LISTS)
            for (const scope of SCOPES) {
              const rule: ResourceRule = {};
              if (operations) rule.operations = operations;
              if (apiGroups) rule.apiGroups = apiGroups;
              if (apiVersions) rule.apiVersions = apiVersions;
              if (resources) rule.resources = resources;
              if (resourceNames) rule.resourceNames = resourceNames;
              if (scope) rule.scope = scope;
              yield rule;
            }
}

const TARGETS: RuleTarget[] = [];
for (const [group, resource] of [
  ['core.orka.ai', 'tasks'],
  ['core.orka.ai', 'agents'],
  ['policy.orka.ai', 'admissionpolicies'],
  ['', 'namespaces'],
])
  for (const subResource of ['', 'status', 'finalizers'])
    for (const operation of ['CREATE', 'DELETE'])
      for (const [name, namespaced] of [
        ['fix-tests', true],
        ['other', false],
      ] as const)
        TARGETS.push({
          group: group!,
          version: group === '' ? 'v1' : 'v1alpha1',
          resource: resource!,
          subResource,
          operation,
          name,
          namespaced,
        });

const inputOf = (target: RuleTarget): AdmissionInput => ({
  operation: target.operation as Operation,
  object: null,
  oldObject: null,
  kind: { group: target.group, version: target.version, kind: 'Any' },
  resource: { group: target.group, version: target.version, resource: target.resource },
  subResource: target.subResource,
  name: target.name,
  namespace: target.namespaced ? 'team-a' : '',
  dryRun: false,
  userInfo: { username: 'alice', groups: [] },
});

describe('compiled resource rules decide as the rule-by-rule reading did', () => {
  const allRules = [...rules()];

  test('ruleMatches over every rule shape and request', () => {
    let compared = 0;
    let matched = 0;
    for (const rule of allRules) {
      for (const target of TARGETS) {
        const expected = oracleRuleMatches(rule, target);
        assert.equal(ruleMatches(rule, target), expected, JSON.stringify({ rule, target }));
        compared++;
        if (expected) matched++;
      }
    }
    // both outcomes are well represented, so the comparison is not vacuous
    assert.ok(matched > 1000 && compared - matched > 1000, `${matched} of ${compared}`);
  });

  test('constraintsMatch: resourceRules and excludeResourceRules', () => {
    const samples = allRules.filter((_, i) => i % 97 === 0);
    for (const include of samples)
      for (const exclude of [undefined, ...samples.slice(0, 12)]) {
        const constraints: MatchConstraints = { resourceRules: [include] };
        if (exclude) constraints.excludeResourceRules = [exclude];
        for (const target of TARGETS) {
          const expected =
            oracleRuleMatches(include, target) &&
            !(exclude !== undefined && oracleRuleMatches(exclude, target));
          assert.equal(
            constraintsMatch(constraints, inputOf(target), null),
            expected,
            JSON.stringify({ include, exclude, target }),
          );
        }
      }
  });

  test('a request matches when any of several rules does; no rules match nothing', () => {
    const target = TARGETS[0]!;
    const miss: ResourceRule = { ...allRules[0]!, operations: ['DELETE'] };
    const hit: ResourceRule = {
      apiGroups: ['*'],
      apiVersions: ['*'],
      resources: ['*'],
      operations: ['*'],
    };
    assert.equal(constraintsMatch({ resourceRules: [miss, hit] }, inputOf(target), null), true);
    assert.equal(constraintsMatch({ resourceRules: [miss] }, inputOf(target), null), false);
    assert.equal(constraintsMatch({}, inputOf(target), null), false);
    assert.equal(
      constraintsMatch(
        { resourceRules: [hit], excludeResourceRules: [miss, hit] },
        inputOf(target),
        null,
      ),
      false,
    );
  });
});
