// `orka webhook --workers N`: one Node process answers on one core, so N worker processes share
// the port (node:cluster: the supervisor accepts connections and hands each to a worker). Each
// worker is a whole webhook (policies, caches, TLS reload); the supervisor starts them, restarts
// one that dies, stops them on SIGTERM/SIGINT, and merges their metrics so a scrape of any worker
// reports the whole pod.
import cluster, { type Worker } from 'node:cluster';
import { mergeSnapshots } from '../metrics/aggregate.ts';
import { type MetricSnapshot, renderSnapshots } from '../metrics/prometheus.ts';

/** How long a scrape waits for the other workers' metrics before answering with what it has. */
const COLLECT_TIMEOUT_MS = 2000;
const RESTART_BACKOFF_MS = { initial: 500, max: 30_000 };

type PoolMessage =
  | { orka: 'ready'; url: string }
  | { orka: 'metrics-request'; id: number }
  | { orka: 'metrics-collect'; id: number }
  | { orka: 'metrics-snapshot'; id: number; snapshots: MetricSnapshot[] }
  | { orka: 'metrics-merged'; id: number; text: string };

const isPoolMessage = (message: unknown): message is PoolMessage =>
  typeof message === 'object' && message !== null && 'orka' in message;

export const isPoolWorker = (): boolean => cluster.isWorker;

/** A worker's side of the pool: it reports ready, and answers scrapes with the pool's metrics. */
export interface PoolLink {
  ready(url: string): void;
  renderMetrics(): Promise<string>;
}

/**
 * A worker's last step, however it ended: the IPC channel would otherwise keep it alive. Not
 * disconnect(): a cluster worker that disconnects exits at once with code 0, hiding a failure.
 */
export function leavePool(): void {
  process.channel?.unref();
}

export function joinPool(localSnapshots: () => MetricSnapshot[]): PoolLink {
  const pending = new Map<number, (text: string) => void>();
  let nextId = 0;
  process.on('message', (message: unknown) => {
    if (!isPoolMessage(message)) return;
    if (message.orka === 'metrics-collect') {
      process.send?.({ orka: 'metrics-snapshot', id: message.id, snapshots: localSnapshots() });
    } else if (message.orka === 'metrics-merged') {
      pending.get(message.id)?.(message.text);
      pending.delete(message.id);
    }
  });
  return {
    ready: (url) => process.send?.({ orka: 'ready', url }),
    renderMetrics: () =>
      new Promise<string>((resolve) => {
        const id = nextId++;
        pending.set(id, resolve);
        process.send?.({ orka: 'metrics-request', id });
      }),
  };
}

export interface SupervisorOptions {
  workers: number;
  stderr: { write(text: string): unknown };
}

/** Runs the pool until SIGTERM/SIGINT; the exit code: 0 when every worker closed cleanly. */
export async function superviseWorkers({ workers, stderr }: SupervisorOptions): Promise<number> {
  const ready = new Set<number>();
  let stopping = false;
  let announced = false;
  let backoff = RESTART_BACKOFF_MS.initial;
  let collectId = 0;
  const collections = new Map<
    number,
    { requester: Worker; requestId: number; snapshots: MetricSnapshot[][]; awaited: number }
  >();

  const live = () =>
    Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && !w.isDead());

  const finishCollection = (id: number) => {
    const collection = collections.get(id);
    if (!collection) return;
    collections.delete(id);
    const text = renderSnapshots(mergeSnapshots(collection.snapshots));
    if (collection.requester.isConnected()) {
      collection.requester.send({ orka: 'metrics-merged', id: collection.requestId, text });
    }
  };

  const onMessage = (worker: Worker, message: unknown) => {
    if (!isPoolMessage(message)) return;
    if (message.orka === 'ready') {
      ready.add(worker.id);
      backoff = RESTART_BACKOFF_MS.initial;
      if (!announced && ready.size === workers) {
        announced = true;
        stderr.write(`orka webhook serving on ${message.url} (${workers} worker processes)\n`);
      }
    } else if (message.orka === 'metrics-request') {
      const id = collectId++;
      const members = live();
      collections.set(id, {
        requester: worker,
        requestId: message.id,
        snapshots: [],
        awaited: members.length,
      });
      for (const member of members) member.send({ orka: 'metrics-collect', id });
      setTimeout(() => finishCollection(id), COLLECT_TIMEOUT_MS).unref();
    } else if (message.orka === 'metrics-snapshot') {
      const collection = collections.get(message.id);
      if (!collection) return;
      collection.snapshots.push(message.snapshots);
      if (collection.snapshots.length >= collection.awaited) finishCollection(message.id);
    }
  };

  let failedBeforeReady: number | undefined;
  const exits = new Promise<number>((resolveAll) => {
    let exitCode = 0;
    cluster.on('exit', (worker, code, signal) => {
      ready.delete(worker.id);
      if (stopping) {
        if (code !== 0) exitCode = code ?? 1;
        if (live().length === 0) resolveAll(exitCode);
        return;
      }
      if (!announced) {
        // A worker that cannot start (bad flags, unreadable certificates) fails the same way again.
        failedBeforeReady = code ?? 1;
        stderr.write(
          `orka webhook: a worker exited before serving (code ${code}, signal ${signal})\n`,
        );
        stopping = true;
        for (const other of live()) other.process.kill('SIGTERM');
        if (live().length === 0) resolveAll(failedBeforeReady);
        return;
      }
      stderr.write(
        `orka webhook: worker ${worker.process.pid} exited (code ${code}, signal ${signal}); restarting in ${backoff} ms\n`,
      );
      const delay = backoff;
      backoff = Math.min(backoff * 2, RESTART_BACKOFF_MS.max);
      setTimeout(() => {
        if (!stopping) cluster.fork();
      }, delay);
    });
  });

  cluster.on('message', onMessage);
  for (let i = 0; i < workers; i++) cluster.fork();

  const stop = () => {
    if (stopping) return;
    stopping = true;
    for (const worker of live()) worker.process.kill('SIGTERM');
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  const code = await exits;
  process.off('SIGTERM', stop);
  process.off('SIGINT', stop);
  return failedBeforeReady ?? code;
}
