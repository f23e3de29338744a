import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InvalidArgumentError, MAX_ARTIFACT_BYTES, TooLargeError } from '../../../store/index.ts';
import { manualClock, tempStore } from './temp-store.ts';

describe('artifacts', () => {
  test('put, list (by filename, without bytes) and get', (t) => {
    const clock = manualClock('2026-01-01T00:00:00.000Z');
    const store = tempStore(t, { clock: clock.now });
    store.artifacts.put('team-a', 'fix-tests', 'report.md', '# Report', 'text/markdown');
    clock.set('2026-01-01T00:00:01.000Z');
    store.artifacts.put('team-a', 'fix-tests', 'diff.patch', Buffer.from([1, 2, 3]));
    assert.deepEqual(store.artifacts.list('team-a', 'fix-tests'), [
      {
        filename: 'diff.patch',
        contentType: 'application/octet-stream',
        size: 3,
        createdAt: '2026-01-01T00:00:01.000Z',
      },
      {
        filename: 'report.md',
        contentType: 'text/markdown',
        size: 8,
        createdAt: '2026-01-01T00:00:00.000Z',
      },
    ]);
    const report = store.artifacts.get('team-a', 'fix-tests', 'report.md')!;
    assert.equal(report.data.toString('utf8'), '# Report');
    assert.equal(report.contentType, 'text/markdown');
    assert.equal(report.taskName, 'fix-tests');
    assert.equal(store.artifacts.get('team-a', 'fix-tests', 'missing.txt'), undefined);
    assert.deepEqual(store.artifacts.list('team-a', 'other-task'), []);
  });

  test('a re-upload replaces the file', (t) => {
    const store = tempStore(t);
    store.artifacts.put('team-a', 'fix-tests', 'out.txt', 'one');
    store.artifacts.put('team-a', 'fix-tests', 'out.txt', 'three', 'text/plain');
    const artifact = store.artifacts.get('team-a', 'fix-tests', 'out.txt')!;
    assert.equal(artifact.data.toString(), 'three');
    assert.equal(artifact.size, 5);
    assert.equal(artifact.contentType, 'text/plain');
    assert.equal(store.artifacts.list('team-a', 'fix-tests').length, 1);
  });

  test('over 10 MiB is refused and the earlier file survives', (t) => {
    const store = tempStore(t);
    store.artifacts.put('team-a', 'fix-tests', 'big.bin', Buffer.alloc(MAX_ARTIFACT_BYTES, 1));
    assert.throws(
      () =>
        store.artifacts.put('team-a', 'fix-tests', 'big.bin', Buffer.alloc(MAX_ARTIFACT_BYTES + 1)),
      (error: unknown) =>
        error instanceof TooLargeError &&
        error.message ===
          'artifact big.bin of team-a/fix-tests is 10485761 bytes, over the 10 MiB limit (10485760 bytes)',
    );
    const kept = store.artifacts.get('team-a', 'fix-tests', 'big.bin')!;
    assert.equal(kept.size, MAX_ARTIFACT_BYTES);
    assert.equal(kept.data[0], 1);
  });

  const badFilenames: Array<[string, string, string]> = [
    ['too long', 'a'.repeat(256), 'filename exceeds 255 character limit'],
    ['a control character', 'a\nb.txt', 'filename contains invalid characters'],
    ['DEL', 'a\u007fb', 'filename contains invalid characters'],
    ['a slash', 'dir/file.txt', 'filename contains invalid characters'],
    ['a backslash', 'dir\\file.txt', 'filename contains invalid characters'],
    ['dot', '.', 'invalid filename'],
    ['dot-dot', '..', 'invalid filename'],
    ['empty', '', 'artifact filename is required (a non-empty string), got ""'],
  ];
  for (const [name, filename, message] of badFilenames) {
    test(`refuses a filename that is ${name}`, (t) => {
      const store = tempStore(t);
      assert.throws(
        () => store.artifacts.put('team-a', 'fix-tests', filename, 'x'),
        (error: unknown) => error instanceof InvalidArgumentError && error.message === message,
      );
      assert.deepEqual(store.artifacts.list('team-a', 'fix-tests'), []);
    });
  }

  test('accepts 255 characters and names with spaces, dots and unicode', (t) => {
    const store = tempStore(t);
    for (const filename of ['a'.repeat(255), 'my report.v2.md', 'résumé.pdf', '.hidden']) {
      store.artifacts.put('team-a', 'fix-tests', filename, 'x');
      assert.equal(store.artifacts.get('team-a', 'fix-tests', filename)?.filename, filename);
    }
  });

  test('refuses a content type with a line break (it would become a response header)', (t) => {
    const store = tempStore(t);
    assert.throws(
      () => store.artifacts.put('team-a', 'fix-tests', 'a.txt', 'x', 'text/plain\r\nX-Evil: 1'),
      /content type "text\/plain\\r\\nX-Evil: 1" is not a valid media type/,
    );
  });
});
