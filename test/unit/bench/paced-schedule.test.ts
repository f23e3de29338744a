// Open-loop pacing: requests fall due at start + i / rate however late the timer fires, and a
// request that waits for a connection keeps its scheduled time, so its latency includes the wait.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { ConnectionLine, PacedSchedule } from '../../../bench/paced-schedule.ts';

describe('PacedSchedule', () => {
  test('requests fall due at start + i / rate; a late timer takes all that are due at once', () => {
    const schedule = new PacedSchedule(100, 1000, 5);
    assert.deepEqual(schedule.takeDue(99.9), []);
    assert.deepEqual(schedule.takeDue(100), [100]);
    assert.equal(schedule.nextDueAt(), 101);
    assert.deepEqual(schedule.takeDue(103.5), [101, 102, 103]);
    assert.deepEqual(schedule.takeDue(103.9), []);
    assert.deepEqual(schedule.takeDue(1000), [104]);
    assert.equal(schedule.nextDueAt(), undefined);
    assert.deepEqual(schedule.takeDue(2000), []);
  });

  test('property: however the timer fires, every request is taken once, in order, on schedule', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 0, max: 200 }),
        fc.array(fc.double({ min: 0, max: 20, noNaN: true }), { maxLength: 60 }),
        (rate, total, steps) => {
          const schedule = new PacedSchedule(0, rate, total);
          const taken: number[] = [];
          let now = 0;
          for (const step of steps) {
            now += step;
            for (const at of schedule.takeDue(now)) {
              assert.ok(at <= now, 'nothing is taken before it is due');
              taken.push(at);
            }
          }
          taken.push(...schedule.takeDue(Number.POSITIVE_INFINITY));
          assert.deepEqual(
            taken,
            Array.from({ length: total }, (_, index) => (index * 1000) / rate),
          );
        },
      ),
    );
  });
});

describe('ConnectionLine', () => {
  test('idle connections serve requests at once; the rest wait, keeping their scheduled time', () => {
    const line = new ConnectionLine(['a', 'b']);
    const first = line.offer(1);
    const second = line.offer(2);
    assert.deepEqual([first?.scheduledMs, second?.scheduledMs], [1, 2]);
    assert.notEqual(first?.connection, second?.connection);
    assert.equal(line.offer(3), undefined);
    assert.equal(line.offer(4), undefined);
    assert.equal(line.queued, 2);
    assert.deepEqual(line.release('a'), { connection: 'a', scheduledMs: 3 });
    assert.deepEqual(line.release('b'), { connection: 'b', scheduledMs: 4 });
    assert.equal(line.queued, 0);
    assert.equal(line.release('a'), undefined, 'nothing waiting: the connection goes idle');
    assert.deepEqual(line.offer(5), { connection: 'a', scheduledMs: 5 });
  });

  test('property: every offered request is dispatched once, waiting ones first come first served', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.boolean(), { maxLength: 200 }),
        (connectionCount, events) => {
          const line = new ConnectionLine(Array.from({ length: connectionCount }, (_, i) => i));
          const busy: number[] = [];
          const dispatched: number[] = [];
          const waitedOrder: number[] = [];
          const waiting: number[] = [];
          let next = 0;
          const start = (dispatch: { connection: number; scheduledMs: number } | undefined) => {
            if (!dispatch) return;
            busy.push(dispatch.connection);
            dispatched.push(dispatch.scheduledMs);
          };
          for (const offer of events) {
            if (offer || busy.length === 0) {
              const scheduledMs = next++;
              const dispatch = line.offer(scheduledMs);
              if (dispatch === undefined) waiting.push(scheduledMs);
              start(dispatch);
            } else {
              const dispatch = line.release(busy.shift() as number);
              if (dispatch) waitedOrder.push(dispatch.scheduledMs);
              start(dispatch);
            }
            assert.ok(
              busy.length <= connectionCount,
              'never more requests in flight than connections',
            );
          }
          while (busy.length > 0) {
            const dispatch = line.release(busy.shift() as number);
            if (dispatch) waitedOrder.push(dispatch.scheduledMs);
            start(dispatch);
          }
          assert.deepEqual(
            [...dispatched].sort((a, b) => a - b),
            Array.from({ length: next }, (_, i) => i),
          );
          assert.deepEqual(waitedOrder, waiting, 'waiting requests leave in arrival order');
          assert.equal(line.queued, 0);
        },
      ),
    );
  });
});
