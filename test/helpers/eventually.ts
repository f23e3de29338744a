// The one "poll until a condition holds" helper of the test suite. Tests wait on state another
// component reaches in its own time (an informer's cache, a child process's stderr, a status the
// controller writes); the deadline is generous because it only matters on a slow machine or when
// the test is already failing, and the answer is never a timing assertion.
import { inspect } from 'node:util';

/** What a probe returns while the awaited state has not arrived yet. */
export type NotYet = undefined | null | false;

export interface EventuallyOptions {
  /** How long to keep polling before failing; 60 s unless told. */
  timeoutMs?: number;
  /** The pause between two probes; 10 ms unless told. */
  intervalMs?: number;
}

const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_INTERVAL_MS = 10;

/**
 * Calls `probe` every `intervalMs` until it returns something other than undefined, null or false
 * (0 and '' are answers), and resolves with that value. A probe that throws is called again: the
 * state it reads may not exist yet. Past `timeoutMs` it rejects with an Error naming `what` (a
 * function is called only then, so it can show the last state seen) and, when the last probe
 * threw, that error, also kept as `cause`.
 */
export async function eventually<T>(
  what: string | (() => string),
  probe: () => T | NotYet | Promise<T | NotYet>,
  options: EventuallyOptions = {},
): Promise<T> {
  const timeoutMs = checkedDuration('timeoutMs', options.timeoutMs ?? DEFAULT_TIMEOUT_MS, 0);
  const intervalMs = checkedDuration('intervalMs', options.intervalMs ?? DEFAULT_INTERVAL_MS, 1);
  const deadline = performance.now() + timeoutMs;
  let failure: { error: unknown } | undefined;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== null && value !== false) return value;
      failure = undefined;
    } catch (error) {
      failure = { error };
    }
    if (performance.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  const awaited = describeAwaited(what);
  const lastError = failure ? `; the last probe threw: ${describeError(failure.error)}` : '';
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${awaited}${lastError}`,
    failure ? { cause: failure.error } : undefined,
  );
}

function checkedDuration(name: string, value: number, minimum: number): number {
  if (!Number.isFinite(value) || value < minimum) {
    throw new RangeError(
      `eventually: ${name} must be a finite number of milliseconds >= ${minimum}, got ${value}`,
    );
  }
  return value;
}

function describeAwaited(what: string | (() => string)): string {
  if (typeof what === 'string') return what;
  try {
    return what();
  } catch (error) {
    return `(describing what was awaited threw: ${describeError(error)})`;
  }
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : inspect(error);
}
