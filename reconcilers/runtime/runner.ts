// Workers that take keys from a queue, reconcile them and requeue as the reconcile asks. A thrown
// error is logged and the key backs off, like an explicit `backoff`.
import type { ReconcileAction } from './action.ts';
import type { Logger } from './logger.ts';
import type { WorkQueue } from './queue.ts';

export type Reconcile = (key: string) => Promise<ReconcileAction>;

export interface RunnerOptions {
  name: string;
  queue: WorkQueue;
  reconcile: Reconcile;
  /** How many keys are reconciled at once (never the same key twice). */
  workers: number;
  log: Logger;
  /** Told how each reconcile ended and how long it took. */
  observe?: (result: ReconcileAction['type'] | 'error', seconds: number) => void;
}

export function applyAction(queue: WorkQueue, key: string, action: ReconcileAction): void {
  switch (action.type) {
    case 'done':
      queue.forget(key);
      return;
    case 'requeueAfter':
      queue.forget(key);
      queue.addAfter(key, action.ms);
      return;
    case 'backoff':
      queue.addRateLimited(key);
      return;
  }
}

/** Starts the workers; the promise settles once the queue is shut down and they have drained. */
export function runWorkers(options: RunnerOptions): Promise<void> {
  const { queue, reconcile, log, name } = options;
  if (!Number.isInteger(options.workers) || options.workers < 1) {
    throw new RangeError(`${name}: workers must be a positive integer, got ${options.workers}`);
  }
  const worker = async () => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      const started = performance.now();
      const observe = (result: ReconcileAction['type'] | 'error') =>
        options.observe?.(result, (performance.now() - started) / 1000);
      try {
        const action = await reconcile(key);
        observe(action.type);
        applyAction(queue, key, action);
      } catch (error) {
        observe('error');
        const delay = queue.addRateLimited(key);
        log.error(
          { reconciler: name, key, err: error instanceof Error ? error.message : String(error) },
          `reconcile failed; retrying in ${delay} ms`,
        );
      } finally {
        queue.done(key);
      }
    }
  };
  return Promise.all(Array.from({ length: options.workers }, worker)).then(() => undefined);
}
