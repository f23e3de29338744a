// Fault injection: make the next N matching requests fail with a chosen Status.
import { StatusError } from './status.ts';

export interface RequestAttributes {
  username: string;
  verb: string;
  group: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
}

export interface FailureSpec {
  /** Which requests: every given attribute must match. */
  verb?: string;
  group?: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  username?: string;
  /** How many matching requests fail (default 1). */
  count?: number;
  /** HTTP status (default 500). */
  code?: number;
  reason?: string;
  message?: string;
}

const REASONS: Record<number, string> = {
  409: 'Conflict',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

const MATCHED: Array<keyof RequestAttributes> = [
  'verb',
  'group',
  'resource',
  'subresource',
  'namespace',
  'name',
  'username',
];

export class Faults {
  private readonly pending: Array<FailureSpec & { remaining: number }> = [];

  failNext(spec: FailureSpec): void {
    const count = spec.count ?? 1;
    if (!Number.isInteger(count) || count < 1)
      throw new Error(`failNext: count must be a positive integer, got ${count}`);
    this.pending.push({ ...spec, remaining: count });
  }

  /** The injected failure for this request, consuming one use, or undefined. */
  take(request: RequestAttributes): StatusError | undefined {
    const hit = this.pending.find((f) =>
      MATCHED.every((k) => f[k] === undefined || f[k] === request[k]),
    );
    if (!hit) return undefined;
    hit.remaining--;
    if (hit.remaining === 0) this.pending.splice(this.pending.indexOf(hit), 1);
    const code = hit.code ?? 500;
    return new StatusError(
      code,
      hit.reason ?? REASONS[code] ?? 'InternalError',
      hit.message ?? `injected failure (${code}) for ${request.verb} ${request.resource}`,
    );
  }

  get pendingCount(): number {
    return this.pending.reduce((n, f) => n + f.remaining, 0);
  }
}
