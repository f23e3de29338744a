// decodeAdmissionReview reads a body of safe integers with JSON.parse and hands its objects to the
// chain as they are; any other body goes through the exact parser. Both paths must decode the
// same objects and word the same errors (integers are named BigInts, as the exact parser makes
// them).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  BadRequestError,
  decodeAdmissionReview,
  InvalidRequestError,
} from '../../../webhooks/review.ts';

const request = (fields: string) =>
  `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u",` +
  `"kind":{"group":"core.orka.ai","version":"v1alpha1","kind":"Task"},` +
  `"resource":{"group":"core.orka.ai","version":"v1alpha1","resource":"tasks"},` +
  `"userInfo":{"username":"alice","groups":[]},${fields}}}`;

/** Forces the exact parser: a string member that looks like a fraction. */
const EXACT = ',"metadata":{"annotations":{"ratio":"1.5"}}';

describe('decoding the request object', () => {
  const cases: { name: string; spec: string; expected: Record<string, unknown> }[] = [
    {
      name: 'safe integers are numbers',
      spec: '{"priority":5,"list":[1,-2]}',
      expected: { priority: 5, list: [1, -2] },
    },
    {
      name: 'a negative zero reads as 0',
      spec: '{"priority":-0,"list":[ -0]}',
      expected: { priority: 0, list: [0] },
    },
    {
      name: 'integers past 2^53 stay exact',
      spec: '{"big":1152921504606846976}',
      expected: { big: 2n ** 60n },
    },
    { name: 'doubles stay doubles', spec: '{"ratio":0.5}', expected: { ratio: 0.5 } },
  ];
  for (const { name, spec, expected } of cases) {
    for (const [path, extra] of [
      ['as parsed', ''],
      ['by the exact parser', EXACT],
    ] as const) {
      test(`${name} (${path})`, () => {
        const { input } = decodeAdmissionReview(
          request(`"operation":"CREATE","object":{"spec":${spec}${extra}}`),
        );
        const object = input.object as { spec: Record<string, unknown> };
        assert.deepEqual(object.spec, expected);
        for (const value of Object.values(object.spec).flat()) assert.ok(!Object.is(value, -0));
      });
    }
  }

  test('a __proto__ member stays an own member on both paths', () => {
    for (const extra of ['', EXACT]) {
      const { input } = decodeAdmissionReview(
        request(`"operation":"CREATE","object":{"spec":{"__proto__":{"x":1}}${extra}}`),
      );
      const spec = (input.object as { spec: object }).spec;
      assert.deepEqual(Object.keys(spec), ['__proto__']);
      assert.equal(Object.getPrototypeOf(spec), Object.prototype);
    }
  });
});

describe('errors are worded alike on both paths', () => {
  const cases: { name: string; fields: string; message: RegExp }[] = [
    {
      name: 'an integer where a string belongs',
      fields: '"operation":5,"object":{}',
      message: /^request\.operation must be a string, got a bigint$/,
    },
    {
      name: 'a double where a string belongs',
      fields: '"operation":5.0,"object":{}',
      message: /^request\.operation must be a string, got a number$/,
    },
    {
      name: 'an integer where an object belongs',
      fields: '"operation":"CREATE","object":7',
      message: /^request\.object must be an object, got a bigint$/,
    },
  ];
  for (const { name, fields, message } of cases) {
    test(name, () => {
      assert.throws(
        () => decodeAdmissionReview(request(fields)),
        (thrown: unknown) => {
          assert.ok(thrown instanceof InvalidRequestError);
          assert.match((thrown as Error).message, message);
          return true;
        },
      );
    });
  }

  test('nesting deeper than 1000 levels is a bad request, not a decoded object', () => {
    const deep = `${'['.repeat(1001)}1${']'.repeat(1001)}`;
    assert.throws(
      () => decodeAdmissionReview(request(`"operation":"CREATE","object":{"spec":${deep}}`)),
      (thrown: unknown) =>
        thrown instanceof BadRequestError && /nesting deeper than 1000/.test(thrown.message),
    );
  });
});
