// A validating webhook asks the chain for no patch (AdmissionContext.reportPatch: false): the
// decision must be the one the full chain reaches, with an empty patch. That path also hands an
// object defaulting left as it was straight to the schema validator when it holds no BigInt
// (policy/chain/resource-model.ts), so the cases include schema denials with and without BigInts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createExpressionCompiler } from '../../../policy/admission-policy/expression-compiler.ts';
import { compileBuiltins, enabledBuiltins } from '../../../policy/builtin/index.ts';
import { type AdmissionContext, admit } from '../../../policy/chain/admit.ts';
import { policyConfigFromFlags } from '../../../policy/chain/config.ts';
import { isNumbersOnly } from '../../../policy/chain/plain-json.ts';
import { orkaResources } from '../../../policy/chain/resource-model.ts';
import { decodeAdmissionReview } from '../../../webhooks/review.ts';
import { policy } from './helpers.ts';

const config = policyConfigFromFlags({});
const builtin = enabledBuiltins(compileBuiltins(createExpressionCompiler()), config);
const labelling = policy('label-tasks', {
  mutations: [
    {
      patchType: 'JSONPatch',
      expression: "[{'op': 'add', 'path': '/metadata/labels', 'value': {'team': 'a'}}]",
    },
  ],
  validations: [{ expression: "object.metadata.labels.team == 'a'" }],
});

function review(spec: string, operation = 'CREATE'): string {
  const task = `{"apiVersion":"core.orka.ai/v1alpha1","kind":"Task",
    "metadata":{"name":"t","namespace":"default"},
    "spec":{"type":"agent","agentRef":{"name":"claude-agent"},"prompt":"p"${spec}}}`;
  return `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{
    "uid":"u-1","kind":{"group":"core.orka.ai","version":"v1alpha1","kind":"Task"},
    "resource":{"group":"core.orka.ai","version":"v1alpha1","resource":"tasks"},
    "namespace":"default","operation":"${operation}",
    "userInfo":{"username":"alice","groups":["system:authenticated"]},
    "object":${task},"oldObject":${operation === 'UPDATE' ? task : 'null'}}}`;
}

const cases: [string, string, string?][] = [
  ['a valid Task', ''],
  ['a valid Task with numbers', ',"maxTurns":7,"priority":10'],
  ['a schema denial, numbers only', ',"priority":5000000000'],
  ['a schema denial naming a BigInt', ',"priority":9007199254740993'],
  ['a wrongly typed field', ',"maxTurns":"seven"'],
  ['an UPDATE', ',"maxTurns":7', 'UPDATE'],
];

for (const [name, spec, operation] of cases) {
  for (const custom of [[], [labelling]]) {
    test(`${name}${custom.length ? ', with a mutating policy' : ''}: same decision, no patch`, () => {
      const { input } = decodeAdmissionReview(review(spec, operation));
      const context: AdmissionContext = {
        config,
        agent: null,
        namespaceObject: null,
        policies: { builtin, custom },
        resources: orkaResources,
      };
      const full = admit(input, context);
      const validateOnly = admit(input, { ...context, reportPatch: false });
      assert.deepEqual(validateOnly, { ...full, patch: [] });
      if (operation !== 'UPDATE')
        assert.ok(full.patch.length > 0, 'the full chain reports a patch');
    });
  }
}

test('isNumbersOnly: no BigInt and no undefined member anywhere', () => {
  const table: [unknown, boolean][] = [
    [{ a: 1, b: [1.5, 'x', null, true], c: { d: {} } }, true],
    [{ a: { b: [1n] } }, false],
    [{ a: { b: undefined } }, false],
    [[undefined], false],
    [12n, false],
    ['text', true],
  ];
  for (const [value, expected] of table) assert.equal(isNumbersOnly(value), expected);
});
