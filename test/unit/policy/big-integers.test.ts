// Integers beyond 2^53 reach the chain as exact BigInts (the webhook decodes them so). Defaulting
// diffs, schema validation, patches and JSON output must handle them: an out-of-range value is a
// schema denial naming the field with its exact digits, never an InternalError.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createExpressionCompiler } from '../../../policy/admission-policy/expression-compiler.ts';
import { compileBuiltins, enabledBuiltins } from '../../../policy/builtin/index.ts';
import { stringifyJsonPreservingIntegers } from '../../../policy/cel/json.ts';
import { admit } from '../../../policy/chain/admit.ts';
import { policyConfigFromFlags } from '../../../policy/chain/config.ts';
import { diffPatch } from '../../../policy/chain/diff.ts';
import { forSchemaValidation, toPlainJson } from '../../../policy/chain/plain-json.ts';
import { orkaResources } from '../../../policy/chain/resource-model.ts';
import { applyPatch } from '../../../policy/json-patch/apply.ts';
import { decodeAdmissionReview } from '../../../webhooks/review.ts';

const compiled = compileBuiltins(createExpressionCompiler());

/** The AdmissionReview text the apiserver sends for a Task whose `extraSpec` is spliced in raw. */
function taskReview(extraSpec: string): string {
  return `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{
    "uid":"u-1","kind":{"group":"core.orka.ai","version":"v1alpha1","kind":"Task"},
    "resource":{"group":"core.orka.ai","version":"v1alpha1","resource":"tasks"},
    "namespace":"default","operation":"CREATE",
    "userInfo":{"username":"alice","groups":["system:authenticated"]},
    "object":{"apiVersion":"core.orka.ai/v1alpha1","kind":"Task",
      "metadata":{"name":"big","namespace":"default"},
      "spec":{"type":"agent","agentRef":{"name":"claude-agent"},"prompt":"p",${extraSpec}}}}}`;
}

function admitReview(text: string) {
  const { input } = decodeAdmissionReview(text);
  const config = policyConfigFromFlags({});
  return admit(input, {
    config,
    agent: null,
    namespaceObject: null,
    policies: { builtin: enabledBuiltins(compiled, config), custom: [] },
    resources: orkaResources,
  });
}

describe('integers beyond 2^53 through the admission chain', () => {
  const outOfRange = [
    { priority: '99999999999999999999', shown: '100000000000000000000' },
    { priority: '9223372036854775807', shown: '9223372036854775807' },
    { priority: '9007199254740993', shown: '9007199254740993' },
    { priority: '-9223372036854775808', shown: '-9223372036854775808' },
  ];
  for (const { priority, shown } of outOfRange) {
    test(`priority ${priority} is a schema denial naming spec.priority`, () => {
      const decision = admitReview(taskReview(`"priority":${priority}`));
      assert.equal(decision.allowed, false);
      assert.equal(decision.code, 422);
      const schema = decision.denials.filter((denial) => denial.policy === 'schema');
      assert.ok(schema.length > 0, JSON.stringify(decision.denials.map((d) => d.message)));
      for (const denial of schema) {
        assert.equal(denial.reason, 'Invalid');
        assert.match(denial.message, new RegExp(`^spec\\.priority: Invalid value: ${shown}: `));
      }
      assert.ok(decision.denials.every((denial) => denial.reason !== 'InternalError'));
    });
  }

  test('an int64 field keeps an exact value past 2^53 and the patch carries it exactly', () => {
    const tolerations =
      '"execution":{"tolerations":[{"key":"k","operator":"Exists","effect":"NoExecute","tolerationSeconds":9223372036854775807}]}';
    const decision = admitReview(taskReview(tolerations));
    assert.deepEqual(decision.denials, []);
    assert.equal(decision.allowed, true);
    const spec = decision.object?.spec as {
      execution: { tolerations: [{ tolerationSeconds: unknown }] };
    };
    assert.equal(spec.execution.tolerations[0].tolerationSeconds, 9223372036854775807n);
    const patchText = stringifyJsonPreservingIntegers(decision.patch);
    assert.ok(!patchText.includes('9223372036854775807'), 'defaulting must not rewrite the value');
  });
});

describe('a controller UPDATE carrying an integer past 2^53', () => {
  test('is compared exactly when deciding whether custom policies apply, not an InternalError', () => {
    const spec =
      '"execution":{"tolerations":[{"key":"k","operator":"Exists","effect":"NoExecute","tolerationSeconds":9223372036854775807}]}';
    const object = `{"apiVersion":"core.orka.ai/v1alpha1","kind":"Task","metadata":{"name":"big","namespace":"default","finalizers":["orka.ai/cleanup"]},"spec":{"type":"agent","agentRef":{"name":"claude-agent"},"prompt":"p",${spec}}}`;
    const old = object.replace(',"finalizers":["orka.ai/cleanup"]', '');
    const text = taskReview('"priority":1')
      .replace('"operation":"CREATE"', '"operation":"UPDATE"')
      .replace(
        '"userInfo":{"username":"alice","groups":["system:authenticated"]}',
        '"userInfo":{"username":"system:serviceaccount:orka-system:orka","groups":[]}',
      )
      .replace(/"object":\{[\s\S]*\}\}\}$/, `"object":${object},"oldObject":${old}}}`);
    const decision = admitReview(text);
    assert.deepEqual(decision.denials, []);
    assert.equal(decision.allowed, true);
  });
});

describe('BigInt-safe helpers', () => {
  test('diffPatch compares exact integers and never throws on BigInt', () => {
    const before = { spec: { count: 9007199254740993n, same: 2n ** 62n } };
    const after = { spec: { count: 9007199254740995n, same: 2n ** 62n, added: 2n ** 60n } };
    assert.deepEqual(diffPatch(before, after), [
      { op: 'replace', path: '/spec/count', value: 9007199254740995n },
      { op: 'add', path: '/spec/added', value: 2n ** 60n },
    ]);
    assert.deepEqual(diffPatch(before, structuredClone(before)), []);
  });

  const plainCases = [
    { name: 'safe BigInt becomes a number', value: 42n, plain: 42, forSchema: 42 },
    {
      name: 'BigInt past 2^53 stays exact in the chain, a double for the validator',
      value: 2n ** 60n,
      plain: 2n ** 60n,
      forSchema: 2 ** 60,
    },
    {
      name: 'nested values are converted',
      value: { a: [1n, -(2n ** 63n)], b: 'x' },
      plain: { a: [1, -(2n ** 63n)], b: 'x' },
      forSchema: { a: [1, -(2 ** 63)], b: 'x' },
    },
  ];
  for (const { name, value, plain, forSchema } of plainCases) {
    test(`toPlainJson / forSchemaValidation: ${name}`, () => {
      assert.deepEqual(toPlainJson(value), plain);
      assert.deepEqual(forSchemaValidation(value), forSchema);
    });
  }

  test('a JSON Patch test op compares a BigInt document value with a number by value', () => {
    const document = { spec: { big: 2n ** 60n, small: 7 } };
    assert.doesNotThrow(() =>
      applyPatch(document, [
        { op: 'test', path: '/spec/big', value: 2n ** 60n },
        { op: 'test', path: '/spec/small', value: 7n },
      ]),
    );
    assert.throws(
      () => applyPatch(document, [{ op: 'test', path: '/spec/big', value: 2 ** 61 }]),
      /test failed at "\/spec\/big"/,
    );
  });
});
