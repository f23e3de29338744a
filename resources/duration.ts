// Go's time.ParseDuration for the durations of the resources (`timeout`, `initialDelay`, ...):
// a sequence of decimal numbers with units ns, us (µs), ms, s, m, h; "0" alone is zero.
import { GO_DURATION_PATTERN } from './schemas/shapes.ts';

const UNIT_MILLISECONDS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const DURATION = new RegExp(GO_DURATION_PATTERN, 'u');
const PART = /([0-9]*\.?[0-9]*)(ns|us|µs|μs|ms|s|m|h)/gu;

/** Milliseconds of a Go duration string; throws naming the text when it is not one. */
export function parseDuration(text: string): number {
  if (!DURATION.test(text)) {
    throw new Error(`invalid duration "${text}": expected Go syntax such as 30m, 10m0s or 1h30m`);
  }
  let total = 0;
  for (const [, amount, unit] of text.matchAll(PART))
    total += Number(amount) * UNIT_MILLISECONDS[unit!]!;
  return total;
}

/** Whole seconds of a Go duration, rounded down as Go's `int64(d.Seconds())`. */
export function durationSeconds(text: string): number {
  return Math.floor(parseDuration(text) / 1000);
}
