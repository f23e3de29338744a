// diffPatch (policy/chain/diff.ts) reports what defaulting changed. Its fast comparison of equal
// members must agree with comparing their exact JSON text in every case below.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { diffPatch } from '../../../policy/chain/diff.ts';

describe('diffPatch', () => {
  const cases: { name: string; before: unknown; after: unknown; patch: unknown[] }[] = [
    {
      name: 'equal objects',
      before: { a: 'x', b: true, c: null },
      after: { a: 'x', b: true, c: null },
      patch: [],
    },
    {
      name: 'a member removed, then one added',
      before: { a: 1, b: null },
      after: { a: 1, c: 2 },
      patch: [
        { op: 'remove', path: '/b' },
        { op: 'add', path: '/c', value: 2 },
      ],
    },
    {
      name: 'members replaced in the order of the new object',
      before: { b: 'old', a: 1 },
      after: { a: 2, b: 'new' },
      patch: [
        { op: 'replace', path: '/a', value: 2 },
        { op: 'replace', path: '/b', value: 'new' },
      ],
    },
    {
      name: 'keys with ~ and / are escaped',
      before: { 'a/b': 1, 'c~d': { e: 1 } },
      after: { 'a/b': 2, 'c~d': { e: 1, f: 0 } },
      patch: [
        { op: 'replace', path: '/a~1b', value: 2 },
        { op: 'add', path: '/c~0d/f', value: 0 },
      ],
    },
    { name: 'an integer equals its BigInt', before: { n: 5 }, after: { n: 5n }, patch: [] },
    { name: '-0 reads as 0', before: { n: -0 }, after: { n: 0 }, patch: [] },
    {
      name: 'a number is not its string',
      before: { n: 5 },
      after: { n: '5' },
      patch: [{ op: 'replace', path: '/n', value: '5' }],
    },
    {
      name: 'lists are replaced whole when their text differs',
      before: { l: [1, { a: 1 }] },
      after: { l: [1, { a: 2 }] },
      patch: [{ op: 'replace', path: '/l', value: [1, { a: 2 }] }],
    },
    {
      name: 'equal lists stay',
      before: { l: [1, { a: 1 }] },
      after: { l: [1, { a: 1 }] },
      patch: [],
    },
    {
      name: 'an undefined member reads as absent',
      before: { u: undefined },
      after: { u: undefined },
      patch: [],
    },
    {
      name: 'an object replacing a scalar',
      before: { s: 'x' },
      after: { s: { a: 1 } },
      patch: [{ op: 'replace', path: '/s', value: { a: 1 } }],
    },
  ];
  for (const { name, before, after, patch } of cases) {
    test(name, () => assert.deepEqual(diffPatch(before, after), patch));
  }

  test('a non-finite number has no JSON form, even when unchanged', () => {
    assert.throws(
      () => diffPatch({ n: Number.POSITIVE_INFINITY }, { n: Number.POSITIVE_INFINITY }),
      TypeError,
    );
  });
});
