// The GC pause histogram counts the collections this process actually runs, by kind, with their
// durations, and every GcPauses reads the one process-wide observer.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { GcPauses } from '../../../metrics/gc.ts';
import type { MetricSnapshot } from '../../../metrics/prometheus.ts';

setFlagsFromString('--expose-gc');
// V8's gc(): a full collection; gc({ type: 'minor' }): a young-generation one
const collect = runInNewContext('gc') as (options?: { type: 'minor' }) => void;

type HistogramSnapshot = Extract<MetricSnapshot, { type: 'histogram' }>;

function countsByKind(snapshot: MetricSnapshot): Record<string, { count: number; sum: number }> {
  assert.equal(snapshot.type, 'histogram');
  const series = (snapshot as HistogramSnapshot).series;
  return Object.fromEntries(
    series.map(({ labels, count, sum }) => [labels.kind ?? '', { count, sum }]),
  );
}

/** GC entries reach observers after the collection, in a later turn. */
const delivered = () => new Promise((resolve) => setTimeout(resolve, 50));

test('forced minor and major collections are counted by kind, with their durations', async () => {
  const pauses = new GcPauses();
  const before = countsByKind(pauses.snapshot());
  collect({ type: 'minor' });
  collect();
  collect();
  await delivered();
  const after = countsByKind(pauses.snapshot());
  const added = (kind: string) => (after[kind]?.count ?? 0) - (before[kind]?.count ?? 0);
  assert.ok(added('minor') >= 1, `minor: ${JSON.stringify(after)}`);
  assert.ok(added('major') >= 2, `major: ${JSON.stringify(after)}`);
  assert.ok((after.major?.sum ?? 0) > (before.major?.sum ?? 0));
});

test('every GcPauses reads the same process-wide histogram', async () => {
  const first = new GcPauses();
  const second = new GcPauses();
  collect();
  await delivered();
  assert.deepEqual(first.snapshot(), second.snapshot());
  const text = first.render().join('\n');
  assert.match(text, /^# TYPE nodejs_gc_duration_seconds histogram$/m);
  assert.match(text, /^nodejs_gc_duration_seconds_bucket\{kind="major",le="\+Inf"\} [1-9]\d*$/m);
  assert.match(text, /^nodejs_gc_duration_seconds_count\{kind="major"\} [1-9]\d*$/m);
});
