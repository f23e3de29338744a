// Writes to Orka objects with optimistic concurrency: each write carries the resourceVersion it
// was computed from; on a 409 Conflict the object is read again and the change recomputed from
// it (the change may then decide there is nothing left to do).
import type { CustomObjectsApi } from '@kubernetes/client-node';
import { isConflict, isNotFound, ORKA_GROUP, ORKA_VERSION } from './kube.ts';

export interface OrkaObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    resourceVersion?: string;
    uid?: string;
    finalizers?: string[];
    annotations?: Record<string, string>;
    generation?: number;
  };
}

/** Returns the object to write (a changed copy of `fresh`), or undefined for no write. */
export type Change<T> = (fresh: T) => T | undefined;

const MAX_CONFLICT_RETRIES = 8;

export class ObjectWriter<T extends OrkaObject> {
  constructor(
    private readonly custom: CustomObjectsApi,
    private readonly plural: string,
  ) {}

  async get(namespace: string, name: string): Promise<T | undefined> {
    try {
      return (await this.custom.getNamespacedCustomObject({
        group: ORKA_GROUP,
        version: ORKA_VERSION,
        namespace,
        plural: this.plural,
        name,
      })) as T;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** Writes the status subresource; undefined when the object is gone or no write was needed. */
  updateStatus(current: T, change: Change<T>): Promise<T | undefined> {
    return this.write(current, change, (namespace, name, body) =>
      this.custom.replaceNamespacedCustomObjectStatus({
        group: ORKA_GROUP,
        version: ORKA_VERSION,
        namespace,
        plural: this.plural,
        name,
        body,
      }),
    );
  }

  /** Writes the object itself (metadata such as finalizers and annotations). */
  update(current: T, change: Change<T>): Promise<T | undefined> {
    return this.write(current, change, (namespace, name, body) =>
      this.custom.replaceNamespacedCustomObject({
        group: ORKA_GROUP,
        version: ORKA_VERSION,
        namespace,
        plural: this.plural,
        name,
        body,
      }),
    );
  }

  private async write(
    current: T,
    change: Change<T>,
    send: (namespace: string, name: string, body: T) => Promise<unknown>,
  ): Promise<T | undefined> {
    const namespace = current.metadata?.namespace ?? '';
    const name = current.metadata?.name ?? '';
    let base: T | undefined = current;
    for (let attempt = 0; ; attempt++) {
      const next = change(structuredClone(base));
      if (!next) return undefined;
      try {
        return (await send(namespace, name, next)) as T;
      } catch (error) {
        if (isNotFound(error)) return undefined;
        if (!isConflict(error) || attempt >= MAX_CONFLICT_RETRIES) throw error;
      }
      base = await this.get(namespace, name);
      if (!base) return undefined;
    }
  }
}
