// Session locks: at most one Task runs on a (namespace, session) between taking its slot and
// completing. The holder is the Task's name. Unlike the reference (its quirk Q1), a Task that
// already holds the lock acquires it again, so a Task re-entering Pending, or retried, keeps going.
import type { Connection } from './database.ts';
import { InvalidArgumentError, SessionNotFoundError } from './errors.ts';
import { checkNamespace, checkSessionName, checkTaskName, describeValue } from './names.ts';
import { sessionRows } from './sessions.ts';

export type LockOutcome =
  | {
      acquired: true;
      /** The Task held the lock before this call. */
      alreadyHeld: boolean;
      /** The session did not exist and was created (with `createSession`) holding the lock. */
      sessionCreated: boolean;
    }
  | {
      acquired: false;
      /** The Task holding the lock. */
      holder: string;
      /** E.g. `session team-a/my-session is locked by task fix-tests`, for a condition or Event. */
      message: string;
    };

export interface SessionLock {
  session: string;
  taskName: string;
  /** RFC 3339 UTC. */
  acquiredAt: string;
}

export interface AcquireOptions {
  /** The Task's `sessionRef.create`: create a missing session (type `task`). Default false. */
  createSession?: boolean;
}

export interface SessionLockStore {
  /**
   * Takes the session's lock for `taskName`: acquired when free or already held by the same
   * Task, refused (naming the holder) when another Task holds it. Throws `SessionNotFoundError`
   * ("... and create=false") for a missing session unless `createSession` is set.
   */
  acquire(
    namespace: string,
    session: string,
    taskName: string,
    options?: AcquireOptions,
  ): LockOutcome;
  /** Releases the lock if `taskName` holds it; returns whether it did (false for anyone else). */
  release(namespace: string, session: string, taskName: string): boolean;
  /** Releases every lock `taskName` holds in the namespace; returns those sessions' names. */
  releaseAllHeldBy(namespace: string, taskName: string): string[];
  holder(namespace: string, session: string): SessionLock | undefined;
  /** The namespace's held locks ordered by session name. */
  list(namespace: string): SessionLock[];
}

interface LockRow {
  session_name: string;
  task_name: string;
  acquired_at: string;
}

export function sessionLockStore(db: Connection, now: () => Date): SessionLockStore {
  const sessions = sessionRows(db);
  const selectOne = db.prepare<[string, string], LockRow>(
    `SELECT session_name, task_name, acquired_at FROM session_locks
     WHERE namespace = ? AND session_name = ?`,
  );
  const selectAll = db.prepare<[string], LockRow>(
    `SELECT session_name, task_name, acquired_at FROM session_locks
     WHERE namespace = ? ORDER BY session_name`,
  );
  const selectHeldBy = db.prepare<[string, string], { session_name: string }>(
    `SELECT session_name FROM session_locks WHERE namespace = ? AND task_name = ?
     ORDER BY session_name`,
  );
  const insert = db.prepare<[string, string, string, string]>(
    `INSERT INTO session_locks (namespace, session_name, task_name, acquired_at)
     VALUES (?, ?, ?, ?)`,
  );
  const removeIfHeld = db.prepare<[string, string, string]>(
    'DELETE FROM session_locks WHERE namespace = ? AND session_name = ? AND task_name = ?',
  );
  const removeAllHeldBy = db.prepare<[string, string]>(
    'DELETE FROM session_locks WHERE namespace = ? AND task_name = ?',
  );

  const acquire = db.transaction(
    (ns: string, session: string, task: string, createSession: boolean): LockOutcome => {
      const at = now().toISOString();
      let sessionCreated = false;
      if (!sessions.exists(ns, session)) {
        if (!createSession) throw new SessionNotFoundError(ns, session, ' and create=false');
        sessions.insert(ns, session, 'task', at);
        sessionCreated = true;
      }
      const held = selectOne.get(ns, session);
      if (!held) {
        insert.run(ns, session, task, at);
        return { acquired: true, alreadyHeld: false, sessionCreated };
      }
      if (held.task_name === task) return { acquired: true, alreadyHeld: true, sessionCreated };
      return {
        acquired: false,
        holder: held.task_name,
        message: `session ${ns}/${session} is locked by task ${held.task_name}`,
      };
    },
  );

  const releaseAll = db.transaction((ns: string, task: string) => {
    const released = selectHeldBy.all(ns, task).map((row) => row.session_name);
    removeAllHeldBy.run(ns, task);
    return released;
  });

  return {
    acquire(namespace, session, taskName, options = {}) {
      const createSession = options.createSession ?? false;
      if (typeof createSession !== 'boolean') {
        throw new InvalidArgumentError(
          `createSession must be true or false, got ${describeValue(createSession)}`,
        );
      }
      return acquire.immediate(
        checkNamespace(namespace),
        checkSessionName(session),
        checkTaskName(taskName),
        createSession,
      );
    },
    release(namespace, session, taskName) {
      const result = removeIfHeld.run(
        checkNamespace(namespace),
        checkSessionName(session),
        checkTaskName(taskName),
      );
      return result.changes > 0;
    },
    releaseAllHeldBy(namespace, taskName) {
      return releaseAll.immediate(checkNamespace(namespace), checkTaskName(taskName));
    },
    holder(namespace, session) {
      const row = selectOne.get(checkNamespace(namespace), checkSessionName(session));
      return row ? toLock(row) : undefined;
    },
    list(namespace) {
      return selectAll.all(checkNamespace(namespace)).map(toLock);
    },
  };
}

function toLock(row: LockRow): SessionLock {
  return { session: row.session_name, taskName: row.task_name, acquiredAt: row.acquired_at };
}
