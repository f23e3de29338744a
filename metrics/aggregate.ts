// One scrape for several processes: the webhook's workers each count what they answered, and
// /metrics on any of them reports the sum (counters, histograms) or the maximum (gauges every
// worker holds whole) across all of them.
import {
  type HistogramSeries,
  keyOf,
  type MetricSnapshot,
  type ValueSeries,
} from './prometheus.ts';

function mergeValues(target: ValueSeries[], source: ValueSeries[], merge: 'sum' | 'max'): void {
  const byKey = new Map(target.map((series) => [keyOf(series.labels), series]));
  for (const series of source) {
    const existing = byKey.get(keyOf(series.labels));
    if (!existing) {
      const copy = { labels: series.labels, value: series.value };
      target.push(copy);
      byKey.set(keyOf(series.labels), copy);
    } else {
      existing.value =
        merge === 'sum' ? existing.value + series.value : Math.max(existing.value, series.value);
    }
  }
}

function mergeHistograms(target: HistogramSeries[], source: HistogramSeries[]): void {
  const byKey = new Map(target.map((series) => [keyOf(series.labels), series]));
  for (const series of source) {
    const existing = byKey.get(keyOf(series.labels));
    if (!existing) {
      const copy = { ...series, counts: [...series.counts] };
      target.push(copy);
      byKey.set(keyOf(series.labels), copy);
      continue;
    }
    series.counts.forEach((count, i) => {
      existing.counts[i] = (existing.counts[i] ?? 0) + count;
    });
    existing.sum += series.sum;
    existing.count += series.count;
  }
}

const sameBuckets = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((bound, i) => bound === b[i]);

/** Metrics of several processes as one set, in the order each metric first appears. */
export function mergeSnapshots(
  processes: readonly (readonly MetricSnapshot[])[],
): MetricSnapshot[] {
  const merged = new Map<string, MetricSnapshot>();
  for (const snapshots of processes) {
    for (const snapshot of snapshots) {
      let existing = merged.get(snapshot.name);
      if (!existing) {
        // Starts empty: the merge below copies the first process's series like any other's.
        existing = { ...snapshot, series: [] };
        merged.set(snapshot.name, existing);
      }
      if (existing.type !== snapshot.type) {
        throw new Error(
          `metric ${snapshot.name} is a ${existing.type} in one process and a ${snapshot.type} in another`,
        );
      }
      if (existing.type === 'histogram' && snapshot.type === 'histogram') {
        if (!sameBuckets(existing.buckets, snapshot.buckets)) {
          throw new Error(`histogram ${snapshot.name} has different buckets in two processes`);
        }
        mergeHistograms(existing.series, snapshot.series);
      } else if (existing.type !== 'histogram' && snapshot.type !== 'histogram') {
        mergeValues(existing.series, snapshot.series, existing.merge);
      }
    }
  }
  return [...merged.values()];
}
