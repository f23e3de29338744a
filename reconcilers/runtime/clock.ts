// Time as the reconcilers see it: injectable, so tests can drive backoff and delays by hand.

export type TimerHandle = { readonly id: unknown };

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs `callback` once after `ms`; the handle cancels it. */
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** The process clock; timers never keep the process alive on their own. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(callback, ms) {
    const id = setTimeout(callback, Math.max(0, ms));
    id.unref();
    return { id };
  },
  clearTimeout(handle) {
    clearTimeout(handle.id as NodeJS.Timeout);
  },
};

/** RFC 3339 with whole seconds, as Kubernetes writes metav1.Time. */
export function kubeTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
