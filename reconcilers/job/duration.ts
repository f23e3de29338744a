// Durations the Job is built from: the Task's timeout and the controller's sandbox timeouts.
import { parseDuration } from '../../resources/duration.ts';
import { WorkerJobError } from './errors.ts';

/** Seconds of a Go duration string; `what` names the field when the text is not a duration. */
export function durationSecondsOf(text: string, what: string): number {
  try {
    return parseDuration(text) / 1000;
  } catch (error) {
    throw new WorkerJobError(`${what}: ${(error as Error).message}`);
  }
}

/** Whole seconds (rounded down) of a duration that must last at least one second. */
export function wholeSeconds(text: string, what: string): number {
  const seconds = Math.floor(durationSecondsOf(text, what));
  if (seconds < 1) throw new WorkerJobError(`${what}: "${text}" is shorter than one second`);
  return seconds;
}
