// The REST API's Prometheus metrics (primitives in metrics/prometheus.ts).
import { Counter, Histogram } from '../metrics/prometheus.ts';

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
