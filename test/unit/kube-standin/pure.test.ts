import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Json, jsonPatch, mergePatch } from '../../kube/patch.ts';
import type { Schema } from '../../kube/resource-types.ts';
import { applyDefaults, prune } from '../../kube/schema.ts';
import { matchesRequirements, parseLabelSelector } from '../../kube/selectors.ts';

describe('kube stand-in pure parts', () => {
  test('label selector table', () => {
    const labels = { app: 'web', tier: 'front', n: '5' };
    const cases: Array<[string, boolean]> = [
      ['app=web', true],
      ['app==web', true],
      ['app!=web', false],
      ['app in (db,web)', true],
      ['app notin (db,web)', false],
      ['tier', true],
      ['!tier', false],
      ['missing!=x', true],
      ['n>4', true],
      ['n<5', false],
      ['app=web,tier=back', false],
      ['', true],
    ];
    for (const [selector, expected] of cases) {
      assert.equal(matchesRequirements(parseLabelSelector(selector), labels), expected, selector);
    }
    assert.throws(() => parseLabelSelector('a in b'), /unable to parse requirement/);
  });

  test('nested structural defaults apply inside defaulted parents; pruning keeps preserved subtrees', () => {
    const schema: Schema = {
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          properties: {
            options: {
              type: 'object',
              default: {},
              properties: { color: { type: 'string', default: 'blue' } },
            },
            items: {
              type: 'array',
              items: { type: 'object', properties: { w: { type: 'integer', default: 1 } } },
            },
            free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
          },
        },
      },
    };
    const o = {
      metadata: { name: 'x' },
      spec: { items: [{}, { w: 2, junk: true }], free: { any: 1 }, junk: 1 },
    };
    applyDefaults(o, schema);
    prune(o, schema, true);
    assert.deepEqual(o, {
      metadata: { name: 'x' },
      spec: { options: { color: 'blue' }, items: [{ w: 1 }, { w: 2 }], free: { any: 1 } },
    });
  });

  test('merge patch and json patch (RFC 7386 / 6902)', () => {
    const doc: Json = { a: { b: 1, c: [1, 2] }, d: 'x' };
    assert.deepEqual(mergePatch(doc, { a: { b: null, c: [3] }, e: true }), {
      a: { c: [3] },
      d: 'x',
      e: true,
    });
    assert.deepEqual(
      jsonPatch(doc, [
        { op: 'add', path: '/a/c/-', value: 3 },
        { op: 'move', from: '/d', path: '/f' },
        { op: 'copy', from: '/f', path: '/g' },
        { op: 'replace', path: '/a/b', value: 9 },
        { op: 'test', path: '/g', value: 'x' },
      ]),
      { a: { b: 9, c: [1, 2, 3] }, f: 'x', g: 'x' },
    );
    assert.throws(() => jsonPatch(doc, [{ op: 'remove', path: '/nope' }]), /nonexistent key/);
    assert.deepEqual(doc, { a: { b: 1, c: [1, 2] }, d: 'x' }, 'input untouched');
  });
});
