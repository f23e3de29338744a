// The controller's Prometheus metrics (primitives in metrics/prometheus.ts); gauges are read from
// the queues and the Task cache when scraped, so they cannot drift from what the controller holds.

import { Counter, Gauge, Histogram } from '../metrics/prometheus.ts';
import type { Task } from '../resources/types.ts';
import type { ReconcileAction } from './runtime/action.ts';
import type { WorkQueue } from './runtime/queue.ts';

/** How a reconcile ended: its action, or `error` when it threw. */
export type ReconcileResult = ReconcileAction['type'] | 'error';

/** Phases always reported, at 0 when no Task is in them, so a rate never sees a series vanish. */
const TASK_PHASES = ['Pending', 'Running', 'Succeeded', 'Failed', 'Cancelled'];

/** Seconds; a reconcile is API round trips, from a cache hit to a slow apiserver. */
const RECONCILE_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export interface MetricSources {
  queues: Readonly<Record<string, WorkQueue>>;
  tasks: () => readonly Task[];
}

export class ControllerMetrics {
  readonly reconcileDuration = new Histogram(
    'orka_controller_reconcile_duration_seconds',
    'Time of one reconcile, by controller (task, agent) and result (done, requeueAfter, backoff, error).',
    RECONCILE_BUCKETS,
  );
  readonly jobsCreated = new Counter(
    'orka_controller_jobs_created_total',
    'Worker Jobs created, by namespace.',
  );
  private sources: MetricSources | undefined;

  /** Where the gauges are read from; set once the controller has its queues and caches. */
  attach(sources: MetricSources): void {
    this.sources = sources;
  }

  observeReconcile(controller: string, result: ReconcileResult, seconds: number): void {
    this.reconcileDuration.observe({ controller, result }, seconds);
  }

  /** The Prometheus text exposition of every metric. */
  render(): string {
    const queueDepth = new Gauge(
      'orka_controller_workqueue_depth',
      'Keys ready and waiting for a worker, by controller (as client-go: not those due after a delay).',
    );
    const tasksByPhase = new Gauge(
      'orka_controller_tasks',
      'Tasks in the controller cache, by phase ("" before the first reconcile).',
    );
    if (this.sources) {
      for (const [name, queue] of Object.entries(this.sources.queues)) {
        queueDepth.set({ controller: name }, queue.length);
      }
      const counts = new Map(TASK_PHASES.map((phase) => [phase, 0]));
      for (const task of this.sources.tasks()) {
        const phase = task.status?.phase ?? '';
        counts.set(phase, (counts.get(phase) ?? 0) + 1);
      }
      for (const [phase, count] of counts) tasksByPhase.set({ phase }, count);
    }
    const metrics = [this.reconcileDuration, this.jobsCreated, queueDepth, tasksByPhase];
    return `${metrics.flatMap((metric) => metric.render()).join('\n')}\n`;
  }
}
