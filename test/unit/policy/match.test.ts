import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { selectorMatches } from '../../../policy/match/label-selector.ts';
import {
  type ResourceRule,
  type RuleTarget,
  ruleMatches,
} from '../../../policy/match/resource-rules.ts';

const target: RuleTarget = {
  group: 'core.orka.ai',
  version: 'v1alpha1',
  resource: 'tasks',
  subResource: '',
  operation: 'CREATE',
  name: 'fix-tests',
  namespaced: true,
};
const rule = (overrides: Partial<ResourceRule>): ResourceRule => ({
  apiGroups: ['core.orka.ai'],
  apiVersions: ['*'],
  resources: ['tasks'],
  operations: ['CREATE'],
  ...overrides,
});

describe('resource rules', () => {
  const cases: [string, ResourceRule, Partial<RuleTarget>, boolean][] = [
    ['exact match', rule({}), {}, true],
    ['other operation', rule({}), { operation: 'DELETE' }, false],
    ['operation wildcard', rule({ operations: ['*'] }), { operation: 'DELETE' }, true],
    ['other group', rule({}), { group: 'policy.orka.ai' }, false],
    ['resource wildcard', rule({ resources: ['*'] }), { resource: 'agents' }, true],
    ['plain resource does not match a subresource', rule({}), { subResource: 'status' }, false],
    ['named subresource', rule({ resources: ['tasks/status'] }), { subResource: 'status' }, true],
    ['any resource status', rule({ resources: ['*/status'] }), { subResource: 'status' }, true],
    [
      'all subresources of tasks',
      rule({ resources: ['tasks/*'] }),
      { subResource: 'status' },
      true,
    ],
    ['resourceNames allow-list hit', rule({ resourceNames: ['fix-tests'] }), {}, true],
    ['resourceNames allow-list miss', rule({ resourceNames: ['other'] }), {}, false],
    ['Cluster scope skips namespaced', rule({ scope: 'Cluster' }), {}, false],
    ['Namespaced scope', rule({ scope: 'Namespaced' }), {}, true],
  ];
  for (const [name, r, overrides, expected] of cases) {
    test(name, () => assert.equal(ruleMatches(r, { ...target, ...overrides }), expected));
  }
});

describe('label selectors', () => {
  const labels = { tenant: 'true', team: 'a' };
  const cases: [string, Parameters<typeof selectorMatches>[0], boolean][] = [
    ['absent selector matches', undefined, true],
    ['empty selector matches', {}, true],
    ['matchLabels hit', { matchLabels: { tenant: 'true' } }, true],
    ['matchLabels miss', { matchLabels: { tenant: 'false' } }, false],
    ['In', { matchExpressions: [{ key: 'team', operator: 'In', values: ['a', 'b'] }] }, true],
    ['NotIn', { matchExpressions: [{ key: 'team', operator: 'NotIn', values: ['a'] }] }, false],
    [
      'NotIn on a missing key',
      { matchExpressions: [{ key: 'x', operator: 'NotIn', values: ['a'] }] },
      true,
    ],
    ['Exists', { matchExpressions: [{ key: 'team', operator: 'Exists' }] }, true],
    ['DoesNotExist', { matchExpressions: [{ key: 'team', operator: 'DoesNotExist' }] }, false],
    [
      'labels and expressions are ANDed',
      { matchLabels: { tenant: 'true' }, matchExpressions: [{ key: 'x', operator: 'Exists' }] },
      false,
    ],
  ];
  for (const [name, selector, expected] of cases) {
    test(name, () => assert.equal(selectorMatches(selector, labels), expected));
  }
});
