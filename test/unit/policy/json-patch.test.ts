import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyPatch, type PatchOperation } from '../../../policy/json-patch/apply.ts';

const doc = {
  spec: { tools: ['Read'], execution: { runtimeClassName: 'kata' } },
  'a/b': { '~c': 1 },
};

describe('RFC 6902 patches', () => {
  const applies: [string, PatchOperation[], unknown][] = [
    [
      'add a member',
      [{ op: 'add', path: '/spec/prompt', value: 'x' }],
      { ...doc, spec: { ...doc.spec, prompt: 'x' } },
    ],
    [
      'add appends to a list with -',
      [{ op: 'add', path: '/spec/tools/-', value: 'Bash' }],
      { ...doc, spec: { ...doc.spec, tools: ['Read', 'Bash'] } },
    ],
    [
      'replace an existing member',
      [{ op: 'replace', path: '/spec/execution/runtimeClassName', value: 'gvisor' }],
      { ...doc, spec: { ...doc.spec, execution: { runtimeClassName: 'gvisor' } } },
    ],
    [
      'remove',
      [{ op: 'remove', path: '/spec/tools' }],
      { ...doc, spec: { execution: doc.spec.execution } },
    ],
    [
      'escaped tokens',
      [{ op: 'replace', path: '/a~1b/~0c', value: 2 }],
      { ...doc, 'a/b': { '~c': 2 } },
    ],
    [
      'move',
      [{ op: 'move', from: '/spec/tools', path: '/tools' }],
      { ...doc, spec: { execution: doc.spec.execution }, tools: ['Read'] },
    ],
    ['passing test', [{ op: 'test', path: '/spec/tools/0', value: 'Read' }], doc],
  ];
  for (const [name, operations, expected] of applies) {
    test(name, () => assert.deepEqual(applyPatch(doc, operations), expected));
  }

  const fails: [string, PatchOperation, RegExp][] = [
    [
      'parent must exist',
      { op: 'add', path: '/spec/workspace/gitRepo', value: 'x' },
      /parent does not exist/,
    ],
    [
      'replace needs the member',
      { op: 'replace', path: '/spec/prompt', value: 'x' },
      /does not exist/,
    ],
    ['remove needs the member', { op: 'remove', path: '/spec/prompt' }, /does not exist/],
    ['index out of range', { op: 'add', path: '/spec/tools/5', value: 'x' }, /out of range/],
    ['failing test', { op: 'test', path: '/spec/tools/0', value: 'Bash' }, /test failed/],
    ['pointer without slash', { op: 'add', path: 'spec', value: 1 }, /must start with/],
  ];
  for (const [name, operation, message] of fails) {
    test(name, () => assert.throws(() => applyPatch(doc, [operation]), message));
  }

  test('the input document is left unchanged', () => {
    const before = structuredClone(doc);
    applyPatch(doc, [{ op: 'remove', path: '/spec/tools' }]);
    assert.deepEqual(doc, before);
  });
});
