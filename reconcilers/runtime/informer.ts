// An informer: client-node's ListWatch (list, then watch from the list's resourceVersion; a
// 410 Gone relists; a cleanly ended watch resumes) plus what it leaves to its user: restarting
// after an error with capped exponential backoff, a periodic resync, and knowing when the first
// list has been cached.
import {
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  ListWatch,
  Watch,
} from '@kubernetes/client-node';
import { type Clock, systemClock, type TimerHandle } from './clock.ts';
import type { Logger } from './logger.ts';

export interface InformerHandlers<T> {
  add?(object: T): void;
  update?(object: T): void;
  delete?(object: T): void;
  /** Called for every cached object at each resync period. */
  resync?(object: T): void;
}

/** What an informer needs of an object: its name, namespace and resourceVersion. */
export interface CachedObject {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
}

export interface InformerOptions<T extends CachedObject> {
  name: string;
  kubeConfig: KubeConfig;
  /** The watch path, e.g. `/apis/batch/v1/jobs` or `/api/v1/namespaces/ns/pods`. */
  path: string;
  list: () => Promise<{ items: T[]; metadata?: { resourceVersion?: string } }>;
  labelSelector?: string;
  fieldSelector?: string;
  clock?: Clock;
  log: Logger;
  /** 0 disables resync. */
  resyncMs?: number;
  restartBaseMs?: number;
  restartMaxMs?: number;
  /**
   * Removes from an object what the cache must not keep (e.g. Secret values). Every cached object
   * passes through it: the cache holds the very object an add or update hands to the handlers.
   */
  strip?: (object: T) => void;
}

export const DEFAULT_RESYNC_MS = 5 * 60_000;

export class Informer<T extends CachedObject> {
  // ListWatch only reads metadata; its KubernetesObject bound is wider than what it uses.
  private readonly listWatch: ListWatch<KubernetesObject>;
  private readonly clock: Clock;
  private readonly handlers: InformerHandlers<T>[] = [];
  private readonly restartBaseMs: number;
  private readonly restartMaxMs: number;
  private restartDelayMs = 0;
  private restartTimer: TimerHandle | undefined;
  private resyncTimer: TimerHandle | undefined;
  private stopped = true;
  private synced = false;
  private readonly syncWaiters: Array<() => void> = [];
  /** How many times the watch was restarted after an error (for tests and metrics). */
  restarts = 0;

  constructor(private readonly options: InformerOptions<T>) {
    this.clock = options.clock ?? systemClock;
    this.restartBaseMs = options.restartBaseMs ?? 500;
    this.restartMaxMs = options.restartMaxMs ?? 30_000;
    const list = async () => {
      const result = await options.list();
      // ListWatch caches the items right after this promise settles; mark synced after that.
      setImmediate(() => this.markSynced());
      return result;
    };
    this.listWatch = new ListWatch<KubernetesObject>(
      options.path,
      new Watch(options.kubeConfig),
      list as unknown as () => Promise<KubernetesListObject<KubernetesObject>>,
      false,
      options.labelSelector,
      options.fieldSelector,
    );
    this.listWatch.on('add', (o) => this.dispatch('add', o as T));
    this.listWatch.on('update', (o) => this.dispatch('update', o as T));
    this.listWatch.on('delete', (o) => this.dispatch('delete', o as T));
    this.listWatch.on('error', (error) => this.restartAfterError(error));
  }

  on(handlers: InformerHandlers<T>): void {
    this.handlers.push(handlers);
  }

  /** Starts listing and watching; resolves once the first list is in the cache. */
  async start(): Promise<void> {
    this.stopped = false;
    const synced = this.waitForSync();
    await this.listWatch.start();
    this.scheduleResync();
    await synced;
  }

  stop(): void {
    this.stopped = true;
    if (this.restartTimer) this.clock.clearTimeout(this.restartTimer);
    if (this.resyncTimer) this.clock.clearTimeout(this.resyncTimer);
    void this.listWatch.stop();
    for (const resolve of this.syncWaiters.splice(0)) resolve();
  }

  get hasSynced(): boolean {
    return this.synced;
  }

  get(name: string, namespace?: string): T | undefined {
    return this.listWatch.get(name, namespace) as T | undefined;
  }

  list(namespace?: string): T[] {
    return this.listWatch.list(namespace) as T[];
  }

  /** The resourceVersion the watch resumes from. */
  latestResourceVersion(): string {
    return this.listWatch.latestResourceVersion();
  }

  private waitForSync(): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  private markSynced(): void {
    this.synced = true;
    for (const resolve of this.syncWaiters.splice(0)) resolve();
  }

  private dispatch(verb: 'add' | 'update' | 'delete', object: T): void {
    this.restartDelayMs = 0;
    if (verb !== 'delete') this.options.strip?.(object);
    for (const handler of this.handlers) handler[verb]?.(object);
  }

  private restartAfterError(error: unknown): void {
    if (this.stopped) return;
    this.restartDelayMs = Math.min(
      this.restartDelayMs > 0 ? this.restartDelayMs * 2 : this.restartBaseMs,
      this.restartMaxMs,
    );
    this.options.log.warn(
      {
        informer: this.options.name,
        err: error instanceof Error ? error.message : String(error),
        delayMs: this.restartDelayMs,
      },
      'watch failed; restarting',
    );
    this.restartTimer = this.clock.setTimeout(() => {
      if (this.stopped) return;
      this.restarts++;
      this.listWatch.start().catch((e: unknown) => this.restartAfterError(e));
    }, this.restartDelayMs);
  }

  private scheduleResync(): void {
    const period = this.options.resyncMs ?? DEFAULT_RESYNC_MS;
    if (period <= 0 || this.resyncTimer) return;
    const tick = () => {
      if (this.stopped) return;
      for (const object of this.list()) for (const h of this.handlers) h.resync?.(object);
      this.resyncTimer = this.clock.setTimeout(tick, period);
    };
    this.resyncTimer = this.clock.setTimeout(tick, period);
  }
}

/** `namespace/name` (or `name` for cluster-scoped objects): the work queue key. */
export function keyOf(object: CachedObject): string {
  const { namespace, name } = object.metadata ?? {};
  return namespace ? `${namespace}/${name ?? ''}` : (name ?? '');
}

export function splitKey(key: string): { namespace: string; name: string } {
  const at = key.indexOf('/');
  return at < 0
    ? { namespace: '', name: key }
    : { namespace: key.slice(0, at), name: key.slice(at + 1) };
}
