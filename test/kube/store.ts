// Object storage with one global, monotonically increasing resourceVersion (as etcd's revision)
// and an event history that watches resume from until it is compacted.

export type KubeObject = Record<string, unknown> & {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
};

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
  [key: string]: unknown;
}

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  resourceVersion: number;
  typeKey: string;
  type: EventType;
  object: KubeObject;
  /** The state before this event (MODIFIED and DELETED), for selector transitions on watches. */
  oldObject?: KubeObject;
}

export interface ObjectLocation {
  typeKey: string;
  namespace: string;
  name: string;
}

function objectKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

export class ObjectStore {
  private revision = 0;
  private compactedRevision = 0;
  private readonly byType = new Map<string, Map<string, KubeObject>>();
  private readonly byUid = new Map<string, ObjectLocation>();
  private history: StoreEvent[] = [];
  private readonly listeners = new Set<(event: StoreEvent) => void>();

  get currentRevision(): number {
    return this.revision;
  }

  /** Watches may resume from any revision at or after this one; older ones get 410 Gone. */
  get oldestResumableRevision(): number {
    return this.compactedRevision;
  }

  private table(typeKey: string): Map<string, KubeObject> {
    let t = this.byType.get(typeKey);
    if (!t) {
      t = new Map();
      this.byType.set(typeKey, t);
    }
    return t;
  }

  get(typeKey: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.byType.get(typeKey)?.get(objectKey(namespace, name));
  }

  /** Objects sorted by namespace then name, as etcd's key order lists them. */
  list(typeKey: string, namespace?: string): KubeObject[] {
    const all = [...(this.byType.get(typeKey)?.values() ?? [])];
    const filtered = namespace ? all.filter((o) => o.metadata.namespace === namespace) : all;
    return filtered.sort((a, b) =>
      objectKey(a.metadata.namespace, a.metadata.name!).localeCompare(
        objectKey(b.metadata.namespace, b.metadata.name!),
      ),
    );
  }

  typeKeys(): string[] {
    return [...this.byType.keys()];
  }

  locate(uid: string): ObjectLocation | undefined {
    return this.byUid.get(uid);
  }

  /** Stores a new or changed object, stamping the next resourceVersion on it. */
  put(typeKey: string, object: KubeObject): KubeObject {
    const key = objectKey(object.metadata.namespace, object.metadata.name!);
    const table = this.table(typeKey);
    const old = table.get(key);
    this.revision++;
    object.metadata.resourceVersion = String(this.revision);
    table.set(key, object);
    this.byUid.set(object.metadata.uid!, {
      typeKey,
      namespace: object.metadata.namespace ?? '',
      name: object.metadata.name!,
    });
    this.emit(
      old
        ? { resourceVersion: this.revision, typeKey, type: 'MODIFIED', object, oldObject: old }
        : { resourceVersion: this.revision, typeKey, type: 'ADDED', object },
    );
    return object;
  }

  /** Removes an object; the DELETED event carries its last state at the deletion's revision. */
  remove(typeKey: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const table = this.byType.get(typeKey);
    const key = objectKey(namespace, name);
    const old = table?.get(key);
    if (!table || !old) return undefined;
    table.delete(key);
    this.byUid.delete(old.metadata.uid!);
    this.revision++;
    const object = structuredClone(old);
    object.metadata.resourceVersion = String(this.revision);
    this.emit({ resourceVersion: this.revision, typeKey, type: 'DELETED', object, oldObject: old });
    return object;
  }

  private emit(event: StoreEvent): void {
    this.history.push(event);
    for (const listener of this.listeners) listener(event);
  }

  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Events after `revision`, or undefined when the history no longer reaches back that far. */
  eventsSince(revision: number): StoreEvent[] | undefined {
    if (revision < this.compactedRevision) return undefined;
    return this.history.filter((e) => e.resourceVersion > revision);
  }

  /** Forgets the history up to now, as etcd compaction does. */
  compact(): void {
    this.compactedRevision = this.revision;
    this.history = [];
  }
}
