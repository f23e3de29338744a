// Go's time.ParseDuration for the unsigned durations the resources allow (`30m`, `10m0s`, `1h30m`,
// `500ms`, `0`): Task timeouts and the controller's sandbox timeouts.
import { WorkerJobError } from './errors.ts';

const UNIT_SECONDS: Record<string, number> = {
  ns: 1e-9,
  us: 1e-6,
  µs: 1e-6,
  μs: 1e-6,
  ms: 1e-3,
  s: 1,
  m: 60,
  h: 3600,
};

/** Seconds in a Go duration string; `what` names the field in the error for anything else. */
export function goDurationSeconds(text: string, what: string): number {
  if (text === '0') return 0;
  const part = /([0-9]*\.?[0-9]*)(ns|us|µs|μs|ms|s|m|h)/gy;
  let seconds = 0;
  let consumed = 0;
  for (let match = part.exec(text); match; match = part.exec(text)) {
    const [whole, number, unit] = match;
    if (number === '' || number === '.') break;
    seconds += Number(number) * UNIT_SECONDS[unit!]!;
    consumed += whole.length;
  }
  if (text === '' || consumed !== text.length) {
    throw new WorkerJobError(`${what}: "${text}" is not a duration (e.g. 30m, 1h30m, 10m0s)`);
  }
  return seconds;
}

/** Whole seconds of a duration that must last at least one second (Job deadlines, timeouts). */
export function wholeSeconds(text: string, what: string): number {
  const seconds = Math.floor(goDurationSeconds(text, what));
  if (seconds < 1) throw new WorkerJobError(`${what}: "${text}" is shorter than one second`);
  return seconds;
}
