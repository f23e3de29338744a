// Sessions and their transcripts: a session is a named conversation in a namespace that Tasks
// continue one after another; its messages are kept in the order they were appended.
import type { Connection } from './database.ts';
import { InvalidArgumentError, SessionNotFoundError } from './errors.ts';
import {
  MESSAGE_COLUMNS,
  type MessageRow,
  type MessageValues,
  messageValues,
  type NewMessage,
  type SessionMessage,
  toMessage,
} from './messages.ts';
import { checkNamespace, checkSessionName, describeValue } from './names.ts';

export const SESSION_TYPES = ['task', 'chat'] as const;
export type SessionType = (typeof SESSION_TYPES)[number];

export interface Session {
  namespace: string;
  name: string;
  sessionType: SessionType;
  messageCount: number;
  inputTokens: number;
  outputTokens: number;
  /** The Task holding the session lock, or null when the session is free. */
  activeTask: string | null;
  /** RFC 3339 UTC. */
  createdAt: string;
  updatedAt: string;
}

export interface GetOrCreateOptions {
  /** The Task's `sessionRef.create`: whether a missing session is created (CRD default false). */
  create: boolean;
  sessionType?: SessionType;
}

export interface TranscriptOptions {
  /** Only the newest N messages (still oldest first); all when absent. A positive integer. */
  maxMessages?: number;
}

export interface SessionStore {
  /**
   * The session, created when missing and `create` is true. Throws `SessionNotFoundError`
   * ("... and create=false") when it is missing and `create` is false.
   */
  getOrCreate(
    namespace: string,
    name: string,
    options: GetOrCreateOptions,
  ): { session: Session; created: boolean };
  get(namespace: string, name: string): Session | undefined;
  /** The namespace's sessions ordered by name. */
  list(namespace: string): Session[];
  /** Deletes the session with its messages and lock; returns whether it existed. */
  delete(namespace: string, name: string): boolean;
  /**
   * Appends the messages in one transaction (all or none) and returns the session's new message
   * count. Throws `SessionNotFoundError` when the session does not exist.
   */
  appendMessages(namespace: string, name: string, messages: readonly NewMessage[]): number;
  /** The transcript oldest first; `[]` for an unknown session. */
  loadTranscript(namespace: string, name: string, options?: TranscriptOptions): SessionMessage[];
  /** The number of messages appended to the session; 0 for an unknown session. */
  messageCount(namespace: string, name: string): number;
}

interface SessionRow {
  name: string;
  session_type: SessionType;
  message_count: number;
  input_tokens: number;
  output_tokens: number;
  active_task: string | null;
  created_at: string;
  updated_at: string;
}

/** Session-row statements shared with the lock store, which creates sessions on acquire. */
export interface SessionRows {
  exists(namespace: string, name: string): boolean;
  insert(namespace: string, name: string, sessionType: SessionType, at: string): void;
}

export function sessionRows(db: Connection): SessionRows {
  const exists = db.prepare<[string, string], { found: number }>(
    'SELECT 1 AS found FROM sessions WHERE namespace = ? AND name = ?',
  );
  const insert = db.prepare<[string, string, SessionType, string, string]>(
    `INSERT INTO sessions (namespace, name, session_type, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?)`,
  );
  return {
    exists: (namespace, name) => exists.get(namespace, name) !== undefined,
    insert: (namespace, name, sessionType, at) => {
      insert.run(namespace, name, sessionType, at, at);
    },
  };
}

// Every session read starts here, so none can leave out the namespace.
const SELECT_SESSIONS_IN_NAMESPACE = `SELECT s.name, s.session_type, s.message_count,
  s.input_tokens, s.output_tokens, l.task_name AS active_task, s.created_at, s.updated_at
  FROM sessions s LEFT JOIN session_locks l
    ON l.namespace = s.namespace AND l.session_name = s.name
  WHERE s.namespace = ?`;

export function sessionStore(db: Connection, now: () => Date): SessionStore {
  const rows = sessionRows(db);
  const selectOne = db.prepare<[string, string], SessionRow>(
    `${SELECT_SESSIONS_IN_NAMESPACE} AND s.name = ?`,
  );
  const selectAll = db.prepare<[string], SessionRow>(
    `${SELECT_SESSIONS_IN_NAMESPACE} ORDER BY s.name`,
  );
  const remove = db.prepare<[string, string]>(
    'DELETE FROM sessions WHERE namespace = ? AND name = ?',
  );
  const insertMessage = db.prepare<MessageValues>(
    `INSERT INTO session_messages (namespace, session_name, role, content, task_name, name, input,
       tool_calls, tool_call_id, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const addToCount = db.prepare<[number, string, string, string]>(
    `UPDATE sessions SET message_count = message_count + ?, updated_at = ?
     WHERE namespace = ? AND name = ?`,
  );
  const count = db.prepare<[string, string], { message_count: number }>(
    'SELECT message_count FROM sessions WHERE namespace = ? AND name = ?',
  );
  const selectMessages = db.prepare<[string, string], MessageRow>(
    `SELECT ${MESSAGE_COLUMNS} FROM session_messages
     WHERE namespace = ? AND session_name = ? ORDER BY id`,
  );
  // The newest N by id, then put back in transcript order.
  const selectNewestMessages = db.prepare<[string, string, number], MessageRow>(
    `SELECT ${MESSAGE_COLUMNS} FROM (
       SELECT ${MESSAGE_COLUMNS} FROM session_messages
       WHERE namespace = ? AND session_name = ? ORDER BY id DESC LIMIT ?
     ) ORDER BY id`,
  );

  const getOrCreate = db.transaction(
    (ns: string, name: string, sessionType: SessionType, create: boolean) => {
      const existing = selectOne.get(ns, name);
      if (existing) return { session: toSession(ns, existing), created: false };
      if (!create) throw new SessionNotFoundError(ns, name, ' and create=false');
      rows.insert(ns, name, sessionType, now().toISOString());
      return { session: toSession(ns, selectOne.get(ns, name)!), created: true };
    },
  );

  const append = db.transaction((ns: string, name: string, values: MessageValues[]) => {
    if (!rows.exists(ns, name)) throw new SessionNotFoundError(ns, name);
    if (values.length === 0) return count.get(ns, name)!.message_count;
    for (const row of values) insertMessage.run(...row);
    addToCount.run(values.length, now().toISOString(), ns, name);
    return count.get(ns, name)!.message_count;
  });

  return {
    getOrCreate(namespace, name, options) {
      const ns = checkNamespace(namespace);
      const session = checkSessionName(name);
      const sessionType = checkSessionType(options?.sessionType ?? 'task');
      if (typeof options?.create !== 'boolean') {
        throw new InvalidArgumentError(
          `create must be true or false, got ${describeValue(options?.create)}`,
        );
      }
      return getOrCreate.immediate(ns, session, sessionType, options.create);
    },
    get(namespace, name) {
      const ns = checkNamespace(namespace);
      const row = selectOne.get(ns, checkSessionName(name));
      return row ? toSession(ns, row) : undefined;
    },
    list(namespace) {
      const ns = checkNamespace(namespace);
      return selectAll.all(ns).map((row) => toSession(ns, row));
    },
    delete(namespace, name) {
      return remove.run(checkNamespace(namespace), checkSessionName(name)).changes > 0;
    },
    appendMessages(namespace, name, messages) {
      const ns = checkNamespace(namespace);
      const session = checkSessionName(name);
      if (!Array.isArray(messages)) {
        throw new InvalidArgumentError(`messages must be an array, got ${typeof messages}`);
      }
      const at = now().toISOString();
      const values = messages.map((message, index) =>
        messageValues(ns, session, message, index, at),
      );
      return append.immediate(ns, session, values);
    },
    loadTranscript(namespace, name, options = {}) {
      const ns = checkNamespace(namespace);
      const session = checkSessionName(name);
      const { maxMessages } = options;
      if (maxMessages === undefined) return selectMessages.all(ns, session).map(toMessage);
      if (!Number.isSafeInteger(maxMessages) || maxMessages < 1) {
        throw new InvalidArgumentError(
          `maxMessages must be a positive integer, got ${String(maxMessages)}`,
        );
      }
      return selectNewestMessages.all(ns, session, maxMessages).map(toMessage);
    },
    messageCount(namespace, name) {
      return count.get(checkNamespace(namespace), checkSessionName(name))?.message_count ?? 0;
    },
  };
}

function checkSessionType(value: unknown): SessionType {
  if (!SESSION_TYPES.includes(value as SessionType)) {
    throw new InvalidArgumentError(
      `session type must be one of ${SESSION_TYPES.join(', ')}, got ${describeValue(value)}`,
    );
  }
  return value as SessionType;
}

function toSession(namespace: string, row: SessionRow): Session {
  return {
    namespace,
    name: row.name,
    sessionType: row.session_type,
    messageCount: row.message_count,
    inputTokens: row.input_tokens,
    outputTokens: row.output_tokens,
    activeTask: row.active_task,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
