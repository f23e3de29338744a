import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { Store } from '../../../store/index.ts';
import { tempStore } from './temp-store.ts';

const NAMESPACES = ['team-a', 'team-b'] as const;

/** The same names in both namespaces, with contents that say which namespace wrote them. */
function populate(store: Store): void {
  for (const ns of NAMESPACES) {
    store.results.put(ns, 'fix-tests', `result of ${ns}`);
    store.artifacts.put(ns, 'fix-tests', 'report.md', `report of ${ns}`);
    store.locks.acquire(ns, 'shared', `holder-${ns}`, { createSession: true });
    store.sessions.appendMessages(ns, 'shared', [{ role: 'user', content: `hello from ${ns}` }]);
  }
}

function snapshot(store: Store, ns: string) {
  return {
    result: store.results.get(ns, 'fix-tests')?.data.toString(),
    artifacts: store.artifacts.list(ns, 'fix-tests').map((a) => a.filename),
    report: store.artifacts.get(ns, 'fix-tests', 'report.md')?.data.toString(),
    sessions: store.sessions.list(ns).map((s) => [s.name, s.activeTask, s.messageCount]),
    transcript: store.sessions.loadTranscript(ns, 'shared').map((m) => m.content),
    locks: store.locks.list(ns).map((l) => [l.session, l.taskName]),
  };
}

function populatedSnapshot(ns: string) {
  return {
    result: `result of ${ns}`,
    artifacts: ['report.md'],
    report: `report of ${ns}`,
    sessions: [['shared', `holder-${ns}`, 1]],
    transcript: [`hello from ${ns}`],
    locks: [['shared', `holder-${ns}`]],
  };
}

describe('namespace confinement', () => {
  test('the same names in two namespaces never mix on read', (t) => {
    const store = tempStore(t);
    populate(store);
    for (const ns of NAMESPACES) assert.deepEqual(snapshot(store, ns), populatedSnapshot(ns));
    assert.deepEqual(snapshot(store, 'team-c'), {
      result: undefined,
      artifacts: [],
      report: undefined,
      sessions: [],
      transcript: [],
      locks: [],
    });
  });

  const writes: Array<[string, (store: Store) => void]> = [
    ['delete result', (s) => s.results.delete('team-a', 'fix-tests')],
    ['delete artifacts', (s) => s.artifacts.deleteAll('team-a', 'fix-tests')],
    ['delete Task data', (s) => s.deleteTaskData('team-a', 'fix-tests')],
    ['release lock', (s) => s.locks.release('team-a', 'shared', 'holder-team-a')],
    ['release all locks of a Task', (s) => s.locks.releaseAllHeldBy('team-a', 'holder-team-a')],
    ['delete session', (s) => s.sessions.delete('team-a', 'shared')],
    [
      'append',
      (s) => s.sessions.appendMessages('team-a', 'shared', [{ role: 'user', content: 'x' }]),
    ],
    ['replace result', (s) => s.results.put('team-a', 'fix-tests', 'replaced')],
    ['replace artifact', (s) => s.artifacts.put('team-a', 'fix-tests', 'report.md', 'replaced')],
  ];
  for (const [name, write] of writes) {
    test(`${name} in one namespace leaves the other untouched`, (t) => {
      const store = tempStore(t);
      populate(store);
      write(store);
      assert.notDeepEqual(
        snapshot(store, 'team-a'),
        populatedSnapshot('team-a'),
        'the write did something',
      );
      assert.deepEqual(snapshot(store, 'team-b'), populatedSnapshot('team-b'));
    });
  }

  test('a lock in one namespace does not block the same session name in another', (t) => {
    const store = tempStore(t);
    store.locks.acquire('team-a', 'shared', 'task-x', { createSession: true });
    assert.equal(
      store.locks.acquire('team-b', 'shared', 'task-y', { createSession: true }).acquired,
      true,
    );
    assert.equal(store.locks.release('team-b', 'shared', 'task-x'), false);
    assert.equal(store.locks.holder('team-a', 'shared')?.taskName, 'task-x');
  });

  test('every data statement in store/ names the namespace', () => {
    const folder = new URL('../../../store/', import.meta.url);
    const dataTable =
      /\b(FROM|INTO|UPDATE)\s+(results|sessions|session_messages|session_locks|artifacts)\b/i;
    const statements: string[] = [];
    for (const file of readdirSync(folder).filter(
      (f) => f.endsWith('.ts') && f !== 'migrations.ts',
    )) {
      const source = readFileSync(new URL(file, folder), 'utf8');
      for (const match of source.matchAll(/`([^`]*)`|'([^'\n]*)'/g)) {
        const text = match[1] ?? match[2] ?? '';
        if (dataTable.test(text)) statements.push(text);
      }
    }
    assert.ok(statements.length >= 20, `found ${statements.length} statements`);
    for (const sql of statements) {
      const filtered = /^\s*INSERT/i.test(sql) ? /\bnamespace\b/ : /\bnamespace = \?/;
      assert.match(sql, filtered, `not scoped by namespace: ${sql}`);
    }
  });
});
