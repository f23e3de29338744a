// The API's Prometheus metrics, in the text exposition format. webhooks/metrics.ts has the same
// primitives, but webhooks/ imports api/ (orka dev wires both), so api/ importing it back would
// make the two modules depend on each other; the few lines are kept here instead.

type Labels = Readonly<Record<string, string>>;

const escapeLabel = (value: string) =>
  value.replaceAll('\\', '\\\\').replaceAll('\n', '\\n').replaceAll('"', '\\"');

function labelText(labels: Labels, extra?: [string, string]): string {
  const pairs = Object.entries(labels);
  if (extra) pairs.push(extra);
  if (pairs.length === 0) return '';
  return `{${pairs.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`;
}

const seriesKey = (labels: Labels) => JSON.stringify(Object.entries(labels).sort());

export class Counter {
  private readonly values = new Map<string, { labels: Labels; value: number }>();
  constructor(
    readonly name: string,
    private readonly help: string,
  ) {}

  inc(labels: Labels = {}): void {
    const key = seriesKey(labels);
    const entry = this.values.get(key);
    if (entry) entry.value++;
    else this.values.set(key, { labels, value: 1 });
  }

  get(labels: Labels = {}): number {
    return this.values.get(seriesKey(labels))?.value ?? 0;
  }

  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const { labels, value } of this.values.values()) {
      lines.push(`${this.name}${labelText(labels)} ${value}`);
    }
    return lines;
  }
}

/** Seconds: from a cached read (well under a millisecond) to a slow apiserver call. */
export const REQUEST_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

export class Histogram {
  private readonly series = new Map<
    string,
    { labels: Labels; counts: number[]; sum: number; count: number }
  >();
  constructor(
    readonly name: string,
    private readonly help: string,
    private readonly buckets: readonly number[] = REQUEST_BUCKETS,
  ) {}

  observe(labels: Labels, value: number): void {
    const key = seriesKey(labels);
    let entry = this.series.get(key);
    if (!entry) {
      entry = { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.series.set(key, entry);
    }
    for (let i = 0; i < this.buckets.length; i++) {
      if (value <= this.buckets[i]!) entry.counts[i]!++;
    }
    entry.sum += value;
    entry.count++;
  }

  count(labels: Labels): number {
    return this.series.get(seriesKey(labels))?.count ?? 0;
  }

  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const { labels, counts, sum, count } of this.series.values()) {
      this.buckets.forEach((bound, i) => {
        lines.push(`${this.name}_bucket${labelText(labels, ['le', String(bound)])} ${counts[i]}`);
      });
      lines.push(`${this.name}_bucket${labelText(labels, ['le', '+Inf'])} ${count}`);
      lines.push(`${this.name}_sum${labelText(labels)} ${sum}`);
      lines.push(`${this.name}_count${labelText(labels)} ${count}`);
    }
    return lines;
  }
}

/** The REST API's metrics, served at `/metrics`. */
export class ApiMetrics {
  readonly requestDuration = new Histogram(
    'orka_api_request_duration_seconds',
    'Time to answer one API request, by route template (not the concrete path), method and status.',
  );
  readonly contextTokenAuth = new Counter(
    'orka_context_token_auth_total',
    'Requests that presented a context token, by profile and result (success, failure).',
  );
  readonly contextTokenAuthorization = new Counter(
    'orka_context_token_authorization_total',
    'Context-token authorization checks (a route check, then the loaded-Task check of reads by name, and one per listed Task), by action, result (allowed, denied, audit) and reason.',
  );

  render(): string {
    const metrics = [this.requestDuration, this.contextTokenAuth, this.contextTokenAuthorization];
    return `${metrics.flatMap((metric) => metric.render()).join('\n')}\n`;
  }
}
