// Pure lifecycle rules of a Task: retries (reference §6.7 with DESIGN X3), timeout, what its Job
// and Pods say, and the transaction-token gate (reference §3.7).
import type { CoreV1Event, V1Job, V1Pod } from '@kubernetes/client-node';
import { parseDuration } from '../../resources/duration.ts';
import type { Task } from '../../resources/types.ts';
import { MESSAGES } from './messages.ts';

export const DEFAULT_RETRY_DELAY_MS = 10_000;
export const MAX_RETRY_DELAY_MS = 5 * 60_000;
/** A Job missing this soon after creation is the cache catching up, not a lost Job. */
export const JOB_NOT_FOUND_GRACE_MS = 30_000;
export const CONTAINER_CREATING_LIMIT_MS = 2 * 60_000;
export const TOKEN_PENDING_LIMIT_MS = 2 * 60_000;

/** Another attempt is allowed: `attempts <= maxRetries` (attempts counts Jobs created). */
export function shouldRetry(task: Task): boolean {
  const policy = task.spec.retryPolicy;
  return policy !== undefined && (task.status?.attempts ?? 0) <= (policy.maxRetries ?? 0);
}

/** initialDelay (default 10 s) × multiplier^(attempts-1) (multiplier 0 means 2), capped at 5 min. */
export function retryDelayMs(task: Task): number {
  const policy = task.spec.retryPolicy;
  const initial = policy?.initialDelay
    ? parseDuration(policy.initialDelay)
    : DEFAULT_RETRY_DELAY_MS;
  const multiplier = policy?.backoffMultiplier || 2;
  const failed = Math.max(1, task.status?.attempts ?? 1);
  return Math.min(initial * multiplier ** (failed - 1), MAX_RETRY_DELAY_MS);
}

export function timeoutMs(task: Task): number | undefined {
  return task.spec.timeout ? parseDuration(task.spec.timeout) : undefined;
}

/** Milliseconds until the Task times out (<= 0: it has), or undefined without a timeout. */
export function timeRemainingMs(task: Task, now: number): number | undefined {
  const limit = timeoutMs(task);
  const start = task.status?.startTime;
  if (limit === undefined || !start) return undefined;
  return Date.parse(start) + limit - now;
}

export type JobOutcome =
  | { state: 'succeeded' }
  | { state: 'deadline-exceeded' }
  | { state: 'failed'; message: string }
  | { state: 'active' }
  | { state: 'waiting' };

export function jobOutcome(job: V1Job): JobOutcome {
  const status = job.status ?? {};
  if ((status.succeeded ?? 0) > 0) return { state: 'succeeded' };
  const failedCondition = status.conditions?.find(
    (c) => (c.type === 'Failed' || c.type === 'FailureTarget') && c.status === 'True',
  );
  if (failedCondition?.reason === 'DeadlineExceeded') return { state: 'deadline-exceeded' };
  if ((status.failed ?? 0) > 0 || failedCondition) {
    return { state: 'failed', message: failedCondition?.message ?? '' };
  }
  if ((status.active ?? 0) > 0) return { state: 'active' };
  return { state: 'waiting' };
}

const TERMINAL_WAIT_REASONS = new Set(['CreateContainerConfigError', 'ErrImageNeverPull']);
const INITIALIZING_REASONS = new Set(['ContainerCreating', 'PodInitializing']);

function eventTime(event: CoreV1Event): number {
  const at = event.lastTimestamp ?? event.eventTime ?? event.firstTimestamp;
  return at ? new Date(at).getTime() : Number.NaN;
}

/**
 * The message of a FailedMount Event about `pod` that is recent (< 2 min) and from this attempt
 * (after `startTime`): an old Event from before a retry says nothing about the current Pod.
 */
function freshFailedMount(
  pod: V1Pod,
  events: readonly CoreV1Event[],
  startTime: number,
  now: number,
): string | undefined {
  const name = pod.metadata?.name;
  const namespace = pod.metadata?.namespace;
  return events.find((event) => {
    const about = event.involvedObject;
    if (event.reason !== 'FailedMount' || about?.kind !== 'Pod' || about.name !== name)
      return false;
    if (namespace && about.namespace && about.namespace !== namespace) return false;
    const at = eventTime(event);
    return at >= startTime && now - at < CONTAINER_CREATING_LIMIT_MS;
  })?.message;
}

/**
 * Why the Task's waiting Pods will never run, or undefined (reference §6.6 Running step 6).
 * `failedMounts` are FailedMount Events in the Pods' namespace: past the 2-minute limit a Pod still
 * initializing with a fresh one fails with that Event's message, which names the missing volume —
 * more use to the reader than the generic ContainerCreating message, so it is checked first.
 */
export function podProblem(
  pods: readonly V1Pod[],
  startTime: number,
  now: number,
  failedMounts: readonly CoreV1Event[] = [],
): string | undefined {
  for (const pod of pods) {
    if (pod.status?.phase !== 'Pending') continue;
    const statuses = [
      ...(pod.status.initContainerStatuses ?? []),
      ...(pod.status.containerStatuses ?? []),
    ];
    for (const status of statuses) {
      const waiting = status.state?.waiting;
      if (waiting?.reason && TERMINAL_WAIT_REASONS.has(waiting.reason)) {
        return MESSAGES.podStuck(waiting.reason, waiting.message ?? '');
      }
    }
    const scheduled = pod.status.conditions?.find((c) => c.type === 'PodScheduled');
    if (scheduled?.status === 'False' && scheduled.reason === 'Unschedulable') {
      return MESSAGES.unschedulable(scheduled.message ?? '');
    }
    if (now - startTime <= CONTAINER_CREATING_LIMIT_MS) continue;
    const reasons = statuses.map((s) => s.state?.waiting?.reason ?? '');
    if (reasons.some((reason) => INITIALIZING_REASONS.has(reason))) {
      const mount = freshFailedMount(pod, failedMounts, startTime, now);
      if (mount !== undefined) return MESSAGES.initializingStuck(mount);
    }
    if (reasons.includes('ContainerCreating')) return MESSAGES.containerCreatingStuck;
  }
  return undefined;
}

export type TokenGate =
  | { state: 'open' }
  | { state: 'start-clock' }
  | { state: 'wait'; ms: number }
  | { state: 'timed-out' };

/** A delegated Task waits (≤ 2 min) until its transaction-token Secret is in place. */
export function tokenGate(
  pending: string | undefined,
  since: string | undefined,
  now: number,
): TokenGate {
  if (pending !== 'true') return { state: 'open' };
  const started = since ? Date.parse(since) : Number.NaN;
  if (Number.isNaN(started)) return { state: 'start-clock' };
  const left = started + TOKEN_PENDING_LIMIT_MS - now;
  return left <= 0 ? { state: 'timed-out' } : { state: 'wait', ms: Math.min(left, 1000) };
}
