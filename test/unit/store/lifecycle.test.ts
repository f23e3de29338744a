import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { openStore } from '../../../store/index.ts';
import { manualClock, tempDir, tempStore } from './temp-store.ts';

describe('store lifecycle', () => {
  test('isHealthy and sizeBytes while open; close is final and may be repeated', (t) => {
    const store = openStore(join(tempDir(t), 'orka.db'));
    assert.equal(store.isHealthy(), true);
    const empty = store.sizeBytes();
    assert.ok(empty > 0);
    store.results.put('team-a', 'big', 'x'.repeat(1024 * 1024));
    assert.ok(store.sizeBytes() >= empty + 1024 * 1024);
    store.close();
    store.close();
    assert.equal(store.isHealthy(), false);
    assert.throws(() => store.results.get('team-a', 'big'), /not open/);
  });

  test('two connections to one file share data and locks (as two processes would)', (t) => {
    const path = join(tempDir(t), 'orka.db');
    const first = openStore(path);
    t.after(() => first.close());
    const second = openStore(path);
    t.after(() => second.close());
    assert.deepEqual(second.migration.applied, []);
    assert.equal(
      first.locks.acquire('team-a', 's', 'task-a', { createSession: true }).acquired,
      true,
    );
    assert.deepEqual(second.locks.acquire('team-a', 's', 'task-b'), {
      acquired: false,
      holder: 'task-a',
      message: 'session team-a/s is locked by task task-a',
    });
    second.results.put('team-a', 'task-b', 'from the second connection');
    assert.equal(
      first.results.get('team-a', 'task-b')?.data.toString(),
      'from the second connection',
    );
  });

  test('an empty append changes neither the count nor the update time', (t) => {
    const clock = manualClock('2026-01-01T00:00:00.000Z');
    const store = tempStore(t, { clock: clock.now });
    store.sessions.getOrCreate('team-a', 's', { create: true });
    clock.set('2026-02-01T00:00:00.000Z');
    assert.equal(store.sessions.appendMessages('team-a', 's', []), 0);
    assert.equal(store.sessions.get('team-a', 's')!.updatedAt, '2026-01-01T00:00:00.000Z');
    assert.throws(
      () => store.sessions.appendMessages('team-a', 'ghost', []),
      /session ghost not found/,
    );
  });
});
