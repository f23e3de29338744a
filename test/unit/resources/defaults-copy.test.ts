// applySchemaDefaults copies JSON-like values itself (resources/defaults.ts): the copy must be as
// independent and as faithful as structuredClone's for every kind of value a resource can hold.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applySchemaDefaults } from '../../../resources/defaults.ts';

const schema = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      properties: { priority: { type: 'integer', default: 500 }, items: { type: 'array' } },
    },
  },
};

describe('the defaulted copy', () => {
  const cases: { name: string; spec: Record<string, unknown> }[] = [
    {
      name: 'strings, booleans, null members and nested lists',
      spec: { a: 'x', b: true, items: [[1], { c: null }] },
    },
    { name: 'BigInts past 2^53', spec: { big: 2n ** 60n, items: [2n ** 62n] } },
    { name: 'an undefined member keeps its key', spec: { gone: undefined } },
    { name: 'a Date (from YAML) is copied as a Date', spec: { when: new Date(0) } },
  ];
  for (const { name, spec } of cases) {
    test(name, () => {
      const input = { spec };
      const copy = applySchemaDefaults(input, schema);
      const copied: Record<string, unknown> = copy.spec;
      assert.deepEqual(copy, { spec: { ...structuredClone(spec), priority: 500 } });
      assert.deepEqual(Object.keys(copy.spec), [...Object.keys(spec), 'priority']);
      assert.notEqual(copy.spec, input.spec);
      assert.equal(Object.hasOwn(input.spec, 'priority'), false, 'the input is left as it was');
      for (const key of Object.keys(spec)) {
        const value = spec[key];
        if (typeof value === 'object' && value !== null) assert.notEqual(copied[key], value);
      }
    });
  }

  test('a __proto__ member is copied as an own member, never as the prototype', () => {
    const input = JSON.parse('{"spec":{"__proto__":{"polluted":true}}}');
    const copy = applySchemaDefaults(input, schema) as { spec: Record<string, unknown> };
    assert.deepEqual(Object.keys(copy.spec), ['__proto__', 'priority']);
    assert.equal(Object.getPrototypeOf(copy.spec), Object.prototype);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  test('null-prototype maps are copied as plain objects, as structuredClone does', () => {
    const spec = Object.assign(Object.create(null), { a: 1 });
    const copy = applySchemaDefaults({ spec }, schema) as { spec: object };
    assert.equal(Object.getPrototypeOf(copy.spec), Object.getPrototypeOf(structuredClone(spec)));
  });
});
