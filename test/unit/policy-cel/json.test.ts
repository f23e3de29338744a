import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  JsonParseError,
  parseJsonOfSafeIntegers,
  parseJsonPreservingIntegers,
  stringifyJsonPreservingIntegers,
  toCelValue,
} from '../../../policy/cel/json.ts';

describe('parseJsonPreservingIntegers', () => {
  const cases: [string, unknown][] = [
    ['3', 3n],
    ['-0', 0n],
    ['9007199254740993', 9007199254740993n],
    ['9223372036854775807', 9223372036854775807n],
    ['9223372036854775808', 2 ** 63],
    ['2.0', 2],
    ['1e3', 1000],
    ['-1.5E-2', -0.015],
    ['"a\\u00e9\\n\\"b"', 'aé\n"b'],
    ['[1, 2.5, true, null, "x"]', [1n, 2.5, true, null, 'x']],
    ['{"a": {"b": [10]}}', { a: { b: [10n] } }],
  ];
  for (const [text, expected] of cases) {
    test(text, () => assert.deepEqual(parseJsonPreservingIntegers(text), expected));
  }

  test('__proto__ is an own key, as with JSON.parse', () => {
    const value = parseJsonPreservingIntegers('{"__proto__": {"polluted": 1}}') as object;
    assert.equal(Object.getPrototypeOf(value), Object.prototype);
    assert.deepEqual(Object.keys(value), ['__proto__']);
  });

  const invalid = [
    '',
    '{',
    '[1,]',
    '{"a" 1}',
    '01',
    '1.',
    '"\\x"',
    '"a',
    'tru',
    '{} x',
    '"\u0001"',
  ];
  for (const text of invalid) {
    test(`refuses ${JSON.stringify(text)} with a position`, () => {
      assert.throws(() => parseJsonPreservingIntegers(text), {
        name: 'JsonParseError',
        message: /^invalid JSON at position \d+: /,
      });
    });
  }

  test('refuses nesting deeper than 1000 levels without exhausting the stack', () => {
    assert.throws(() => parseJsonPreservingIntegers('['.repeat(5000)), JsonParseError);
  });

  test('agrees with JSON.parse on any JSON value, numbers aside', () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        const expected = toCelValue(JSON.parse(text));
        const actual = parseJsonPreservingIntegers(text);
        assert.equal(
          stringifyJsonPreservingIntegers(actual),
          stringifyJsonPreservingIntegers(expected),
        );
      }),
    );
  });

  test('round-trips integers of any size in int64 exactly', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (value) => {
        const text = stringifyJsonPreservingIntegers({ value });
        assert.deepEqual(parseJsonPreservingIntegers(text), { value });
      }),
    );
  });
});

test('toCelValue makes integral numbers ints and drops undefined members', () => {
  assert.deepEqual(toCelValue({ a: 1, b: 1.5, c: [2], d: undefined, e: null }), {
    a: 1n,
    b: 1.5,
    c: [2n],
    e: null,
  });
  assert.throws(() => toCelValue(() => 1), /cannot convert a function/);
});

test('toCelValue returns plain values that need no conversion as they are, and copies the rest', () => {
  const noNumbers = { metadata: { name: 'fix', labels: { a: 'b' } }, list: ['x', true, null] };
  assert.equal(toCelValue(noNumbers), noNumbers);

  const withNumber = { metadata: { name: 'fix' }, spec: { maxTurns: 3, tools: ['Read'] } };
  const converted = toCelValue(withNumber) as typeof withNumber;
  assert.notEqual(converted, withNumber);
  assert.notEqual(converted.spec, withNumber.spec);
  assert.equal(converted.metadata, withNumber.metadata, 'a member with no number is shared');
  assert.equal(converted.spec.tools, withNumber.spec.tools);
  assert.deepEqual(withNumber, {
    metadata: { name: 'fix' },
    spec: { maxTurns: 3, tools: ['Read'] },
  });

  const laterNumber = ['a', 'b', 2];
  assert.deepEqual(toCelValue(laterNumber), ['a', 'b', 2n]);
  assert.deepEqual(laterNumber, ['a', 'b', 2], 'the input is never changed');

  const laterUndefined = { a: 'x', b: undefined, c: 'y' };
  const dropped = toCelValue(laterUndefined);
  assert.notEqual(dropped, laterUndefined);
  assert.deepEqual(Object.keys(dropped as object), ['a', 'c']);

  class Custom {
    name = 'x';
  }
  const custom = toCelValue(new Custom());
  assert.equal(Object.getPrototypeOf(custom), Object.prototype, 'a class instance is copied');
  const bare = Object.assign(Object.create(null), { name: 'x' });
  assert.equal(Object.getPrototypeOf(toCelValue(bare)), Object.prototype);

  const proto = JSON.parse('{"__proto__": {"a": 1}, "b": "c"}');
  const protoCopy = toCelValue(proto) as Record<string, unknown>;
  assert.deepEqual(Object.keys(protoCopy), ['__proto__', 'b']);
  assert.equal(Object.getPrototypeOf(protoCopy), Object.prototype);
  assert.deepEqual(Object.getOwnPropertyDescriptor(protoCopy, '__proto__')?.value, { a: 1n });
});

test('toCelValue: a converted copy has the same values as a deep conversion (property)', () => {
  const deepConvert = (value: unknown): unknown => {
    if (typeof value === 'number') return Number.isSafeInteger(value) ? BigInt(value) : value;
    if (Array.isArray(value)) return value.map(deepConvert);
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(
        Object.entries(value)
          .filter(([, member]) => member !== undefined)
          .map(([key, member]) => [key, deepConvert(member)]),
      );
    }
    return value;
  };
  fc.assert(
    fc.property(fc.jsonValue(), (value) => {
      const before = JSON.stringify(value);
      assert.deepStrictEqual(toCelValue(value), deepConvert(value));
      assert.equal(JSON.stringify(value), before);
    }),
  );
});

test('nesting deeper than 1000 levels is refused whichever parsing path the text takes', () => {
  const deep = `${'['.repeat(1500)}${']'.repeat(1500)}`;
  assert.throws(() => parseJsonPreservingIntegers(deep), /nest/);
  assert.throws(
    () => parseJsonPreservingIntegers(`${'['.repeat(1500)}1.5${']'.repeat(1500)}`),
    /nest/,
  );
});

test('the nesting limit at its edge: the shortest texts just inside and just past it', () => {
  const nested = (containers: number, inner = '') =>
    `${'['.repeat(containers)}${inner}${']'.repeat(containers)}`;
  // the innermost of 1001 lists sits at depth 1000: accepted, by both parsing paths
  assert.equal(JSON.stringify(parseJsonPreservingIntegers(nested(1001))), nested(1001));
  assert.equal(parseJsonOfSafeIntegers(nested(1001)) !== undefined, true);
  // one level more, as a list or a number, is refused (texts of 2,003 and 2,004 characters)
  for (const text of [nested(1001, '0'), nested(1002), nested(1001, '1.5')]) {
    assert.equal(parseJsonOfSafeIntegers(text), undefined, `${text.length} characters`);
    assert.throws(() => parseJsonPreservingIntegers(text), /nest/);
  }
});
