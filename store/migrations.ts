// Numbered schema migrations. A database records the versions applied to it in
// `schema_migrations`; opening it applies the missing ones in order, each in its own transaction,
// and refuses a database that a newer Orka has already moved past.
//
// Rules for adding one: append with the next version number, never edit or reorder a released
// migration, and keep every statement valid on the schema the previous version left.
import type { Connection } from './database.ts';
import { SchemaTooNewError } from './errors.ts';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

// Tables are STRICT so a wrong type is an error instead of being stored as something else.
// Timestamps are RFC 3339 UTC text written by the store's clock. Every table leads with the
// namespace so each key and index is scoped by it.
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'results, sessions, messages, session locks, artifacts',
    sql: `
      CREATE TABLE results (
        namespace TEXT NOT NULL,
        task_name TEXT NOT NULL,
        data BLOB NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (namespace, task_name)
      ) STRICT;

      CREATE TABLE sessions (
        namespace TEXT NOT NULL,
        name TEXT NOT NULL,
        session_type TEXT NOT NULL DEFAULT 'task' CHECK (session_type IN ('task', 'chat')),
        message_count INTEGER NOT NULL DEFAULT 0,
        input_tokens INTEGER NOT NULL DEFAULT 0,
        output_tokens INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (namespace, name)
      ) STRICT;

      CREATE TABLE session_messages (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        namespace TEXT NOT NULL,
        session_name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant', 'tool')),
        content TEXT NOT NULL DEFAULT '',
        task_name TEXT,
        name TEXT,
        input TEXT,
        tool_calls TEXT,
        tool_call_id TEXT,
        created_at TEXT NOT NULL,
        FOREIGN KEY (namespace, session_name) REFERENCES sessions (namespace, name)
          ON DELETE CASCADE
      ) STRICT;
      CREATE INDEX idx_session_messages_order ON session_messages (namespace, session_name, id);

      -- One row per locked session: the Task (by name) allowed to run on it. A separate table
      -- (the reference used a sessions column) so a lock has its own time and is listed cheaply.
      CREATE TABLE session_locks (
        namespace TEXT NOT NULL,
        session_name TEXT NOT NULL,
        task_name TEXT NOT NULL,
        acquired_at TEXT NOT NULL,
        PRIMARY KEY (namespace, session_name),
        FOREIGN KEY (namespace, session_name) REFERENCES sessions (namespace, name)
          ON DELETE CASCADE
      ) STRICT;
      CREATE INDEX idx_session_locks_task ON session_locks (namespace, task_name);

      CREATE TABLE artifacts (
        namespace TEXT NOT NULL,
        task_name TEXT NOT NULL,
        filename TEXT NOT NULL,
        content_type TEXT NOT NULL DEFAULT 'application/octet-stream',
        size INTEGER NOT NULL,
        data BLOB NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (namespace, task_name, filename)
      ) STRICT;
    `,
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS.at(-1)?.version ?? 0;

export interface MigrationReport {
  from: number;
  to: number;
  applied: number[];
}

/** The highest migration version recorded in the database, 0 for a new one. */
export function schemaVersion(db: Connection): number {
  const table = db
    .prepare<[], { name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'",
    )
    .get();
  if (!table) return 0;
  const row = db
    .prepare<[], { version: number | null }>(
      'SELECT max(version) AS version FROM schema_migrations',
    )
    .get();
  return row?.version ?? 0;
}

/**
 * Brings the database up to `migrations`' last version. Safe to call on every open and from two
 * processes at once: the version is read again under the write lock before anything is applied.
 */
export function migrate(
  db: Connection,
  path: string,
  now: () => Date,
  migrations: readonly Migration[] = MIGRATIONS,
): MigrationReport {
  const latest = migrations.at(-1)?.version ?? 0;
  const run = db.transaction((): MigrationReport => {
    db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY,
      name TEXT NOT NULL,
      applied_at TEXT NOT NULL
    ) STRICT`);
    const from = schemaVersion(db);
    if (from > latest) throw new SchemaTooNewError(path, from, latest);
    const record = db.prepare<[number, string, string]>(
      'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)',
    );
    const applied: number[] = [];
    for (const migration of migrations) {
      if (migration.version <= from) continue;
      db.exec(migration.sql);
      record.run(migration.version, migration.name, now().toISOString());
      applied.push(migration.version);
    }
    return { from, to: Math.max(from, latest), applied };
  });
  return run.immediate();
}
