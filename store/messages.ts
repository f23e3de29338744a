// Transcript messages: what callers append, how each is checked before it is written, and how a
// stored row is read back.
import { InvalidArgumentError, TooLargeError } from './errors.ts';
import { checkTaskName, describeValue } from './names.ts';

export const MESSAGE_ROLES = ['system', 'user', 'assistant', 'tool'] as const;
export type MessageRole = (typeof MESSAGE_ROLES)[number];

/** An assistant message carries a whole Task result, so it gets the result's limit. */
export const MAX_MESSAGE_CONTENT_BYTES = 10 * 1024 * 1024;

export interface NewMessage {
  role: MessageRole;
  content: string;
  /** The Task whose run produced the message; absent for chat messages. */
  taskName?: string;
  name?: string;
  /** Any JSON value; stored as JSON text. */
  input?: unknown;
  /** Any JSON value; stored as JSON text. */
  toolCalls?: unknown;
  toolCallId?: string;
}

export interface SessionMessage {
  /** Increases with every append in the database: the transcript order. */
  id: number;
  role: MessageRole;
  content: string;
  taskName: string | null;
  name?: string;
  input?: unknown;
  toolCalls?: unknown;
  toolCallId?: string;
  /** RFC 3339 UTC. */
  createdAt: string;
}

export interface MessageRow {
  id: number;
  role: MessageRole;
  content: string;
  task_name: string | null;
  name: string | null;
  input: string | null;
  tool_calls: string | null;
  tool_call_id: string | null;
  created_at: string;
}

export type MessageValues = [
  string,
  string,
  MessageRole,
  string,
  string | null,
  string | null,
  string | null,
  string | null,
  string | null,
  string,
];

export const MESSAGE_COLUMNS =
  'id, role, content, task_name, name, input, tool_calls, tool_call_id, created_at';

export function messageValues(
  namespace: string,
  session: string,
  message: NewMessage,
  index: number,
  at: string,
): MessageValues {
  const where = `message ${index}`;
  if (typeof message !== 'object' || message === null) {
    throw new InvalidArgumentError(`${where} must be an object, got ${describeValue(message)}`);
  }
  if (!MESSAGE_ROLES.includes(message.role)) {
    throw new InvalidArgumentError(
      `${where}: role must be one of ${MESSAGE_ROLES.join(', ')}, got ${describeValue(message.role)}`,
    );
  }
  if (typeof message.content !== 'string') {
    throw new InvalidArgumentError(
      `${where}: content must be a string, got ${describeValue(message.content)}`,
    );
  }
  const size = Buffer.byteLength(message.content, 'utf8');
  if (size > MAX_MESSAGE_CONTENT_BYTES) {
    throw new TooLargeError(`${where} content`, size, MAX_MESSAGE_CONTENT_BYTES);
  }
  return [
    namespace,
    session,
    message.role,
    message.content,
    message.taskName === undefined ? null : checkTaskName(message.taskName, `${where}: task name`),
    optionalText(message.name, `${where}: name`),
    optionalJson(message.input, `${where}: input`),
    optionalJson(message.toolCalls, `${where}: toolCalls`),
    optionalText(message.toolCallId, `${where}: toolCallId`),
    at,
  ];
}

function optionalText(value: unknown, what: string): string | null {
  if (value === undefined) return null;
  if (typeof value !== 'string') {
    throw new InvalidArgumentError(`${what} must be a string, got ${describeValue(value)}`);
  }
  return value;
}

function optionalJson(value: unknown, what: string): string | null {
  if (value === undefined) return null;
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new InvalidArgumentError(
      `${what} is not JSON-serialisable: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (text === undefined) {
    throw new InvalidArgumentError(`${what} is not JSON-serialisable (${typeof value})`);
  }
  return text;
}

export function toMessage(row: MessageRow): SessionMessage {
  const message: SessionMessage = {
    id: row.id,
    role: row.role,
    content: row.content,
    taskName: row.task_name,
    createdAt: row.created_at,
  };
  if (row.name !== null) message.name = row.name;
  if (row.input !== null) message.input = JSON.parse(row.input);
  if (row.tool_calls !== null) message.toolCalls = JSON.parse(row.tool_calls);
  if (row.tool_call_id !== null) message.toolCallId = row.tool_call_id;
  return message;
}
