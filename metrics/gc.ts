// Garbage-collection pauses of this process, as prom-client's nodejs_gc_duration_seconds (same name
// and `kind` label, so existing Node dashboards read it). A collection stops the event loop, so
// every review waiting meanwhile waits that much longer: when the admission p99 is high and these
// pauses are long, the process keeps too much alive between collections (see the #4 notes: a
// request held for a second made each minor collection cost 3 ms instead of 1). One observer for
// the process, however many metric registries read it.
import { constants, type PerformanceEntry, PerformanceObserver } from 'node:perf_hooks';
import { Histogram, type Metric, type MetricSnapshot } from './prometheus.ts';

const GC_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25];

const KINDS: Readonly<Record<number, string>> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

const pauses = new Histogram(
  'nodejs_gc_duration_seconds',
  'Garbage collection pauses of the process, by kind (minor, major, incremental, weakcb).',
  GC_BUCKETS,
);
let observer: PerformanceObserver | undefined;

function observe(): void {
  observer ??= new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const detail = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail;
      const kind = KINDS[detail?.kind ?? -1] ?? 'unknown';
      pauses.observe({ kind }, entry.duration / 1000);
    }
  });
  observer.observe({ entryTypes: ['gc'] });
}

/** The process's GC pause histogram; observing starts with the first one made. */
export class GcPauses implements Metric {
  constructor() {
    observe();
  }

  snapshot(): MetricSnapshot {
    return pauses.snapshot();
  }

  render(): string[] {
    return pauses.render();
  }
}
