// The stand-in's RBAC rule matching, as the apiserver's rule resolver decides it: verbs, groups,
// resources with subresources, resourceNames (a request without a name never matches them).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { componentOf, type PolicyRule, policyRuleAllows } from '../../kube/index.ts';

const user = { username: 'system:serviceaccount:orka-system:orka' };
const request = (
  verb: string,
  resource: string,
  extra: { subresource?: string; name?: string } = {},
) => ({
  user,
  resource: { verb, group: '', resource, namespace: 'team-a', ...extra },
});

describe('policyRuleAllows', () => {
  const pods: PolicyRule = { verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] };
  const named: PolicyRule = {
    verbs: ['get', 'watch'],
    apiGroups: [''],
    resources: ['secrets'],
    resourceNames: ['tls'],
  };
  const cases: Array<[string, PolicyRule, ReturnType<typeof request>, boolean]> = [
    ['listed verb and resource', pods, request('get', 'pods', { name: 'p' }), true],
    ['unlisted verb', pods, request('delete', 'pods', { name: 'p' }), false],
    ['watch is not list', pods, request('watch', 'pods'), false],
    [
      'a subresource needs its own entry',
      pods,
      request('get', 'pods', { subresource: 'log', name: 'p' }),
      false,
    ],
    [
      'resource/subresource entry',
      { ...pods, resources: ['pods/log'] },
      request('get', 'pods', { subresource: 'log', name: 'p' }),
      true,
    ],
    [
      'another API group',
      { ...pods, apiGroups: ['batch'] },
      request('get', 'pods', { name: 'p' }),
      false,
    ],
    ['the named object', named, request('get', 'secrets', { name: 'tls' }), true],
    ['another object', named, request('get', 'secrets', { name: 'other' }), false],
    ['no name against resourceNames', named, request('watch', 'secrets'), false],
    ['a name-selected watch', named, request('watch', 'secrets', { name: 'tls' }), true],
  ];
  for (const [name, rule, req, allowed] of cases) {
    test(name, () => assert.equal(policyRuleAllows(rule, req), allowed));
  }
});

describe('componentOf', () => {
  const cases: Array<[string, string | undefined]> = [
    ['system:serviceaccount:orka-system:orka', 'controller'],
    ['system:serviceaccount:orka-system:orka-webhook', 'webhook'],
    ['system:serviceaccount:team-a:orka-worker', 'worker'],
    ['system:serviceaccount:team-a:orka', undefined],
    ['system:serviceaccount:orka-system:orka-client', undefined],
    ['kubernetes-admin', undefined],
  ];
  for (const [username, component] of cases) {
    test(username, () => assert.equal(componentOf(username), component));
  }
});
