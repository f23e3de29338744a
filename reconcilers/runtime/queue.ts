// A work queue with client-go's guarantees: a key waits at most once (re-adds while it waits are
// merged), a key being processed is never handed out again until `done`, and a key re-added while
// processing runs once more afterwards. Rate-limited adds back off exponentially per key (capped)
// until `forget`; delayed adds keep only the earliest pending delay of a key.
import { type Clock, systemClock, type TimerHandle } from './clock.ts';

export interface WorkQueueOptions {
  clock?: Clock;
  /** First rate-limited delay; doubles with each further failure of the key. */
  baseDelayMs?: number;
  /** Cap of the rate-limited delay. */
  maxDelayMs?: number;
}

export const DEFAULT_BASE_DELAY_MS = 200;
export const DEFAULT_MAX_DELAY_MS = 60_000;

interface Delayed {
  at: number;
  handle: TimerHandle;
}

export class WorkQueue {
  private readonly clock: Clock;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly ready: string[] = [];
  /** Keys that must run (again): those in `ready` and those re-added while processing. */
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly delayed = new Map<string, Delayed>();
  private readonly waiting: Array<(key: string | undefined) => void> = [];
  private stopped = false;

  constructor(options: WorkQueueOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.baseDelayMs = options.baseDelayMs ?? DEFAULT_BASE_DELAY_MS;
    this.maxDelayMs = options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
    if (!(this.baseDelayMs > 0) || !(this.maxDelayMs >= this.baseDelayMs)) {
      throw new RangeError(
        `work queue: need 0 < baseDelayMs <= maxDelayMs, got ${this.baseDelayMs} and ${this.maxDelayMs}`,
      );
    }
  }

  add(key: string): void {
    if (this.stopped || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    this.push(key);
  }

  /** Adds `key` after `ms`; an earlier pending delayed add of the same key wins. */
  addAfter(key: string, ms: number): void {
    if (this.stopped) return;
    if (ms <= 0) {
      this.add(key);
      return;
    }
    const at = this.clock.now() + ms;
    const pending = this.delayed.get(key);
    if (pending && pending.at <= at) return;
    if (pending) this.clock.clearTimeout(pending.handle);
    const handle = this.clock.setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, ms);
    this.delayed.set(key, { at, handle });
  }

  /** Adds `key` after its next backoff delay and returns that delay. */
  addRateLimited(key: string): number {
    const failures = this.failures.get(key) ?? 0;
    this.failures.set(key, failures + 1);
    const delay = Math.min(this.baseDelayMs * 2 ** failures, this.maxDelayMs);
    this.addAfter(key, delay);
    return delay;
  }

  /** Resets the key's backoff (after a successful reconcile). */
  forget(key: string): void {
    this.failures.delete(key);
  }

  /** Rate-limited adds of the key since it was last forgotten. */
  requeues(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** The next key to process, or undefined once the queue is shut down. */
  get(): Promise<string | undefined> {
    if (this.stopped) return Promise.resolve(undefined);
    const key = this.ready.shift();
    if (key !== undefined) return Promise.resolve(this.take(key));
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Marks the key processed; a re-add that arrived meanwhile makes it ready again. */
  done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.has(key) && !this.stopped) this.push(key);
  }

  get length(): number {
    return this.ready.length;
  }

  /** Keys waiting, being processed, or due after a delay. */
  get pendingKeys(): number {
    return new Set([...this.dirty, ...this.processing, ...this.delayed.keys()]).size;
  }

  shutDown(): void {
    this.stopped = true;
    for (const { handle } of this.delayed.values()) this.clock.clearTimeout(handle);
    this.delayed.clear();
    for (const resolve of this.waiting.splice(0)) resolve(undefined);
  }

  private take(key: string): string {
    this.dirty.delete(key);
    this.processing.add(key);
    return key;
  }

  private push(key: string): void {
    const waiter = this.waiting.shift();
    if (waiter) waiter(this.take(key));
    else this.ready.push(key);
  }
}
