import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { tempStore } from './temp-store.ts';

describe('deleteTaskData', () => {
  test('removes the result, the artifacts and the Task’s session locks, keeping transcripts', (t) => {
    const store = tempStore(t);
    store.results.put('team-a', 'fix-tests', 'done');
    store.artifacts.put('team-a', 'fix-tests', 'a.txt', 'a');
    store.artifacts.put('team-a', 'fix-tests', 'b.txt', 'b');
    store.locks.acquire('team-a', 'my-session', 'fix-tests', { createSession: true });
    store.sessions.appendMessages('team-a', 'my-session', [
      { role: 'user', content: 'Fix the tests', taskName: 'fix-tests' },
    ]);
    // Another Task's data in the same namespace stays.
    store.results.put('team-a', 'other', 'kept');
    store.artifacts.put('team-a', 'other', 'a.txt', 'kept');
    store.locks.acquire('team-a', 'other-session', 'other', { createSession: true });

    assert.deepEqual(store.deleteTaskData('team-a', 'fix-tests'), {
      result: true,
      artifacts: 2,
      releasedSessions: ['my-session'],
    });
    assert.equal(store.results.has('team-a', 'fix-tests'), false);
    assert.deepEqual(store.artifacts.list('team-a', 'fix-tests'), []);
    assert.equal(store.locks.holder('team-a', 'my-session'), undefined);
    assert.deepEqual(
      store.sessions.loadTranscript('team-a', 'my-session').map((m) => m.content),
      ['Fix the tests'],
    );

    assert.equal(store.results.get('team-a', 'other')?.data.toString(), 'kept');
    assert.equal(store.artifacts.list('team-a', 'other').length, 1);
    assert.equal(store.locks.holder('team-a', 'other-session')?.taskName, 'other');
  });

  test('is a no-op for a Task with nothing stored', (t) => {
    const store = tempStore(t);
    assert.deepEqual(store.deleteTaskData('team-a', 'never-ran'), {
      result: false,
      artifacts: 0,
      releasedSessions: [],
    });
  });

  test('refuses a missing namespace instead of deleting across namespaces', (t) => {
    const store = tempStore(t);
    store.results.put('team-a', 'fix-tests', 'done');
    assert.throws(
      () => store.deleteTaskData(undefined as unknown as string, 'fix-tests'),
      /namespace is required \(a non-empty string\), got undefined/,
    );
    assert.equal(store.results.has('team-a', 'fix-tests'), true);
  });
});
