// A KubeAccess that serves Task and Agent reads from informer caches (DESIGN §6, §7): GET result
// and the other Task reads otherwise cost one apiserver round trip each. Writes and every other
// call go through to the wrapped KubeAccess.
//
// Consistency rules, so callers see what they would see against the apiserver:
// - before the caches have synced, reads go through (and `/readyz` says not ready);
// - a Task the API itself created or patched is served as written until the watch has delivered
//   that version or a newer one (read-your-writes); one it deleted is read live until the watch
//   reports the deletion;
// - a cache miss on a single-object read asks the apiserver, so a Task created a moment ago with
//   kubectl is found at once rather than 404 until its watch event arrives;
// - label-selected lists, continue tokens from the apiserver and namespaces outside the caches'
//   scope go through.
import type { KubeAccess, KubeObject, ListOptions, ObjectList } from './kube-access.ts';

export interface CacheHandlers {
  add?(object: object): void;
  update?(object: object): void;
  delete?(object: object): void;
}

/**
 * What the cache reads from an informer; the reconcilers' `Informer` has this shape. Objects are
 * typed loosely so that the controller's typed Task and Agent informers fit as they are.
 */
export interface ObjectCacheSource {
  readonly hasSynced: boolean;
  get(name: string, namespace?: string): object | undefined;
  list(namespace?: string): object[];
  on(handlers: CacheHandlers): void;
}

export interface KubeCacheSources {
  tasks: ObjectCacheSource;
  agents: ObjectCacheSource;
  /** The one namespace the sources watch; '' when they watch every namespace. */
  namespace: string;
}

export interface CachedKubeAccessOptions {
  /** How long a written Task overrides the cache at most, should its watch event never come. */
  readYourWritesMs?: number;
  now?: () => number;
}

export interface CachedKubeAccess extends KubeAccess {
  /** Both caches have listed once; until then reads go to the apiserver. */
  isSynced(): boolean;
}

export const DEFAULT_READ_YOUR_WRITES_MS = 60_000;

/** The cache's own continue tokens, so it can tell them from the apiserver's. */
const CONTINUE_PREFIX = 'orka-cache:';

type Written =
  | { kind: 'object'; object: KubeObject; resourceVersion: string; expiresAt: number }
  | { kind: 'deleted'; expiresAt: number };

const keyOf = (namespace: string, name: string) => `${namespace}/${name}`;

function objectKey(object: KubeObject): string {
  return keyOf(object.metadata?.namespace ?? '', object.metadata?.name ?? '');
}

function resourceVersionOf(object: KubeObject): string {
  const version = object.metadata?.resourceVersion;
  return typeof version === 'string' ? version : '';
}

/**
 * Whether `seen` is the written version or a later one. resourceVersions are opaque in general but
 * integers in practice (etcd revisions); anything else only matches exactly.
 */
export function isAtLeast(seen: string, written: string): boolean {
  if (seen === written) return true;
  if (!/^\d+$/.test(seen) || !/^\d+$/.test(written)) return false;
  return BigInt(seen) >= BigInt(written);
}

const byName = (a: KubeObject, b: KubeObject) => {
  const left = a.metadata?.name ?? '';
  const right = b.metadata?.name ?? '';
  return left < right ? -1 : left > right ? 1 : 0;
};

function encodeContinue(lastName: string): string {
  return `${CONTINUE_PREFIX}${Buffer.from(lastName, 'utf8').toString('base64url')}`;
}

function decodeContinue(token: string): string {
  return Buffer.from(token.slice(CONTINUE_PREFIX.length), 'base64url').toString('utf8');
}

/** One page of `items` (sorted by name) after the name a continue token carries. */
export function pageOf(sorted: KubeObject[], options: ListOptions): ObjectList {
  let start = 0;
  if (options.continueToken) {
    const after = decodeContinue(options.continueToken);
    start = sorted.findIndex((item) => (item.metadata?.name ?? '') > after);
    if (start === -1) start = sorted.length;
  }
  const limit = options.limit ?? sorted.length;
  const items = sorted.slice(start, start + limit);
  const remaining = sorted.length - start - items.length;
  const page: ObjectList = { items };
  if (remaining > 0 && items.length > 0) {
    page.continueToken = encodeContinue(items[items.length - 1]?.metadata?.name ?? '');
    page.remainingItemCount = remaining;
  }
  return page;
}

export function cachedKubeAccess(
  inner: KubeAccess,
  sources: KubeCacheSources,
  options: CachedKubeAccessOptions = {},
): CachedKubeAccess {
  const now = options.now ?? Date.now;
  const holdMs = options.readYourWritesMs ?? DEFAULT_READ_YOUR_WRITES_MS;
  const written = new Map<string, Written>();

  const caughtUp = (object: KubeObject, deletion: boolean) => {
    const key = objectKey(object);
    const entry = written.get(key);
    if (entry === undefined) return;
    const done =
      entry.kind === 'deleted'
        ? deletion || object.metadata?.deletionTimestamp !== undefined
        : isAtLeast(resourceVersionOf(object), entry.resourceVersion);
    if (done) written.delete(key);
  };
  sources.tasks.on({
    add: (object) => caughtUp(object as KubeObject, false),
    update: (object) => caughtUp(object as KubeObject, false),
    delete: (object) => caughtUp(object as KubeObject, true),
  });

  const synced = () => sources.tasks.hasSynced && sources.agents.hasSynced;
  /** Whether the informers see `namespace` at all. */
  const watched = (namespace: string) =>
    sources.namespace === '' || sources.namespace === namespace;
  const covers = (namespace: string) => synced() && watched(namespace);

  /** The entry for a Task the API wrote, dropping it once it has outlived its hold. */
  const writtenEntry = (key: string): Written | undefined => {
    const entry = written.get(key);
    if (entry !== undefined && entry.expiresAt <= now()) {
      written.delete(key);
      return undefined;
    }
    return entry;
  };
  const remember = (key: string, entry: Written) => {
    // Entries normally leave within milliseconds, when their watch event arrives; the sweep only
    // bounds the map should events never come.
    const at = now();
    for (const [old, { expiresAt }] of written) if (expiresAt <= at) written.delete(old);
    written.set(key, entry);
  };
  const rememberWrite = (object: KubeObject) => {
    if (!watched(object.metadata?.namespace ?? '')) return object;
    remember(objectKey(object), {
      kind: 'object',
      object,
      resourceVersion: resourceVersionOf(object),
      expiresAt: now() + holdMs,
    });
    return object;
  };

  return {
    isSynced: synced,
    getPod: (namespace, name) => inner.getPod(namespace, name),
    listJobPods: (namespace, jobName) => inner.listJobPods(namespace, jobName),
    readPodLog: (namespace, pod, container, tailLines) =>
      inner.readPodLog(namespace, pod, container, tailLines),
    followPodLog: (namespace, pod, container, tailLines) =>
      inner.followPodLog(namespace, pod, container, tailLines),
    canCreateTasks: (identity, namespace) => inner.canCreateTasks(identity, namespace),
    reviewAccess: (identity, namespace, access) => inner.reviewAccess(identity, namespace, access),
    createSecret: (namespace, secret) => inner.createSecret(namespace, secret),
    listSecrets: (namespace) => inner.listSecrets(namespace),
    // Agent writes are not remembered for read-your-writes as Task writes are: a read right after
    // one may see the previous Agent until its watch event arrives. Updates read live.
    createAgent: (namespace, agent) => inner.createAgent(namespace, agent),
    patchAgent: (namespace, name, patch) => inner.patchAgent(namespace, name, patch),
    deleteAgent: (namespace, name) => inner.deleteAgent(namespace, name),

    async getTask(namespace, name, read) {
      if (read?.live || !covers(namespace)) return inner.getTask(namespace, name);
      const entry = writtenEntry(keyOf(namespace, name));
      if (entry?.kind === 'object') return entry.object;
      if (entry?.kind === 'deleted') return inner.getTask(namespace, name);
      return (
        (sources.tasks.get(name, namespace) as KubeObject | undefined) ??
        inner.getTask(namespace, name)
      );
    },

    async listTasks(namespace, list) {
      const foreignToken =
        list.continueToken !== undefined &&
        list.continueToken !== '' &&
        !list.continueToken.startsWith(CONTINUE_PREFIX);
      if (!covers(namespace) || list.labelSelector || foreignToken) {
        return inner.listTasks(namespace, list);
      }
      const items = new Map<string, KubeObject>();
      for (const task of sources.tasks.list(namespace) as KubeObject[])
        items.set(objectKey(task), task);
      for (const [key, entry] of written) {
        if (entry.kind !== 'object' || entry.object.metadata?.namespace !== namespace) continue;
        if (writtenEntry(key) !== undefined) items.set(key, entry.object);
      }
      return pageOf([...items.values()].sort(byName), list);
    },

    async createTask(namespace, task) {
      return rememberWrite(await inner.createTask(namespace, task));
    },

    async patchTaskAnnotations(namespace, name, annotations) {
      return rememberWrite(await inner.patchTaskAnnotations(namespace, name, annotations));
    },

    async deleteTask(namespace, name) {
      const existed = await inner.deleteTask(namespace, name);
      if (watched(namespace)) {
        remember(keyOf(namespace, name), { kind: 'deleted', expiresAt: now() + holdMs });
      }
      return existed;
    },

    async getAgent(namespace, name, read) {
      if (read?.live || !covers(namespace)) return inner.getAgent(namespace, name);
      return (
        (sources.agents.get(name, namespace) as KubeObject | undefined) ??
        inner.getAgent(namespace, name)
      );
    },

    async listAgents(namespace) {
      if (!covers(namespace)) return inner.listAgents(namespace);
      return [...(sources.agents.list(namespace) as KubeObject[])].sort(byName);
    },

    async isReachable() {
      return synced() && (await inner.isReachable());
    },
  };
}
