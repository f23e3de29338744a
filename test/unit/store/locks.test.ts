import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type LockOutcome, SessionNotFoundError, type Store } from '../../../store/index.ts';
import { manualClock, tempStore } from './temp-store.ts';

type Step = { acquire: string; expect: LockOutcome } | { release: string; expect: boolean };

interface LockCase {
  name: string;
  steps: Step[];
  /** The holder after the steps, or null when free. */
  holder: string | null;
}

const ACQUIRED = { acquired: true, alreadyHeld: false, sessionCreated: false } as const;
const REACQUIRED = { acquired: true, alreadyHeld: true, sessionCreated: false } as const;
const LOCKED_BY_A = {
  acquired: false,
  holder: 'task-a',
  message: 'session team-a/s is locked by task task-a',
} as const;

const cases: LockCase[] = [
  {
    name: 'a free session is acquired',
    steps: [{ acquire: 'task-a', expect: ACQUIRED }],
    holder: 'task-a',
  },
  {
    name: 'the holder acquires again (reference quirk Q1 fixed)',
    steps: [
      { acquire: 'task-a', expect: ACQUIRED },
      { acquire: 'task-a', expect: REACQUIRED },
    ],
    holder: 'task-a',
  },
  {
    name: 'another Task is refused, naming the holder',
    steps: [
      { acquire: 'task-a', expect: ACQUIRED },
      { acquire: 'task-b', expect: LOCKED_BY_A },
    ],
    holder: 'task-a',
  },
  {
    name: 'release by a Task that does not hold it is refused',
    steps: [
      { acquire: 'task-a', expect: ACQUIRED },
      { release: 'task-b', expect: false },
      { acquire: 'task-b', expect: LOCKED_BY_A },
    ],
    holder: 'task-a',
  },
  {
    name: 'release by the holder frees it for the next Task',
    steps: [
      { acquire: 'task-a', expect: ACQUIRED },
      { release: 'task-a', expect: true },
      { acquire: 'task-b', expect: ACQUIRED },
    ],
    holder: 'task-b',
  },
  {
    name: 'releasing twice or releasing a free session changes nothing',
    steps: [
      { release: 'task-a', expect: false },
      { acquire: 'task-a', expect: ACQUIRED },
      { release: 'task-a', expect: true },
      { release: 'task-a', expect: false },
    ],
    holder: null,
  },
];

function run(store: Store, step: Step): LockOutcome | boolean {
  return 'acquire' in step
    ? store.locks.acquire('team-a', 's', step.acquire)
    : store.locks.release('team-a', 's', step.release);
}

describe('session locks', () => {
  for (const lockCase of cases) {
    test(lockCase.name, (t) => {
      const store = tempStore(t);
      store.sessions.getOrCreate('team-a', 's', { create: true });
      lockCase.steps.forEach((step, index) => {
        assert.deepEqual(run(store, step), step.expect, `step ${index}`);
      });
      assert.equal(store.locks.holder('team-a', 's')?.taskName ?? null, lockCase.holder);
      assert.equal(store.sessions.get('team-a', 's')!.activeTask, lockCase.holder);
    });
  }

  test('a missing session: refused with create=false, created holding the lock with create', (t) => {
    const store = tempStore(t);
    assert.throws(
      () => store.locks.acquire('team-a', 'my-session', 'task-a'),
      (error: unknown) =>
        error instanceof SessionNotFoundError &&
        error.message === 'session my-session not found in namespace team-a and create=false',
    );
    assert.equal(store.sessions.get('team-a', 'my-session'), undefined);

    assert.deepEqual(
      store.locks.acquire('team-a', 'my-session', 'task-a', { createSession: true }),
      { acquired: true, alreadyHeld: false, sessionCreated: true },
    );
    const session = store.sessions.get('team-a', 'my-session')!;
    assert.equal(session.sessionType, 'task');
    assert.equal(session.activeTask, 'task-a');
    assert.deepEqual(
      store.locks.acquire('team-a', 'my-session', 'task-b', { createSession: true }),
      {
        acquired: false,
        holder: 'task-a',
        message: 'session team-a/my-session is locked by task task-a',
      },
    );
  });

  test('holder and list report who holds what since when', (t) => {
    const clock = manualClock('2026-03-01T10:00:00.000Z');
    const store = tempStore(t, { clock: clock.now });
    store.locks.acquire('team-a', 'beta', 'task-b', { createSession: true });
    clock.set('2026-03-01T10:00:05.000Z');
    store.locks.acquire('team-a', 'alpha', 'task-a', { createSession: true });
    store.sessions.getOrCreate('team-a', 'free', { create: true });
    assert.deepEqual(store.locks.list('team-a'), [
      { session: 'alpha', taskName: 'task-a', acquiredAt: '2026-03-01T10:00:05.000Z' },
      { session: 'beta', taskName: 'task-b', acquiredAt: '2026-03-01T10:00:00.000Z' },
    ]);
    clock.set('2026-03-01T11:00:00.000Z');
    store.locks.acquire('team-a', 'alpha', 'task-a');
    assert.equal(
      store.locks.holder('team-a', 'alpha')?.acquiredAt,
      '2026-03-01T10:00:05.000Z',
      're-acquiring keeps the original time',
    );
    assert.equal(store.locks.holder('team-a', 'free'), undefined);
  });

  test('releaseAllHeldBy frees only that Task’s locks', (t) => {
    const store = tempStore(t);
    store.locks.acquire('team-a', 's1', 'task-a', { createSession: true });
    store.locks.acquire('team-a', 's2', 'task-a', { createSession: true });
    store.locks.acquire('team-a', 's3', 'task-b', { createSession: true });
    assert.deepEqual(store.locks.releaseAllHeldBy('team-a', 'task-a'), ['s1', 's2']);
    assert.deepEqual(store.locks.releaseAllHeldBy('team-a', 'task-a'), []);
    assert.deepEqual(
      store.locks.list('team-a').map((lock) => lock.session),
      ['s3'],
    );
  });

  test('checks its arguments', (t) => {
    const store = tempStore(t);
    assert.throws(() => store.locks.acquire('team-a', 's', ''), /task name is required/);
    assert.throws(
      () => store.locks.acquire('team-a', 's', 'a', { createSession: 'yes' as unknown as boolean }),
      /createSession must be true or false, got "yes"/,
    );
    assert.throws(() => store.locks.release('', 's', 'a'), /namespace is required/);
  });
});
