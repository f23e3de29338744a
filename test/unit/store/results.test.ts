import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InvalidArgumentError, MAX_RESULT_BYTES, TooLargeError } from '../../../store/index.ts';
import { manualClock, tempStore } from './temp-store.ts';

describe('results', () => {
  test('put then get returns the text with its timestamps; a re-put replaces it', (t) => {
    const clock = manualClock('2026-01-01T00:00:00.000Z');
    const store = tempStore(t, { clock: clock.now });
    store.results.put('team-a', 'fix-tests', 'first');
    clock.set('2026-01-01T00:00:01.000Z');
    store.results.put('team-a', 'fix-tests', 'second');
    const result = store.results.get('team-a', 'fix-tests');
    assert.deepEqual(result && { ...result, data: result.data.toString('utf8') }, {
      namespace: 'team-a',
      taskName: 'fix-tests',
      data: 'second',
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:01.000Z',
    });
  });

  test('bytes come back exactly, including ones that are not UTF-8', (t) => {
    const store = tempStore(t);
    const bytes = new Uint8Array([0, 255, 254, 0x80, 10, 0]);
    store.results.put('team-a', 'binary', bytes);
    assert.deepEqual(new Uint8Array(store.results.get('team-a', 'binary')!.data), bytes);
  });

  test('has and delete report whether there is a result', (t) => {
    const store = tempStore(t);
    assert.equal(store.results.has('team-a', 'fix-tests'), false);
    assert.equal(store.results.get('team-a', 'fix-tests'), undefined);
    store.results.put('team-a', 'fix-tests', '');
    assert.equal(store.results.has('team-a', 'fix-tests'), true);
    assert.equal(store.results.delete('team-a', 'fix-tests'), true);
    assert.equal(store.results.delete('team-a', 'fix-tests'), false);
    assert.equal(store.results.has('team-a', 'fix-tests'), false);
  });

  test('exactly 10 MiB is kept; one byte more is refused and the earlier result survives', (t) => {
    const store = tempStore(t);
    const limit = 'x'.repeat(MAX_RESULT_BYTES);
    store.results.put('team-a', 'big', limit);
    assert.equal(store.results.get('team-a', 'big')!.data.length, MAX_RESULT_BYTES);

    assert.throws(
      () => store.results.put('team-a', 'big', `${limit}y`),
      (error: unknown) => {
        assert.ok(error instanceof TooLargeError);
        assert.equal(error.code, 'too-large');
        assert.equal(error.sizeBytes, MAX_RESULT_BYTES + 1);
        assert.equal(
          error.message,
          'result for team-a/big is 10485761 bytes, over the 10 MiB limit (10485760 bytes)',
        );
        return true;
      },
    );
    const kept = store.results.get('team-a', 'big')!;
    assert.equal(kept.data.length, MAX_RESULT_BYTES);
    assert.equal(kept.data.at(-1), 'x'.charCodeAt(0));
  });

  test('the limit counts UTF-8 bytes, not characters', (t) => {
    const store = tempStore(t);
    const text = 'é'.repeat(MAX_RESULT_BYTES / 2 + 1);
    assert.throws(() => store.results.put('team-a', 'accents', text), TooLargeError);
    assert.equal(store.results.has('team-a', 'accents'), false);
  });

  const badArguments: Array<[string, () => unknown, RegExp]> = [
    ['empty namespace', () => ['', 'fix-tests'], /namespace is required/],
    ['upper-case namespace', () => ['Team-A', 'fix-tests'], /namespace "Team-A" is not a valid/],
    ['namespace over 63', () => ['a'.repeat(64), 'fix-tests'], /not a valid namespace name/],
    ['missing task name', () => ['team-a', undefined], /task name is required.*undefined/],
    ['task name with /', () => ['team-a', 'a/b'], /task name "a\/b" is not a valid Task name/],
    ['task name over 253', () => ['team-a', 'a'.repeat(254)], /not a valid Task name/],
  ];
  for (const [name, args, message] of badArguments) {
    test(`refuses ${name} with a clear error`, (t) => {
      const store = tempStore(t);
      const [namespace, task] = args() as [string, string];
      assert.throws(() => store.results.put(namespace, task, 'x'), InvalidArgumentError);
      assert.throws(() => store.results.get(namespace, task), message);
    });
  }

  test('refuses data that is neither text nor bytes', (t) => {
    const store = tempStore(t);
    assert.throws(
      () => store.results.put('team-a', 'fix-tests', { result: 1 } as unknown as string),
      /result must be a string or bytes, got object/,
    );
  });
});
