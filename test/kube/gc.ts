// The controllers that finish deletions on a real cluster: the garbage collector (ownerReferences,
// background/foreground/orphan propagation) and the namespace controller (emptying a terminating
// namespace, then removing it). Runs asynchronously after each deletion, as the controllers do.
import { type Cluster, GC_USER, type RequestScope } from './cluster.ts';
import { typeKey } from './resource-types.ts';
import { StatusError } from './status.ts';
import type { KubeObject } from './store.ts';

const NAMESPACES = typeKey('', 'namespaces');

export class GarbageCollector {
  private scheduled: Promise<void> | undefined;
  private again = false;
  /** Failures of GC deletes (a webhook denying them, say), for assertions. */
  readonly errors: string[] = [];

  constructor(private readonly cluster: Cluster) {}

  schedule(): void {
    if (this.scheduled) {
      this.again = true;
      return;
    }
    this.scheduled = new Promise((resolve) => setImmediate(resolve)).then(() => this.run());
  }

  /** Resolves once no collection is pending. */
  async idle(): Promise<void> {
    while (this.scheduled) await this.scheduled;
  }

  private async run(): Promise<void> {
    try {
      do {
        this.again = false;
        while (await this.pass()) {
          // each pass may free more objects; repeat until nothing changes
        }
      } while (this.again);
    } finally {
      this.scheduled = undefined;
    }
  }

  private all(): Array<{ typeKey: string; object: KubeObject }> {
    const store = this.cluster.store;
    return store.typeKeys().flatMap((k) => store.list(k).map((object) => ({ typeKey: k, object })));
  }

  private scope(typeKeyOf: string, o: KubeObject): RequestScope | undefined {
    const [group, plural] = typeKeyOf.split('/') as [string, string];
    const t = this.cluster.registry.get(group, plural);
    if (!t) return undefined;
    return {
      user: GC_USER,
      type: t,
      version: t.versions[0]!,
      namespace: o.metadata.namespace ?? '',
      subresource: '',
      dryRun: false,
      warnings: [],
    };
  }

  private async remove(
    k: string,
    o: KubeObject,
    propagation: 'Background' | 'Foreground',
  ): Promise<boolean> {
    const scope = this.scope(k, o);
    if (!scope || o.metadata.deletionTimestamp) return false;
    try {
      await this.cluster.delete(scope, o.metadata.name!, {
        propagationPolicy: propagation,
        preconditions: { uid: o.metadata.uid! },
      });
      return true;
    } catch (e) {
      if (!(e instanceof StatusError && e.code === 404))
        this.errors.push(
          `delete ${k} ${o.metadata.namespace ?? ''}/${o.metadata.name}: ${(e as Error).message}`,
        );
      return false;
    }
  }

  /** Rewrites an object directly in storage, as a controller's update would (no admission). */
  private rewrite(k: string, o: KubeObject, change: (copy: KubeObject) => void): void {
    const copy = structuredClone(o);
    change(copy);
    if (
      copy.metadata.deletionTimestamp &&
      (copy.metadata.finalizers ?? []).length === 0 &&
      !(k === NAMESPACES)
    ) {
      this.cluster.store.remove(k, copy.metadata.namespace, copy.metadata.name!);
      return;
    }
    this.cluster.store.put(k, copy);
  }

  private dropFinalizer(k: string, o: KubeObject, finalizer: string): void {
    this.rewrite(k, o, (c) => {
      c.metadata.finalizers = (c.metadata.finalizers ?? []).filter((f) => f !== finalizer);
      if (c.metadata.finalizers.length === 0) delete c.metadata.finalizers;
    });
  }

  private async pass(): Promise<boolean> {
    const store = this.cluster.store;
    const objects = this.all();
    const dependentsOf = (uid: string) =>
      objects.filter(({ object }) =>
        (object.metadata.ownerReferences ?? []).some((r) => r.uid === uid),
      );
    for (const { typeKey: k, object } of objects) {
      const finalizers = object.metadata.finalizers ?? [];
      if (!object.metadata.deletionTimestamp) continue;
      if (finalizers.includes('orphan')) {
        for (const d of dependentsOf(object.metadata.uid!)) {
          this.rewrite(d.typeKey, d.object, (c) => {
            c.metadata.ownerReferences = (c.metadata.ownerReferences ?? []).filter(
              (r) => r.uid !== object.metadata.uid,
            );
            if (c.metadata.ownerReferences.length === 0) delete c.metadata.ownerReferences;
          });
        }
        this.dropFinalizer(k, object, 'orphan');
        return true;
      }
      if (finalizers.includes('foregroundDeletion')) {
        const dependents = dependentsOf(object.metadata.uid!);
        if (dependents.length === 0) {
          this.dropFinalizer(k, object, 'foregroundDeletion');
          return true;
        }
        let progressed = false;
        for (const d of dependents)
          progressed = (await this.remove(d.typeKey, d.object, 'Foreground')) || progressed;
        if (progressed) return true;
      }
    }
    for (const { typeKey: k, object } of objects) {
      const refs = object.metadata.ownerReferences ?? [];
      if (refs.length > 0 && refs.every((r) => store.locate(r.uid) === undefined)) {
        if (await this.remove(k, object, 'Background')) return true;
      }
    }
    return this.finishNamespaces(objects);
  }

  private async finishNamespaces(
    objects: Array<{ typeKey: string; object: KubeObject }>,
  ): Promise<boolean> {
    for (const ns of this.cluster.store.list(NAMESPACES)) {
      if (!ns.metadata.deletionTimestamp) continue;
      const content = objects.filter(
        ({ typeKey: k, object }) =>
          k !== NAMESPACES && object.metadata.namespace === ns.metadata.name,
      );
      if (content.length === 0) {
        if ((ns.metadata.finalizers ?? []).length === 0) {
          this.cluster.store.remove(NAMESPACES, undefined, ns.metadata.name!);
          return true;
        }
        const spec = (ns.spec ?? {}) as { finalizers?: string[] };
        if ((spec.finalizers ?? []).length > 0) {
          this.rewrite(NAMESPACES, ns, (c) => {
            c.spec = { ...(c.spec as object), finalizers: [] };
          });
          return true;
        }
        continue;
      }
      let progressed = false;
      for (const { typeKey: k, object } of content)
        progressed = (await this.remove(k, object, 'Background')) || progressed;
      if (progressed) return true;
    }
    return false;
  }
}
