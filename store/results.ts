// Task results: the bytes a worker POSTs when it finishes, one per Task, replaced on re-submit.

import { toBytes } from './bytes.ts';
import type { Connection } from './database.ts';
import { TooLargeError } from './errors.ts';
import { checkNamespace, checkTaskName } from './names.ts';

export const MAX_RESULT_BYTES = 10 * 1024 * 1024;

export interface StoredResult {
  namespace: string;
  taskName: string;
  /** Exactly the bytes that were put; `data.toString('utf8')` for the text. */
  data: Buffer;
  /** RFC 3339 UTC. */
  createdAt: string;
  updatedAt: string;
}

export interface ResultStore {
  /**
   * Stores (or replaces) a Task's result. Throws `TooLargeError` over 10 MiB, leaving any
   * earlier result untouched.
   */
  put(namespace: string, taskName: string, data: Uint8Array | string): void;
  get(namespace: string, taskName: string): StoredResult | undefined;
  /** Whether a result exists: what the reconciler sets `status.resultRef.available` from. */
  has(namespace: string, taskName: string): boolean;
  /** Returns whether there was a result to delete. */
  delete(namespace: string, taskName: string): boolean;
}

interface ResultRow {
  data: Buffer;
  created_at: string;
  updated_at: string;
}

export function resultStore(db: Connection, now: () => Date): ResultStore {
  const upsert = db.prepare<[string, string, Buffer, string, string]>(
    `INSERT INTO results (namespace, task_name, data, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (namespace, task_name) DO UPDATE SET data = excluded.data,
       updated_at = excluded.updated_at`,
  );
  const select = db.prepare<[string, string], ResultRow>(
    'SELECT data, created_at, updated_at FROM results WHERE namespace = ? AND task_name = ?',
  );
  const exists = db.prepare<[string, string], { found: number }>(
    'SELECT 1 AS found FROM results WHERE namespace = ? AND task_name = ?',
  );
  const remove = db.prepare<[string, string]>(
    'DELETE FROM results WHERE namespace = ? AND task_name = ?',
  );

  return {
    put(namespace, taskName, data) {
      const ns = checkNamespace(namespace);
      const task = checkTaskName(taskName);
      const bytes = toBytes(data, 'result');
      if (bytes.length > MAX_RESULT_BYTES) {
        throw new TooLargeError(`result for ${ns}/${task}`, bytes.length, MAX_RESULT_BYTES);
      }
      const at = now().toISOString();
      upsert.run(ns, task, bytes, at, at);
    },
    get(namespace, taskName) {
      const ns = checkNamespace(namespace);
      const task = checkTaskName(taskName);
      const row = select.get(ns, task);
      if (!row) return undefined;
      return {
        namespace: ns,
        taskName: task,
        data: row.data,
        createdAt: row.created_at,
        updatedAt: row.updated_at,
      };
    },
    has(namespace, taskName) {
      return exists.get(checkNamespace(namespace), checkTaskName(taskName)) !== undefined;
    },
    delete(namespace, taskName) {
      return remove.run(checkNamespace(namespace), checkTaskName(taskName)).changes > 0;
    },
  };
}
