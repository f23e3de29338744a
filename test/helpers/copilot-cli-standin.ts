// A stand-in for the Copilot CLI's server mode (`copilot --headless --stdio`), which
// @github/copilot-sdk starts and drives over JSON-RPC with Content-Length framing. It answers the
// calls the SDK makes (connect, ping, session.create, session.send, the permission decision,
// session.detach, runtime.shutdown) and plays one turn: a permission request the worker must
// approve, two assistant messages, then session.idle. Every call it receives is appended as a JSON
// line to $COPILOT_STANDIN_RECORD, after a first line holding its pid, argv, cwd and env.
//
// $COPILOT_STANDIN_FAIL picks a failure: `session-error` (a session.error event instead of the
// reply), `create-error` (session.create answered with an error), `exit-mid-turn` (the process
// exits after accepting the prompt), `hang` (the prompt is accepted and the turn never ends).
// $COPILOT_STANDIN_STDERR is written to stderr at start.
//
// installCopilotCliStandin() writes an executable wrapper that runs this file with node and tsx.
import { appendFileSync, chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The protocol version the SDK in package.json accepts (its SDK_PROTOCOL_VERSION). */
export const STANDIN_PROTOCOL_VERSION = 3;
export const STANDIN_INTERMEDIATE = 'Looking at the failing tests first.';
export const STANDIN_PERMISSION_REQUEST_ID = 'permission-1';

export interface StandinCall {
  method: string;
  params: Record<string, unknown>;
}

export interface StandinStart {
  pid: number;
  argv: string[];
  cwd: string;
  env: Record<string, string>;
}

const shellQuote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

/** Writes `<dir>/<name>`, a program the SDK can start as its CLI; returns its path. */
export function installCopilotCliStandin(dir: string, name = 'copilot'): string {
  const path = join(dir, name);
  const tsx = fileURLToPath(import.meta.resolve('tsx'));
  const self = fileURLToPath(import.meta.url);
  writeFileSync(
    path,
    `#!/bin/sh\nexec ${shellQuote(process.execPath)} --import ${shellQuote(tsx)} ${shellQuote(self)} "$@"\n`,
  );
  chmodSync(path, 0o755);
  return path;
}

type Message = {
  id?: number | string;
  method?: string;
  params?: Record<string, unknown>;
  result?: unknown;
  error?: unknown;
};

function serve(): void {
  const record = process.env.COPILOT_STANDIN_RECORD;
  const failure = process.env.COPILOT_STANDIN_FAIL ?? '';
  const reply = process.env.COPILOT_STANDIN_REPLY ?? 'stand-in reply';
  const remember = (entry: unknown) => {
    if (record) appendFileSync(record, `${JSON.stringify(entry)}\n`);
  };
  remember({ argv: process.argv.slice(2), cwd: process.cwd(), env: process.env, pid: process.pid });
  if (process.env.COPILOT_STANDIN_STDERR) {
    process.stderr.write(`${process.env.COPILOT_STANDIN_STDERR}\n`);
  }

  const send = (message: Message) => {
    const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...message }), 'utf8');
    process.stdout.write(`Content-Length: ${body.length}\r\n\r\n`);
    process.stdout.write(body);
  };
  let eventCount = 0;
  let previousEvent: string | null = null;
  const emit = (sessionId: string, type: string, data: Record<string, unknown>) => {
    const id = `event-${++eventCount}`;
    const event = { id, parentId: previousEvent, timestamp: new Date().toISOString(), type, data };
    previousEvent = id;
    send({ method: 'session.event', params: { sessionId, event } });
  };
  const finishTurn = (sessionId: string) => {
    emit(sessionId, 'assistant.message', { messageId: 'message-1', content: STANDIN_INTERMEDIATE });
    emit(sessionId, 'assistant.message', { messageId: 'message-2', content: reply });
    emit(sessionId, 'session.idle', {});
  };

  const handle = (message: Message) => {
    if (message.method === undefined) return;
    const params = message.params ?? {};
    remember({ method: message.method, params });
    const answer = (result: unknown) => send({ id: message.id, result });
    const sessionId = String(params.sessionId ?? '');
    switch (message.method) {
      case 'connect':
        return answer({ ok: true, protocolVersion: STANDIN_PROTOCOL_VERSION, version: 'stand-in' });
      case 'ping':
        return answer({
          message: `pong: ${params.message ?? ''}`,
          timestamp: Date.now(),
          protocolVersion: STANDIN_PROTOCOL_VERSION,
        });
      case 'session.create':
        if (failure === 'create-error') {
          return send({
            id: message.id,
            error: { code: -32000, message: 'stand-in: not authenticated to GitHub Copilot' },
          });
        }
        return answer({ sessionId, workspacePath: join(process.cwd(), '.copilot-session') });
      case 'session.send':
        answer({ messageId: 'user-message-1' });
        if (failure === 'exit-mid-turn') {
          process.stderr.write('stand-in: crashed in the middle of the turn\n');
          process.exit(3);
        }
        if (failure === 'hang') return;
        if (failure === 'session-error') {
          return emit(sessionId, 'session.error', {
            errorType: 'quota',
            message: 'stand-in: premium request quota exhausted',
          });
        }
        return emit(sessionId, 'permission.requested', {
          requestId: STANDIN_PERMISSION_REQUEST_ID,
          permissionRequest: { kind: 'shell', fullCommandText: 'npm test', intention: 'run tests' },
        });
      case 'session.permissions.handlePendingPermissionRequest':
        answer({ success: true });
        return finishTurn(sessionId);
      case 'session.detach':
        return answer({ success: true });
      case 'runtime.shutdown':
        answer({});
        process.stdout.write('', () => process.exit(0));
        return;
      default:
        send({
          id: message.id,
          error: { code: -32601, message: `Unhandled method ${message.method}` },
        });
    }
  };

  let buffered = Buffer.alloc(0);
  process.stdin.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    for (;;) {
      const headerEnd = buffered.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const length = Number(
        /Content-Length: (\d+)/i.exec(buffered.subarray(0, headerEnd).toString())?.[1],
      );
      if (!Number.isInteger(length)) throw new Error('stand-in: a message without Content-Length');
      const start = headerEnd + 4;
      if (buffered.length < start + length) return;
      const body = buffered.subarray(start, start + length).toString('utf8');
      buffered = buffered.subarray(start + length);
      handle(JSON.parse(body) as Message);
    }
  });
  process.stdin.on('end', () => process.exit(0));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) serve();
