import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decideSlot, type SlotCandidate } from '../../../reconcilers/task/slots.ts';

const c = (name: string, priority: number, createdAt: string, session?: string): SlotCandidate => ({
  name,
  priority,
  createdAt,
  ...(session ? { session } : {}),
});

const T1 = '2026-01-01T00:00:01Z';
const T2 = '2026-01-01T00:00:02Z';

describe('decideSlot', () => {
  const cases: Array<{
    name: string;
    limit: number;
    occupied: number;
    waiting: SlotCandidate[];
    holders?: Record<string, string>;
    granted: string[];
  }> = [
    {
      name: 'unlimited grants everyone',
      limit: 0,
      occupied: 9,
      waiting: [c('a', 1, T1), c('b', 1, T2)],
      granted: ['a', 'b'],
    },
    {
      name: 'full namespace grants nobody',
      limit: 1,
      occupied: 1,
      waiting: [c('a', 900, T1)],
      granted: [],
    },
    {
      name: 'higher priority first',
      limit: 1,
      occupied: 0,
      waiting: [c('a', 100, T1), c('b', 900, T2)],
      granted: ['b'],
    },
    {
      name: 'equal priority: older first',
      limit: 1,
      occupied: 0,
      waiting: [c('young', 5, T2), c('old', 5, T1)],
      granted: ['old'],
    },
    {
      name: 'equal priority and time: by name',
      limit: 1,
      occupied: 0,
      waiting: [c('b', 5, T1), c('a', 5, T1)],
      granted: ['a'],
    },
    {
      name: 'two free slots',
      limit: 3,
      occupied: 1,
      waiting: [c('a', 1, T1), c('b', 2, T1), c('c', 3, T1)],
      granted: ['c', 'b'],
    },
    {
      name: 'a locked session does not hold a slot hostage',
      limit: 1,
      occupied: 0,
      waiting: [c('a', 900, T1, 's'), c('b', 100, T1)],
      holders: { s: 'other' },
      granted: ['b'],
    },
    {
      name: 'a free session goes to the best of its waiters only',
      limit: 0,
      occupied: 0,
      waiting: [c('low', 1, T1, 's'), c('high', 2, T2, 's')],
      granted: ['high'],
    },
    {
      name: 'the holder keeps its session even behind a better waiter',
      limit: 0,
      occupied: 0,
      waiting: [c('better', 900, T1, 's'), c('holder', 1, T2, 's')],
      holders: { s: 'holder' },
      granted: ['holder'],
    },
  ];
  for (const row of cases) {
    test(row.name, () => {
      const granted = row.waiting
        .map((w) => w.name)
        .filter(
          (name) =>
            decideSlot(
              {
                namespace: 'ns',
                limit: row.limit,
                occupied: row.occupied,
                waiting: row.waiting,
                sessionHolder: (s) => row.holders?.[s],
              },
              name,
            ).granted,
        );
      assert.deepEqual(granted.sort(), [...row.granted].sort());
    });
  }

  test('the refusal says why', () => {
    const full = decideSlot(
      {
        namespace: 'ns',
        limit: 2,
        occupied: 2,
        waiting: [c('a', 1, T1)],
        sessionHolder: () => undefined,
      },
      'a',
    );
    assert.deepEqual(full, {
      granted: false,
      reason: 'WaitingForSlot',
      message: 'waiting for a slot: 2 of 2 Tasks in namespace "ns" are running',
    });
    const locked = decideSlot(
      {
        namespace: 'ns',
        limit: 0,
        occupied: 0,
        waiting: [c('a', 1, T1, 's')],
        sessionHolder: () => 'b',
      },
      'a',
    );
    assert.deepEqual(locked, {
      granted: false,
      reason: 'WaitingForSession',
      message: 'waiting for session ns/s: it is locked by task b',
    });
  });

  test('a Task that is not among the waiting is a programming error', () => {
    assert.throws(
      () =>
        decideSlot(
          { namespace: 'ns', limit: 0, occupied: 0, waiting: [], sessionHolder: () => undefined },
          'x',
        ),
      /task x is not among the waiting Tasks/,
    );
  });
});
