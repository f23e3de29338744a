import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { admitPolicy } from '../../../policy/admission-policy/admit-policy.ts';
import { compilePolicy, PolicyCompileError } from '../../../policy/admission-policy/compile.ts';
import { compiler, policyObject } from './helpers.ts';

const designExample = {
  apiVersion: 'policy.orka.ai/v1alpha1',
  kind: 'AdmissionPolicy',
  metadata: { name: 'no-bash-outside-platform' },
  spec: {
    failurePolicy: 'Fail',
    validationActions: ['Deny'],
    matchConstraints: {
      resourceRules: [
        {
          apiGroups: ['core.orka.ai'],
          apiVersions: ['*'],
          resources: ['tasks'],
          operations: ['CREATE', 'UPDATE'],
        },
      ],
    },
    matchConditions: [{ name: 'agent-tasks', expression: "object.spec.type == 'agent'" }],
    params: { admins: ['platform'] },
    variables: [{ name: 'tools', expression: 'effective.allowedTools' }],
    validations: [
      {
        expression: '!effective.allowBash || requester.groups.exists(g, g in params.admins)',
        messageExpression: "'Bash is reserved for ' + params.admins.join(', ')",
        reason: 'Forbidden',
      },
    ],
    mutations: [
      {
        expression:
          "has(object.spec.execution) ? [{'op': 'add', 'path': '/spec/execution/runtimeClassName', 'value': 'gvisor'}] : [{'op': 'add', 'path': '/spec/execution', 'value': {'runtimeClassName': 'gvisor'}}]",
      },
    ],
    auditAnnotations: [{ key: 'tools', valueExpression: "variables.tools.join(',')" }],
  },
};

describe('self-admission', () => {
  test('the DESIGN §4 example policy is admitted', () => {
    assert.deepEqual(admitPolicy(designExample, compiler), { allowed: true, errors: [] });
  });

  const refused: [string, Record<string, unknown>, RegExp][] = [
    [
      'syntax error carries path and position',
      { validations: [{ expression: 'true' }, { expression: 'object.spec.(' }] },
      /^spec\.validations\[1\]\.expression: .*\(line 1, column \d+\)$/,
    ],
    [
      'undeclared variable',
      { validations: [{ expression: "objekt.spec.type == 'agent'" }] },
      /^spec\.validations\[0\]\.expression: .*objekt/,
    ],
    [
      'validation must be bool',
      { validations: [{ expression: "'yes'" }] },
      /^spec\.validations\[0\]\.expression: the expression must evaluate to bool, but it evaluates to string/,
    ],
    [
      'messageExpression must be string',
      { validations: [{ expression: 'true', messageExpression: '1 + 2' }] },
      /^spec\.validations\[0\]\.messageExpression: .*must evaluate to string/,
    ],
    [
      'matchCondition must be bool',
      { matchConditions: [{ name: 'c', expression: '1' }], validations: [{ expression: 'true' }] },
      /^spec\.matchConditions\[0\]\.expression: .*bool/,
    ],
    [
      'mutation must be a list',
      { mutations: [{ expression: "'add'" }] },
      /^spec\.mutations\[0\]\.expression: .*list/,
    ],
    [
      'invalid RE2 pattern',
      { validations: [{ expression: "object.metadata.name.matches('(?=x)')" }] },
      /^spec\.validations\[0\]\.expression: invalid RE2 pattern/,
    ],
    [
      'estimated cost over budget',
      {
        validations: [
          {
            expression:
              'object.spec.a.all(x, object.spec.a.all(y, object.spec.a.all(z, x == y && y == z)))',
          },
        ],
      },
      /^spec\.validations\[0\]\.expression: estimated cost/,
    ],
    [
      'Deny and Warn together',
      { validationActions: ['Deny', 'Warn'], validations: [{ expression: 'true' }] },
      /validationActions/,
    ],
    ['unknown field', { validations: [{ expression: 'true' }], colour: 'red' }, /colour/],
    ['nothing to do', {}, /spec/],
    [
      'custom mutation touching spec.requestedBy',
      { mutations: [{ expression: "[{'op': 'remove', 'path': '/spec/requestedBy'}]" }] },
      /^spec\.mutations\[0\]\.expression: Forbidden: .*spec\.requestedBy/,
    ],
    [
      'custom mutation touching a managed label',
      {
        mutations: [
          {
            expression:
              "[{'op': 'add', 'path': '/metadata/labels/orka.ai~1transaction-id', 'value': 'x'}]",
          },
        ],
      },
      /metadata\.labels\[orka\.ai\/transaction-id\]/,
    ],
    [
      'custom mutation replacing the whole spec',
      { mutations: [{ expression: "[{'op': 'replace', 'path': '/spec', 'value': {}}]" }] },
      /Forbidden: .*spec\.requestedBy/,
    ],
  ];
  for (const [name, spec, message] of refused) {
    test(`refused: ${name}`, () => {
      const verdict = admitPolicy(policyObject('p', spec), compiler);
      assert.equal(verdict.allowed, false);
      assert.ok(
        verdict.errors.some((error) => message.test(error)),
        `no error matches ${message}: ${verdict.errors.join(' | ')}`,
      );
    });
  }
});

describe('compilePolicy', () => {
  test('collects every problem in one error', () => {
    assert.throws(
      () =>
        compilePolicy(
          policyObject('p', {
            validations: [{ expression: '1' }, { expression: 'true', reason: 'Teapot' }],
          }),
          compiler,
        ),
      (error: unknown) =>
        error instanceof PolicyCompileError &&
        error.problems.length === 2 &&
        error.problems[0]!.startsWith('spec.validations[0].expression') &&
        error.problems[1]!.startsWith('spec.validations[1].reason'),
    );
  });

  test('defaults failurePolicy Fail and validationActions [Deny]', () => {
    const compiled = compilePolicy(
      policyObject('p', { validations: [{ expression: 'true' }] }),
      compiler,
    );
    assert.equal(compiled.failurePolicy, 'Fail');
    assert.deepEqual(compiled.validationActions, ['Deny']);
  });
});
