import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mergeSnapshots } from '../../../metrics/aggregate.ts';
import { Counter, Gauge, Histogram, renderSnapshots } from '../../../metrics/prometheus.ts';

/** One worker's metrics, filled by `fill`. */
function worker(
  fill: (m: { requests: Counter; loaded: Gauge; inFlight: Gauge; latency: Histogram }) => void,
) {
  const metrics = {
    requests: new Counter('requests_total', 'requests'),
    loaded: new Gauge('policies_loaded', 'policies', 'max'),
    inFlight: new Gauge('in_flight', 'in flight'),
    latency: new Histogram('latency_seconds', 'latency', [0.1, 1]),
  };
  fill(metrics);
  return Object.values(metrics).map((metric) => metric.snapshot());
}

describe('metrics of several processes as one', () => {
  const cases = [
    {
      name: 'counters add up per series; a series one process lacks is kept',
      workers: [
        worker(({ requests }) => {
          requests.inc({ code: '200' }, 3);
          requests.inc({ code: '400' });
        }),
        worker(({ requests }) => requests.inc({ code: '200' }, 4)),
      ],
      lines: ['requests_total{code="200"} 7', 'requests_total{code="400"} 1'],
    },
    {
      name: 'a max gauge is not multiplied by the number of processes; a sum gauge adds up',
      workers: [
        worker(({ loaded, inFlight }) => {
          loaded.set({ kind: 'custom' }, 50);
          inFlight.set({}, 2);
        }),
        worker(({ loaded, inFlight }) => {
          loaded.set({ kind: 'custom' }, 49);
          inFlight.set({}, 3);
        }),
      ],
      lines: ['policies_loaded{kind="custom"} 50', 'in_flight 5'],
    },
    {
      name: 'histograms add bucket by bucket, with sums and counts',
      workers: [
        worker(({ latency }) => latency.observe({ kind: 'Task' }, 0.05)),
        worker(({ latency }) => {
          latency.observe({ kind: 'Task' }, 0.5);
          latency.observe({ kind: 'Task' }, 5);
        }),
      ],
      lines: [
        'latency_seconds_bucket{kind="Task",le="0.1"} 1',
        'latency_seconds_bucket{kind="Task",le="1"} 2',
        'latency_seconds_bucket{kind="Task",le="+Inf"} 3',
        'latency_seconds_sum{kind="Task"} 5.55',
        'latency_seconds_count{kind="Task"} 3',
      ],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const text = renderSnapshots(mergeSnapshots(c.workers));
      for (const line of c.lines) assert.ok(text.split('\n').includes(line), `${line}\n${text}`);
    });
  }

  test('merging leaves every process snapshot as it was', () => {
    const first = worker(({ requests }) => requests.inc({}, 1));
    const before = JSON.stringify(first);
    mergeSnapshots([first, worker(({ requests }) => requests.inc({}, 2))]);
    assert.equal(JSON.stringify(first), before);
  });

  test('one process alone renders as it would by itself', () => {
    const single = worker(({ requests, latency }) => {
      requests.inc({ code: '200' });
      latency.observe({}, 0.2);
    });
    assert.equal(renderSnapshots(mergeSnapshots([single])), renderSnapshots(single));
  });

  test('processes disagreeing on a metric type or buckets is an error naming the metric', () => {
    const counter = new Counter('x', 'x').snapshot();
    const gauge = new Gauge('x', 'x').snapshot();
    assert.throws(
      () => mergeSnapshots([[counter], [gauge]]),
      /metric x is a counter in one process and a gauge/,
    );
    const a = new Histogram('h', 'h', [1]).snapshot();
    const b = new Histogram('h', 'h', [2]).snapshot();
    assert.throws(() => mergeSnapshots([[a], [b]]), /histogram h has different buckets/);
  });
});
