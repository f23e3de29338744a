// The one SQLite connection a store uses, with the settings its guarantees rest on.
import Database from 'better-sqlite3';
import { StoreError } from './errors.ts';

export type Connection = Database.Database;

export interface ConnectionOptions {
  /** How long a write waits for another connection's lock before failing (default 5000 ms). */
  busyTimeoutMs?: number;
}

export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

/**
 * Opens (creating if missing) the database file at `path`.
 *
 * WAL lets readers run beside the writer; `synchronous = FULL` syncs the WAL on every commit, so a
 * write that returned survives a process crash and also an OS crash or power cut (the reference
 * ran NORMAL, which may lose the last commits on power loss).
 */
export function openConnection(path: string, options: ConnectionOptions = {}): Connection {
  if (typeof path !== 'string' || path === '' || path === ':memory:') {
    throw new StoreError(
      'open-failed',
      `store path must name a file, got ${JSON.stringify(path)}: an in-memory database is not durable`,
    );
  }
  const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  if (!Number.isInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
    throw new StoreError(
      'open-failed',
      `busy timeout must be a non-negative integer of milliseconds, got ${busyTimeoutMs}`,
    );
  }
  let db: Connection;
  try {
    db = new Database(path, { timeout: busyTimeoutMs });
  } catch (error) {
    throw new StoreError('open-failed', `cannot open store ${path}: ${reason(error)}`, {
      cause: error,
    });
  }
  try {
    const journalMode = db.pragma('journal_mode = WAL', { simple: true });
    if (journalMode !== 'wal') {
      throw new Error(`journal mode is ${String(journalMode)}, WAL could not be enabled`);
    }
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    return db;
  } catch (error) {
    db.close();
    throw new StoreError('open-failed', `cannot open store ${path}: ${reason(error)}`, {
      cause: error,
    });
  }
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
