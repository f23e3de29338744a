import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Counter, Gauge, Histogram, type Labels } from '../../../metrics/prometheus.ts';

describe('series identity', () => {
  test('the same labels in another order are one series', () => {
    const counter = new Counter('orka_test_total', 'test');
    counter.inc({ policy: 'p', action: 'deny' });
    counter.inc({ action: 'deny', policy: 'p' });
    assert.equal(counter.get({ policy: 'p', action: 'deny' }), 2);
    assert.equal(counter.render().filter((line) => !line.startsWith('#')).length, 1);
  });

  test('label sets that differ by name, value or count are separate series', () => {
    const counter = new Counter('orka_test_total', 'test');
    const sets: Labels[] = [
      {},
      { a: 'b' },
      { b: 'a' },
      { a: 'bc' },
      { ab: 'c' },
      { a: 'b', c: 'd' },
    ];
    for (const labels of sets) counter.inc(labels);
    for (const labels of sets) assert.equal(counter.get(labels), 1, JSON.stringify(labels));
  });

  test('label values holding any characters stay apart', () => {
    const counter = new Counter('orka_test_total', 'test');
    const sets: Labels[] = [{ a: 'x\u0001b\u0000y' }, { a: 'x', b: 'y' }, { a: 'x","b":"y' }];
    for (const labels of sets) counter.inc(labels);
    for (const labels of sets) assert.equal(counter.get(labels), 1, JSON.stringify(labels));
  });

  test('a series keeps the labels it was first counted with, whatever the caller does later', () => {
    const counter = new Counter('orka_test_total', 'test');
    const labels: Record<string, string> = { policy: 'p' };
    counter.inc(labels);
    labels.policy = 'changed';
    assert.deepEqual(counter.snapshot().series, [{ labels: { policy: 'p' }, value: 1 }]);
  });

  test('a series found once counts into the same series inc counts into', () => {
    const counter = new Counter('orka_test_total', 'test');
    counter.inc({ policy: 'p', action: 'deny' });
    const series = counter.series({ action: 'deny', policy: 'p' });
    series.inc();
    series.inc(3);
    counter.inc({ policy: 'p', action: 'deny' });
    assert.equal(counter.get({ policy: 'p', action: 'deny' }), 6);
    const fresh = counter.series({ policy: 'q' });
    fresh.inc();
    assert.deepEqual(counter.snapshot().series, [
      { labels: { policy: 'p', action: 'deny' }, value: 6 },
      { labels: { policy: 'q' }, value: 1 },
    ]);
  });

  test('a gauge set under two label orders holds one series with the last value', () => {
    const gauge = new Gauge('orka_test', 'test');
    gauge.set({ kind: 'custom', source: 'file' }, 3);
    gauge.set({ source: 'file', kind: 'custom' }, 5);
    assert.deepEqual(gauge.snapshot().series, [
      { labels: { kind: 'custom', source: 'file' }, value: 5 },
    ]);
  });

  test('a histogram found under another label order is the same series', () => {
    const histogram = new Histogram('orka_test_seconds', 'test', [1]);
    histogram.observe({ kind: 'Task', decision: 'allowed' }, 0.5);
    histogram.observe({ decision: 'allowed', kind: 'Task' }, 0.5);
    assert.equal(histogram.count({ kind: 'Task', decision: 'allowed' }), 2);
    assert.equal(histogram.count({ decision: 'allowed', kind: 'Task' }), 2);
  });

  test('a histogram counts each observation into every bucket at or above it', () => {
    const histogram = new Histogram('orka_test_seconds', 'test', [0.1, 1]);
    histogram.observe({ kind: 'Task' }, 0.05);
    histogram.observe({ kind: 'Task' }, 0.5);
    histogram.observe({ kind: 'Task' }, 5);
    const lines = histogram.render();
    assert.ok(lines.includes('orka_test_seconds_bucket{kind="Task",le="0.1"} 1'));
    assert.ok(lines.includes('orka_test_seconds_bucket{kind="Task",le="1"} 2'));
    assert.ok(lines.includes('orka_test_seconds_bucket{kind="Task",le="+Inf"} 3'));
    assert.ok(lines.includes('orka_test_seconds_count{kind="Task"} 3'));
  });
});
