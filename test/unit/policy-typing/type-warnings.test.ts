import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compilePolicy, PolicyCompileError } from '../../../policy/admission-policy/compile.ts';
import { createExpressionCompiler } from '../../../policy/admission-policy/expression-compiler.ts';

const compiler = createExpressionCompiler();
const TASK = 'core.orka.ai/v1alpha1, Kind=Task';
const AGENT = 'core.orka.ai/v1alpha1, Kind=Agent';

const rule = (resources: string[], apiGroups = ['core.orka.ai']) => ({
  apiGroups,
  apiVersions: ['*'],
  resources,
  operations: ['CREATE', 'UPDATE'],
});

function policyWith(expression: string, rules = [rule(['tasks'])]): Record<string, unknown> {
  return {
    apiVersion: 'policy.orka.ai/v1alpha1',
    kind: 'AdmissionPolicy',
    metadata: { name: 'typed' },
    spec: { matchConstraints: { resourceRules: rules }, validations: [{ expression }] },
  };
}

/** `<kind>: <warning> @line:column` of each warning of a one-validation policy. */
function warningsOf(expression: string, rules = [rule(['tasks'])]): string[] {
  return compilePolicy(policyWith(expression, rules), compiler).warnings.map((w) => {
    assert.equal(w.path, 'spec.validations[0].expression');
    return `${w.warning} @${w.position.line}:${w.position.column}`;
  });
}

describe('type-check warnings: fields object, oldObject and agent cannot have', () => {
  const cases: [string, string, string[]][] = [
    ['a known Task field', "object.spec.prompt != ''", []],
    [
      'a misspelt spec field',
      "object.spec.promt != ''",
      [`${TASK}: undefined field 'promt' @1:13`],
    ],
    [
      'a misspelt top-level field',
      "object.specs.prompt != ''",
      [`${TASK}: undefined field 'specs' @1:8`],
    ],
    [
      'oldObject is typed like object',
      'oldObject == null || oldObject.spec.prio > 1',
      [`${TASK}: undefined field 'prio' @1:37`],
    ],
    [
      'has() and optional selections are checked too',
      "has(object.spec.agentref) || object.?spec.?promptx.orValue('') == ''",
      [`${TASK}: undefined field 'agentref' @1:17`, `${TASK}: undefined field 'promptx' @1:44`],
    ],
    [
      'metadata is ObjectMeta',
      "object.metadata.label.team == 'a' || object.metadata.name != ''",
      [`${TASK}: undefined field 'label' @1:17`],
    ],
    ['map keys are free', "object.metadata.labels.anything == 'a'", []],
    [
      'list elements are typed through comprehensions',
      "object.spec.env.all(e, e.nam != '')",
      [`${TASK}: undefined field 'nam' @1:26`],
    ],
    ['known fields of list elements', "object.spec.env.all(e, e.name != '')", []],
    [
      'a comprehension variable named like a root variable hides it',
      "[{'promptx': 1}].exists(object, object.promptx == 1)",
      [],
    ],
    [
      'preserve-unknown-fields objects are open',
      'object.spec.execution.affinity.nodeAffinity.anything == 1',
      [],
    ],
    [
      'agent is typed by the Agent schema whatever the policy matches',
      "agent == null || agent.spec.runtime.typ == 'claude'",
      [`${AGENT}: undefined field 'typ' @1:37`],
    ],
    ['dyn variables stay unchecked', 'params.x == 1 || tctx.y == 2 || namespaceObject.z == 3', []],
    [
      'warnings come in position order',
      'object.spec.b == 1 || agent.spec.a == 1 || object.spec.c == 1',
      [
        `${TASK}: undefined field 'b' @1:13`,
        `${AGENT}: undefined field 'a' @1:34`,
        `${TASK}: undefined field 'c' @1:56`,
      ],
    ],
  ];
  for (const [name, expression, want] of cases) {
    test(name, () => assert.deepEqual(warningsOf(expression), want));
  }

  test('each kind the rules name explicitly is checked on its own', () => {
    assert.deepEqual(warningsOf("object.spec.prompt != ''", [rule(['tasks', 'agents'])]), [
      `${AGENT}: undefined field 'prompt' @1:13`,
    ]);
  });

  test('an Agent policy checks object against the Agent schema', () => {
    assert.deepEqual(warningsOf("object.spec.runtime.type == 'claude'", [rule(['agents'])]), []);
  });

  test('wildcard groups or resources type nothing, as VAP skips them', () => {
    assert.deepEqual(warningsOf("object.spec.promt != ''", [rule(['*'])]), []);
    assert.deepEqual(warningsOf("object.spec.promt != ''", [rule(['tasks'], ['*'])]), []);
  });

  test('a subresource rule types the whole object', () => {
    assert.deepEqual(warningsOf('object.status.phse == 1', [rule(['tasks/status'])]), [
      `${TASK}: undefined field 'phse' @1:15`,
    ]);
  });

  test('every expression kind is checked, with its own path', () => {
    const policy = {
      ...policyWith('true'),
      spec: {
        matchConstraints: { resourceRules: [rule(['tasks'])] },
        matchConditions: [{ name: 'm', expression: 'object.spec.a == 1' }],
        variables: [{ name: 'v', expression: 'object.spec.b' }],
        validations: [{ expression: 'true', messageExpression: 'string(object.spec.c)' }],
        mutations: [{ expression: 'object.spec.d == 1 ? [] : []' }],
        auditAnnotations: [{ key: 'k', valueExpression: 'string(object.spec.e)' }],
      },
    };
    assert.deepEqual(
      compilePolicy(policy, compiler).warnings.map((w) => `${w.path}: ${w.warning}`),
      [
        `spec.matchConditions[0].expression: ${TASK}: undefined field 'a'`,
        `spec.variables[0].expression: ${TASK}: undefined field 'b'`,
        `spec.validations[0].messageExpression: ${TASK}: undefined field 'c'`,
        `spec.mutations[0].expression: ${TASK}: undefined field 'd'`,
        `spec.auditAnnotations[0].valueExpression: ${TASK}: undefined field 'e'`,
      ],
    );
  });

  test('a policy that fails to compile still carries the warnings of its other expressions', () => {
    const policy = {
      ...policyWith('true'),
      spec: {
        matchConstraints: { resourceRules: [rule(['tasks'])] },
        validations: [{ expression: 'object.spec.promt == 1' }, { expression: 'request.namex' }],
      },
    };
    assert.throws(
      () => compilePolicy(policy, compiler),
      (error: unknown) =>
        error instanceof PolicyCompileError &&
        error.warnings.length === 1 &&
        error.warnings[0]?.warning === `${TASK}: undefined field 'promt'` &&
        error.problems.length === 1,
    );
  });
});
