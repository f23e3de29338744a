// The store: one SQLite file holding results, artifacts, sessions, transcripts and session
// locks, every record scoped by namespace. Open it once per process (the controller).
import { type ArtifactStore, artifactStore } from './artifacts.ts';
import { type Connection, type ConnectionOptions, openConnection } from './database.ts';
import { type SessionLockStore, sessionLockStore } from './locks.ts';
import { type MigrationReport, migrate } from './migrations.ts';
import { checkNamespace, checkTaskName } from './names.ts';
import { type ResultStore, resultStore } from './results.ts';
import { type SessionStore, sessionStore } from './sessions.ts';

export type { Artifact, ArtifactInfo, ArtifactStore } from './artifacts.ts';
export { DEFAULT_ARTIFACT_CONTENT_TYPE, MAX_ARTIFACT_BYTES } from './artifacts.ts';
export { DEFAULT_BUSY_TIMEOUT_MS } from './database.ts';
export {
  InvalidArgumentError,
  SchemaTooNewError,
  SessionNotFoundError,
  StoreError,
  type StoreErrorCode,
  TooLargeError,
} from './errors.ts';
export type { AcquireOptions, LockOutcome, SessionLock, SessionLockStore } from './locks.ts';
export type { MessageRole, NewMessage, SessionMessage } from './messages.ts';
export { MAX_MESSAGE_CONTENT_BYTES, MESSAGE_ROLES } from './messages.ts';
export { LATEST_SCHEMA_VERSION, type MigrationReport } from './migrations.ts';
export { checkArtifactFilename } from './names.ts';
export type { ResultStore, StoredResult } from './results.ts';
export { MAX_RESULT_BYTES } from './results.ts';
export type {
  GetOrCreateOptions,
  Session,
  SessionStore,
  SessionType,
  TranscriptOptions,
} from './sessions.ts';
export { SESSION_TYPES } from './sessions.ts';

export interface StoreOptions extends ConnectionOptions {
  /** Source of timestamps (default: the system clock); tests pass a fixed one. */
  clock?: () => Date;
}

export interface TaskDataRemoval {
  result: boolean;
  artifacts: number;
  /** Sessions whose lock the Task held and no longer does. */
  releasedSessions: string[];
}

export interface Store {
  readonly path: string;
  /** The migrations this open applied (`applied: []` when the schema was current). */
  readonly migration: MigrationReport;
  readonly results: ResultStore;
  readonly artifacts: ArtifactStore;
  readonly sessions: SessionStore;
  readonly locks: SessionLockStore;
  /**
   * Everything kept for a deleted Task, in one transaction: its result, its artifacts, and the
   * session locks it holds. Session transcripts stay: they belong to the session.
   */
  deleteTaskData(namespace: string, taskName: string): TaskDataRemoval;
  /** A trivial query, for readiness checks: false when the file can no longer be read. */
  isHealthy(): boolean;
  /** Bytes used by the database pages (excluding the WAL), for a size gauge. */
  sizeBytes(): number;
  /** Runs `PRAGMA optimize` and closes the file; the store is unusable afterwards. */
  close(): void;
}

/**
 * Opens the store at `path` (a file; created if missing), applying pending migrations. Throws
 * `SchemaTooNewError` for a database written by a newer Orka and `StoreError` ('open-failed')
 * when the file cannot be opened as a WAL database.
 */
export function openStore(path: string, options: StoreOptions = {}): Store {
  const now = options.clock ?? (() => new Date());
  const db = openConnection(path, options);
  let migration: MigrationReport;
  try {
    migration = migrate(db, path, now);
  } catch (error) {
    db.close();
    throw error;
  }
  const results = resultStore(db, now);
  const artifacts = artifactStore(db, now);
  const locks = sessionLockStore(db, now);
  const deleteTask = db.transaction(
    (namespace: string, taskName: string): TaskDataRemoval => ({
      result: results.delete(namespace, taskName),
      artifacts: artifacts.deleteAll(namespace, taskName),
      releasedSessions: locks.releaseAllHeldBy(namespace, taskName),
    }),
  );
  return {
    path,
    migration,
    results,
    artifacts,
    sessions: sessionStore(db, now),
    locks,
    deleteTaskData(namespace, taskName) {
      return deleteTask.immediate(checkNamespace(namespace), checkTaskName(taskName));
    },
    isHealthy: () => isHealthy(db),
    sizeBytes() {
      const pages = db.pragma('page_count', { simple: true }) as number;
      const pageSize = db.pragma('page_size', { simple: true }) as number;
      return pages * pageSize;
    },
    close() {
      if (!db.open) return;
      db.pragma('optimize');
      db.close();
    },
  };
}

function isHealthy(db: Connection): boolean {
  try {
    return db.prepare('SELECT 1').pluck().get() === 1;
  } catch {
    return false;
  }
}
