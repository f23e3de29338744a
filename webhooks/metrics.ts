// The webhook's Prometheus metrics (primitives in metrics/prometheus.ts).

import { GcPauses } from '../metrics/gc.ts';
import { ProcessCpuSeconds } from '../metrics/process.ts';
import {
  Counter,
  type CounterSeries,
  Gauge,
  Histogram,
  type Metric,
  type MetricSnapshot,
  renderSnapshot,
  renderSnapshots,
} from '../metrics/prometheus.ts';
import { fastPathFallBacks } from '../policy/cel/fast-path.ts';
import type { PolicyResult } from '../policy/evaluate/outcome.ts';

/**
 * CEL evaluations the compiled fast path (policy/cel/fast-path.ts) left to the interpreter: a
 * failing or absorbed error, or a value it does not handle. A steady rise means some policy runs
 * at interpreter speed.
 */
class CelFastPathFallBacks implements Metric {
  snapshot(): MetricSnapshot {
    return {
      type: 'counter',
      name: 'orka_webhook_cel_fast_path_fallbacks_total',
      help: 'CEL evaluations the compiled fast path left to the interpreter.',
      merge: 'sum',
      series: [{ labels: {}, value: fastPathFallBacks() }],
    };
  }

  render(): string[] {
    return renderSnapshot(this.snapshot());
  }
}

/** The webhook's metrics. */
export class WebhookMetrics {
  readonly reviewDuration = new Histogram(
    'orka_webhook_review_duration_seconds',
    'Time to answer one AdmissionReview, by endpoint, operation, kind and decision.',
  );
  readonly policyOutcomes = new Counter(
    'orka_webhook_policy_outcomes_total',
    'Policy outcomes by policy and action (deny, warn, audit).',
  );
  readonly policyEvaluations = new Counter(
    'orka_webhook_policy_evaluations_total',
    'Validations by policy, its validationActions in force (after namespace overrides, e.g. deny, warn+audit) and result (pass, fail, error); one per policy that matched a /validate request.',
  );
  readonly compileFailures = new Counter(
    'orka_webhook_policy_compile_failures_total',
    'AdmissionPolicies that failed to compile when loaded, by source.',
  );
  readonly badRequests = new Counter(
    'orka_webhook_bad_requests_total',
    'Requests answered with 400 or a denial because the AdmissionReview itself was malformed.',
  );
  readonly policiesLoaded = new Gauge(
    'orka_webhook_policies_loaded',
    'Policies in force, by kind (builtin, custom).',
    'max',
  );
  readonly processCpu = new ProcessCpuSeconds();
  readonly gcPauses = new GcPauses();
  readonly celFallBacks = new CelFastPathFallBacks();

  // per validationActions list of a policy (the compiled one, or a namespace's lowered copy):
  // its metric label and, per policy name, the series of each result
  private readonly evaluationSeries = new WeakMap<
    readonly string[],
    {
      action: string;
      byPolicy: Map<string, Partial<Record<PolicyResult['result'], CounterSeries>>>;
    }
  >();

  /** Counts one policy's validate-phase result in policyEvaluations. */
  countEvaluation({ policy, validationActions, result }: PolicyResult): void {
    let known = this.evaluationSeries.get(validationActions);
    if (known === undefined) {
      // `deny`, `warn+audit`, ...
      known = { action: validationActions.join('+').toLowerCase(), byPolicy: new Map() };
      this.evaluationSeries.set(validationActions, known);
    }
    let series = known.byPolicy.get(policy);
    if (series === undefined) {
      series = {};
      known.byPolicy.set(policy, series);
    }
    let counter = series[result];
    if (counter === undefined) {
      counter = this.policyEvaluations.series({ policy, action: known.action, result });
      series[result] = counter;
    }
    counter.inc();
  }

  snapshot(): MetricSnapshot[] {
    const metrics: Metric[] = [
      this.reviewDuration,
      this.policyOutcomes,
      this.policyEvaluations,
      this.compileFailures,
      this.badRequests,
      this.policiesLoaded,
      this.processCpu,
      this.gcPauses,
      this.celFallBacks,
    ];
    return metrics.map((metric) => metric.snapshot());
  }

  render(): string {
    return renderSnapshots(this.snapshot());
  }
}
