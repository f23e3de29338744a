// Prometheus metrics in the text exposition format, shared by the webhook, the REST API and the
// controller: a few counters, gauges and histograms do not justify a dependency. Histograms, not
// summaries (unlike Pepr), so percentiles aggregate across replicas.

export type Labels = Readonly<Record<string, string>>;

const escapeLabel = (value: string) =>
  value.replaceAll('\\', '\\\\').replaceAll('\n', '\\n').replaceAll('"', '\\"');

function labelText(labels: Labels, extra?: [string, string]): string {
  const pairs = Object.entries(labels);
  if (extra) pairs.push(extra);
  if (pairs.length === 0) return '';
  return `{${pairs.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`;
}

/** A series' identity: its label pairs in name order. */
export function keyOf(labels: Labels): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

interface LookupNode<T> {
  /** label name -> label value -> the node for the labels read so far */
  readonly next: Map<string, Map<string, LookupNode<T>>>;
  series?: T;
}

/**
 * A metric's series by label set. Lookups run several times per admission request, so they walk
 * a tree of the label pairs as the caller wrote them (no key string built, no sort, no
 * allocation once a label set has been seen); the first lookup of a pair order settles, through
 * keyOf, which series it names, so `{a, b}` and `{b, a}` count into one series.
 */
class SeriesIndex<T> {
  private readonly byKey = new Map<string, T>();
  private readonly root: LookupNode<T> = { next: new Map() };

  get(labels: Labels): T | undefined {
    return this.nodeOf(labels).series ?? this.byKey.get(keyOf(labels));
  }

  getOrCreate(labels: Labels, create: () => T): T {
    const node = this.nodeOf(labels);
    if (node.series !== undefined) return node.series;
    const key = keyOf(labels);
    let series = this.byKey.get(key);
    if (series === undefined) {
      series = create();
      this.byKey.set(key, series);
    }
    node.series = series;
    return series;
  }

  values(): IterableIterator<T> {
    return this.byKey.values();
  }

  private nodeOf(labels: Labels): LookupNode<T> {
    let node = this.root;
    for (const name in labels) {
      let byValue = node.next.get(name);
      if (byValue === undefined) {
        byValue = new Map();
        node.next.set(name, byValue);
      }
      const value = labels[name]!;
      let child = byValue.get(value);
      if (child === undefined) {
        child = { next: new Map() };
        byValue.set(value, child);
      }
      node = child;
    }
    return node;
  }
}

/**
 * A metric's state as plain data: what render() prints, and what crosses process boundaries when
 * several webhook workers answer one scrape (metrics/aggregate.ts merges them).
 */
export interface ValueSeries {
  labels: Labels;
  value: number;
}

export interface HistogramSeries {
  labels: Labels;
  counts: number[];
  sum: number;
  count: number;
}

export type MetricSnapshot =
  | {
      type: 'counter' | 'gauge';
      name: string;
      help: string;
      /** how values of one series from several processes combine */
      merge: 'sum' | 'max';
      series: ValueSeries[];
    }
  | {
      type: 'histogram';
      name: string;
      help: string;
      buckets: readonly number[];
      series: HistogramSeries[];
    };

export interface Metric {
  snapshot(): MetricSnapshot;
  render(): string[];
}

/** The text exposition of one metric. */
export function renderSnapshot(snapshot: MetricSnapshot): string[] {
  const { name } = snapshot;
  const lines = [`# HELP ${name} ${snapshot.help}`, `# TYPE ${name} ${snapshot.type}`];
  if (snapshot.type !== 'histogram') {
    for (const { labels, value } of snapshot.series)
      lines.push(`${name}${labelText(labels)} ${value}`);
    return lines;
  }
  for (const { labels, counts, sum, count } of snapshot.series) {
    snapshot.buckets.forEach((bound, i) => {
      lines.push(`${name}_bucket${labelText(labels, ['le', String(bound)])} ${counts[i]}`);
    });
    lines.push(`${name}_bucket${labelText(labels, ['le', '+Inf'])} ${count}`);
    lines.push(`${name}_sum${labelText(labels)} ${sum}`);
    lines.push(`${name}_count${labelText(labels)} ${count}`);
  }
  return lines;
}

/** The text exposition of several metrics: what a /metrics endpoint answers. */
export function renderSnapshots(snapshots: readonly MetricSnapshot[]): string {
  return `${snapshots.flatMap(renderSnapshot).join('\n')}\n`;
}

/** A counter's series, found once (Counter.series). */
export interface CounterSeries {
  inc(by?: number): void;
}

export class Counter implements Metric {
  private readonly values = new SeriesIndex<{ labels: Labels; value: number }>();
  constructor(
    readonly name: string,
    private readonly help: string,
  ) {}

  inc(labels: Labels = {}, by = 1): void {
    this.entry(labels).value += by;
  }

  /**
   * One series to count into without looking it up again: for callers that count the same label
   * set on every request. Like inc, it creates the series, so call it when there is a first count.
   */
  series(labels: Labels): CounterSeries {
    const entry = this.entry(labels);
    return {
      inc(by = 1) {
        entry.value += by;
      },
    };
  }

  get(labels: Labels = {}): number {
    return this.values.get(labels)?.value ?? 0;
  }

  private entry(labels: Labels): { labels: Labels; value: number } {
    return this.values.getOrCreate(labels, () => ({ labels: { ...labels }, value: 0 }));
  }

  snapshot(): MetricSnapshot {
    return {
      type: 'counter',
      name: this.name,
      help: this.help,
      merge: 'sum',
      series: [...this.values.values()].map(({ labels, value }) => ({ labels, value })),
    };
  }

  render(): string[] {
    return renderSnapshot(this.snapshot());
  }
}

export class Gauge implements Metric {
  private readonly values = new SeriesIndex<{ labels: Labels; value: number }>();
  /**
   * `merge`: how one series from several processes combines: `sum` for amounts each process holds
   * part of, `max` for a value every process holds whole (e.g. the policies each one loaded).
   */
  constructor(
    readonly name: string,
    private readonly help: string,
    private readonly merge: 'sum' | 'max' = 'sum',
  ) {}

  set(labels: Labels, value: number): void {
    this.values.getOrCreate(labels, () => ({ labels: { ...labels }, value: 0 })).value = value;
  }

  snapshot(): MetricSnapshot {
    return {
      type: 'gauge',
      name: this.name,
      help: this.help,
      merge: this.merge,
      series: [...this.values.values()].map(({ labels, value }) => ({ labels, value })),
    };
  }

  render(): string[] {
    return renderSnapshot(this.snapshot());
  }
}

/** Seconds: from a cached read (well under a millisecond) to the apiserver's 10 s webhook timeout. */
export const LATENCY_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

export class Histogram implements Metric {
  private readonly series = new SeriesIndex<{
    labels: Labels;
    counts: number[];
    sum: number;
    count: number;
  }>();
  constructor(
    readonly name: string,
    private readonly help: string,
    private readonly buckets: readonly number[] = LATENCY_BUCKETS,
  ) {}

  observe(labels: Labels, value: number): void {
    const entry = this.series.getOrCreate(labels, () => ({
      labels: { ...labels },
      counts: this.buckets.map(() => 0),
      sum: 0,
      count: 0,
    }));
    for (let i = 0; i < this.buckets.length; i++) {
      if (value <= this.buckets[i]!) entry.counts[i]!++;
    }
    entry.sum += value;
    entry.count++;
  }

  count(labels: Labels): number {
    return this.series.get(labels)?.count ?? 0;
  }

  snapshot(): MetricSnapshot {
    return {
      type: 'histogram',
      name: this.name,
      help: this.help,
      buckets: this.buckets,
      series: [...this.series.values()].map(({ labels, counts, sum, count }) => ({
        labels,
        counts: [...counts],
        sum,
        count,
      })),
    };
  }

  render(): string[] {
    return renderSnapshot(this.snapshot());
  }
}
