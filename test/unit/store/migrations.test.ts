import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { openConnection } from '../../../store/database.ts';
import {
  LATEST_SCHEMA_VERSION,
  openStore,
  SchemaTooNewError,
  StoreError,
} from '../../../store/index.ts';
import { MIGRATIONS, migrate, schemaVersion } from '../../../store/migrations.ts';
import { tempDir } from './temp-store.ts';

const TABLES = ['artifacts', 'results', 'schema_migrations', 'session_locks', 'session_messages'];

function tableNames(path: string): string[] {
  const db = new Database(path, { readonly: true });
  try {
    return db
      .prepare<[], { name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
      )
      .all()
      .map((row) => row.name);
  } finally {
    db.close();
  }
}

describe('migrations', () => {
  test('are numbered 1, 2, 3... with names, so the recorded version means one schema', () => {
    assert.ok(MIGRATIONS.length > 0);
    MIGRATIONS.forEach((migration, index) => {
      assert.equal(migration.version, index + 1);
      assert.ok(migration.name.length > 0);
    });
    assert.equal(LATEST_SCHEMA_VERSION, MIGRATIONS.length);
  });

  test('an empty file gets the whole schema and the connection settings', (t) => {
    const path = join(tempDir(t), 'orka.db');
    const store = openStore(path);
    assert.deepEqual(store.migration, {
      from: 0,
      to: LATEST_SCHEMA_VERSION,
      applied: MIGRATIONS.map((m) => m.version),
    });
    store.close();
    assert.deepEqual(tableNames(path), [...TABLES, 'sessions'].sort());

    const db = openConnection(path);
    t.after(() => db.close());
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(db.pragma('synchronous', { simple: true }), 2, 'synchronous = FULL');
    assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
    assert.equal(db.pragma('busy_timeout', { simple: true }), 5000);
    assert.equal(schemaVersion(db), LATEST_SCHEMA_VERSION);
  });

  test('re-opening applies nothing and keeps the data', (t) => {
    const path = join(tempDir(t), 'orka.db');
    const first = openStore(path);
    first.results.put('team-a', 'fix-tests', 'done');
    first.close();

    const second = openStore(path);
    t.after(() => second.close());
    assert.deepEqual(second.migration, {
      from: LATEST_SCHEMA_VERSION,
      to: LATEST_SCHEMA_VERSION,
      applied: [],
    });
    assert.equal(second.results.get('team-a', 'fix-tests')?.data.toString(), 'done');
  });

  test('a later migration is applied once, on top of the recorded ones', (t) => {
    const path = join(tempDir(t), 'orka.db');
    openStore(path).close();
    const db = openConnection(path);
    t.after(() => db.close());
    const next = {
      version: LATEST_SCHEMA_VERSION + 1,
      name: 'result digests',
      sql: 'ALTER TABLE results ADD COLUMN digest TEXT',
    };
    const now = () => new Date('2026-01-01T00:00:00Z');
    assert.deepEqual(migrate(db, path, now, [...MIGRATIONS, next]).applied, [next.version]);
    assert.deepEqual(migrate(db, path, now, [...MIGRATIONS, next]).applied, []);
    const columns = db
      .prepare<[], { name: string }>('PRAGMA table_info(results)')
      .all()
      .map((c) => c.name);
    assert.ok(columns.includes('digest'));
  });

  test('a failing migration leaves the database at the previous version', (t) => {
    const path = join(tempDir(t), 'orka.db');
    openStore(path).close();
    const db = openConnection(path);
    t.after(() => db.close());
    const broken = {
      version: LATEST_SCHEMA_VERSION + 1,
      name: 'broken',
      sql: 'CREATE TABLE extra (x INTEGER); ALTER TABLE no_such_table ADD COLUMN y TEXT',
    };
    assert.throws(
      () => migrate(db, path, () => new Date(), [...MIGRATIONS, broken]),
      /no_such_table/,
    );
    assert.equal(schemaVersion(db), LATEST_SCHEMA_VERSION);
    assert.ok(!tableNames(path).includes('extra'));
  });

  test('a database from a newer Orka is refused, naming both versions, and left unchanged', (t) => {
    const path = join(tempDir(t), 'orka.db');
    openStore(path).close();
    const db = new Database(path);
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
      LATEST_SCHEMA_VERSION + 5,
      'from the future',
      '2030-01-01T00:00:00.000Z',
    );
    db.close();

    assert.throws(
      () => openStore(path),
      (error: unknown) => {
        assert.ok(error instanceof SchemaTooNewError);
        assert.equal(error.code, 'schema-too-new');
        assert.equal(error.databaseVersion, LATEST_SCHEMA_VERSION + 5);
        assert.equal(error.supportedVersion, LATEST_SCHEMA_VERSION);
        assert.match(error.message, new RegExp(`schema version ${LATEST_SCHEMA_VERSION + 5}`));
        assert.ok(error.message.includes(path));
        return true;
      },
    );
    const check = openConnection(path);
    t.after(() => check.close());
    assert.equal(schemaVersion(check), LATEST_SCHEMA_VERSION + 5);
  });

  test('a file that is not a database gets an error naming the path', (t) => {
    const path = join(tempDir(t), 'notes.txt');
    writeFileSync(path, 'this is not SQLite '.repeat(100));
    assert.throws(
      () => openStore(path),
      (error: unknown) =>
        error instanceof StoreError &&
        error.code === 'open-failed' &&
        error.message.startsWith(`cannot open store ${path}: `),
    );
  });

  test('a path in a missing directory and an in-memory database are refused', (t) => {
    const missing = join(tempDir(t), 'no', 'such', 'dir', 'orka.db');
    assert.throws(() => openStore(missing), /cannot open store .*no\/such\/dir\/orka\.db/);
    assert.throws(() => openStore(':memory:'), /must name a file.*not durable/);
    assert.throws(() => openStore(''), /must name a file/);
  });
});
