/**
 * The worker's environment is unusable (a missing or malformed variable). The message names the
 * variable; the worker exits 2 without submitting a result, since it cannot know where to send it
 * or what it would describe.
 */
export class WorkerConfigError extends Error {
  override name = 'WorkerConfigError';
}

/** A step of the agent run failed; the message is submitted as the Task's result (redacted). */
export class WorkerRunError extends Error {
  override name = 'WorkerRunError';
}

/** A code path that exists in the design but not yet in this worker: it fails loudly. */
export class NotImplementedError extends Error {
  override name = 'NotImplementedError';
}
