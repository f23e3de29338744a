// Watches: a stream of JSON lines ({"type","object"}) from a resourceVersion, replayed from the
// store's history, with selector transitions (an object that stops matching is DELETED for that
// watch), bookmarks, 410 Gone once the history is compacted, and hooks that cut connections.
import type { ServerResponse } from 'node:http';
import type { Cluster } from './cluster.ts';
import type { ResourceType } from './resource-types.ts';
import { typeKey } from './resource-types.ts';
import {
  type FieldRequirement,
  matchesFields,
  matchesRequirements,
  type Requirement,
} from './selectors.ts';
import { gone } from './status.ts';
import type { KubeObject, StoreEvent } from './store.ts';

export interface WatchRequest {
  type: ResourceType;
  version: string;
  namespace: string;
  labels: Requirement[];
  fields: FieldRequirement[];
  resourceVersion: string;
  allowBookmarks: boolean;
  sendInitialEvents: boolean;
  timeoutSeconds?: number;
}

interface Connection {
  request: WatchRequest;
  res: ServerResponse;
  close: () => void;
}

export class WatchHub {
  private readonly connections = new Set<Connection>();

  constructor(
    private readonly cluster: Cluster,
    private readonly bookmarkIntervalMs: number,
  ) {}

  get openCount(): number {
    return this.connections.size;
  }

  /** Ends every open watch: cleanly (as the apiserver's request timeout does) or by reset. */
  dropAll(abrupt = false): number {
    const count = this.connections.size;
    for (const c of [...this.connections]) {
      c.close();
      if (abrupt) c.res.destroy();
      else c.res.end();
    }
    return count;
  }

  /** Sends a BOOKMARK at the current revision to every watch that asked for bookmarks. */
  bookmarkAll(): void {
    for (const c of this.connections) if (c.request.allowBookmarks) this.bookmark(c);
  }

  private bookmark(c: Connection, initialEventsEnd = false): void {
    const { type, version } = c.request;
    const metadata: Record<string, unknown> = {
      resourceVersion: String(this.cluster.store.currentRevision),
    };
    if (initialEventsEnd) metadata.annotations = { 'k8s.io/initial-events-end': 'true' };
    write(c.res, 'BOOKMARK', {
      kind: type.kind,
      apiVersion: type.group ? `${type.group}/${version}` : version,
      metadata,
    });
  }

  private matches(r: WatchRequest, o: KubeObject | undefined): boolean {
    if (!o) return false;
    if (r.namespace && o.metadata.namespace !== r.namespace) return false;
    return matchesRequirements(r.labels, o.metadata.labels) && matchesFields(r.fields, o);
  }

  /** Translates a store event into what this watch sees, if anything. */
  private translate(
    r: WatchRequest,
    e: StoreEvent,
  ): { type: string; object: KubeObject } | undefined {
    if (e.typeKey !== typeKey(r.type.group, r.type.plural)) return undefined;
    const now = this.matches(r, e.object);
    const before = e.type === 'MODIFIED' && this.matches(r, e.oldObject);
    const present = (o: KubeObject) => this.cluster.present(r.type, r.version, o);
    if (e.type === 'ADDED') return now ? { type: 'ADDED', object: present(e.object) } : undefined;
    if (e.type === 'DELETED')
      return now ? { type: 'DELETED', object: present(e.object) } : undefined;
    if (now && before) return { type: 'MODIFIED', object: present(e.object) };
    if (now) return { type: 'ADDED', object: present(e.object) };
    if (before) {
      const last = present(e.oldObject!);
      last.metadata.resourceVersion = String(e.resourceVersion);
      return { type: 'DELETED', object: last };
    }
    return undefined;
  }

  serve(r: WatchRequest, res: ServerResponse): void {
    res.writeHead(200, {
      'content-type': 'application/json',
      'cache-control': 'no-cache, private',
      'transfer-encoding': 'chunked',
    });
    // clients wait for the headers before they consider the watch open
    res.flushHeaders();
    const store = this.cluster.store;
    let replay: StoreEvent[] = [];
    const initial = r.resourceVersion === '' || r.resourceVersion === '0' || r.sendInitialEvents;
    if (!initial) {
      const from = Number(r.resourceVersion);
      const events = Number.isInteger(from) ? store.eventsSince(from) : undefined;
      if (!events) {
        const status = Number.isInteger(from)
          ? gone(
              `too old resource version: ${r.resourceVersion} (${store.oldestResumableRevision})`,
            ).status
          : {
              ...gone('').status,
              code: 400,
              reason: 'BadRequest',
              message: `invalid resource version: ${r.resourceVersion}`,
            };
        write(res, 'ERROR', status);
        res.end();
        return;
      }
      replay = events;
    }
    const timers: NodeJS.Timeout[] = [];
    const connection: Connection = {
      request: r,
      res,
      close: () => {
        unsubscribe();
        for (const t of timers) clearTimeout(t);
        this.connections.delete(connection);
      },
    };
    const unsubscribe = store.subscribe((e) => {
      const seen = this.translate(r, e);
      if (seen) write(res, seen.type, seen.object);
    });
    this.connections.add(connection);
    res.on('close', connection.close);
    if (initial) {
      for (const o of this.cluster.list(r.type, r.namespace)) {
        if (this.matches(r, o)) write(res, 'ADDED', this.cluster.present(r.type, r.version, o));
      }
      if (r.sendInitialEvents && r.allowBookmarks) this.bookmark(connection, true);
    }
    for (const e of replay) {
      const seen = this.translate(r, e);
      if (seen) write(res, seen.type, seen.object);
    }
    if (r.allowBookmarks && this.bookmarkIntervalMs > 0) {
      const tick = () => {
        this.bookmark(connection);
        timers[0] = setTimeout(tick, this.bookmarkIntervalMs).unref();
      };
      timers[0] = setTimeout(tick, this.bookmarkIntervalMs).unref();
    }
    if (r.timeoutSeconds && r.timeoutSeconds > 0) {
      timers[1] = setTimeout(() => {
        connection.close();
        res.end();
      }, r.timeoutSeconds * 1000).unref();
    }
  }
}

function write(res: ServerResponse, type: string, object: unknown): void {
  if (!res.writableEnded && !res.destroyed) res.write(`${JSON.stringify({ type, object })}\n`);
}
