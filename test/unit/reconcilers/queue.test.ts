import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { backoff, done, requeueAfter } from '../../../reconcilers/runtime/action.ts';
import { silentLogger } from '../../../reconcilers/runtime/logger.ts';
import { WorkQueue } from '../../../reconcilers/runtime/queue.ts';
import { applyAction, runWorkers } from '../../../reconcilers/runtime/runner.ts';
import { FakeClock } from './fake-clock.ts';

describe('WorkQueue', () => {
  test('a key added many times while waiting is handed out once', async () => {
    const q = new WorkQueue({ clock: new FakeClock() });
    q.add('a');
    q.add('b');
    q.add('a');
    assert.equal(q.length, 2);
    assert.equal(await q.get(), 'a');
    assert.equal(await q.get(), 'b');
    assert.equal(q.length, 0);
  });

  test('a key being processed is not handed out again; a re-add runs once after done', async () => {
    const q = new WorkQueue({ clock: new FakeClock() });
    q.add('a');
    assert.equal(await q.get(), 'a');
    q.add('a');
    q.add('a');
    assert.equal(q.length, 0, 'not ready while processing');
    q.done('a');
    assert.equal(q.length, 1);
    assert.equal(await q.get(), 'a');
    q.done('a');
    assert.equal(q.length, 0);
  });

  test('rate-limited adds back off exponentially per key, capped, until forget', () => {
    const clock = new FakeClock();
    const q = new WorkQueue({ clock, baseDelayMs: 100, maxDelayMs: 1000 });
    const delays = Array.from({ length: 6 }, () => q.addRateLimited('a'));
    assert.deepEqual(delays, [100, 200, 400, 800, 1000, 1000]);
    assert.equal(q.requeues('a'), 6);
    assert.equal(q.addRateLimited('b'), 100, 'keys back off independently');
    q.forget('a');
    assert.equal(q.addRateLimited('a'), 100);
  });

  test('the rate-limited key becomes ready only after its delay passes', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue({ clock, baseDelayMs: 100, maxDelayMs: 1000 });
    q.addRateLimited('a');
    clock.advance(99);
    assert.equal(q.length, 0);
    clock.advance(1);
    assert.equal(q.length, 1);
    assert.equal(await q.get(), 'a');
  });

  test('delayed adds keep the earliest pending delay of a key', () => {
    const clock = new FakeClock();
    const q = new WorkQueue({ clock });
    q.addAfter('a', 500);
    q.addAfter('a', 900);
    q.addAfter('a', 200);
    clock.advance(200);
    assert.equal(q.length, 1);
    clock.advance(1000);
    assert.equal(q.length, 1, 'the replaced timers never fire a second add');
  });

  test('get waits for an add; shutDown releases waiters with undefined', async () => {
    const q = new WorkQueue({ clock: new FakeClock() });
    const next = q.get();
    q.add('x');
    assert.equal(await next, 'x');
    const waiting = q.get();
    q.shutDown();
    assert.equal(await waiting, undefined);
    q.add('y');
    assert.equal(await q.get(), undefined);
  });

  test('bad backoff settings are refused with the values named', () => {
    assert.throws(
      () => new WorkQueue({ baseDelayMs: 0 }),
      /need 0 < baseDelayMs <= maxDelayMs, got 0/,
    );
  });
});

describe('reconcile actions', () => {
  test('done forgets, requeueAfter forgets and delays, backoff grows the delay', () => {
    const clock = new FakeClock();
    const q = new WorkQueue({ clock, baseDelayMs: 10, maxDelayMs: 10_000 });
    for (let i = 0; i < 3; i++) {
      applyAction(q, 'k', backoff);
      clock.advance(1000);
    }
    assert.deepEqual(clock.delays, [10, 20, 40]);
    applyAction(q, 'k', done);
    assert.equal(q.requeues('k'), 0);
    applyAction(q, 'k', requeueAfter(5000));
    assert.equal(q.requeues('k'), 0);
    clock.advance(10_000);
    assert.equal(q.length, 1);
  });

  test('workers never reconcile one key twice at once; a throw backs the key off', async () => {
    const q = new WorkQueue({ clock: new FakeClock(), baseDelayMs: 50, maxDelayMs: 50 });
    const running = new Set<string>();
    let overlap = false;
    const seen: string[] = [];
    const workers = runWorkers({
      name: 'test',
      queue: q,
      workers: 4,
      log: silentLogger,
      reconcile: async (key) => {
        if (running.has(key)) overlap = true;
        running.add(key);
        seen.push(key);
        await new Promise((r) => setImmediate(r));
        running.delete(key);
        if (key === 'bad') throw new Error('boom');
        return done;
      },
    });
    q.add('same');
    await new Promise((r) => setImmediate(r));
    q.add('same');
    q.add('bad');
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    q.shutDown();
    await workers;
    assert.equal(overlap, false);
    assert.deepEqual(seen.filter((k) => k === 'same').length, 2);
    assert.equal(q.requeues('bad'), 1);
  });
});
