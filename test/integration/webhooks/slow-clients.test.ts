// Slow and broken clients over raw TLS sockets against a real webhook server: a body dribbled past
// the request timeout gets a 400 Status naming the timeout, headers that never finish get the
// connection closed with no answer, malformed HTTP gets a 400 Status; the server keeps serving.
// The guard holds no request past its answer: a young-generation collection must not find it alive.
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { connect, type TLSSocket } from 'node:tls';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { agent, task } from '../../unit/policy-builtin/harness.ts';
import { reviewOf, startTestWebhook, type TestWebhook } from './fixture.ts';

const REQUEST_TIMEOUT_MS = 1000;
const DRIBBLE_EVERY_MS = 100;

let webhook: TestWebhook;
before(async () => {
  webhook = await startTestWebhook({ agents: [agent()], requestTimeoutMs: REQUEST_TIMEOUT_MS });
});
after(() => webhook.close());

interface Conversation {
  /** everything the server sent before closing */
  received: string;
  /** bytes written by the client before the server closed */
  sent: number;
}

/**
 * Opens a TLS connection trusting only the webhook's CA, writes `opening`, then one byte of
 * `dribble` every DRIBBLE_EVERY_MS (cycling) until the server closes the connection.
 */
function converse(opening: string, dribble = ''): Promise<Conversation> {
  const { port } = new URL(webhook.url);
  return new Promise((resolve, reject) => {
    const socket: TLSSocket = connect({ host: '127.0.0.1', port: Number(port), ca: webhook.ca });
    const chunks: Buffer[] = [];
    let sent = 0;
    let timer: NodeJS.Timeout | undefined;
    socket.on('secureConnect', () => {
      socket.write(opening);
      sent += Buffer.byteLength(opening);
      if (dribble === '') return;
      let at = 0;
      timer = setInterval(() => {
        if (!socket.writable) return;
        socket.write(dribble[at % dribble.length] ?? '');
        at++;
        sent++;
      }, DRIBBLE_EVERY_MS);
    });
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // a write racing the server's close may fail with EPIPE/ECONNRESET: the close still follows
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ received: Buffer.concat(chunks).toString('utf8'), sent });
    });
    socket.on('timeout', () => reject(new Error('server neither answered nor closed')));
    socket.setTimeout(30_000);
  });
}

function parseResponse(raw: string): { status: number; body: Record<string, unknown> } {
  const match = /^HTTP\/1\.1 (\d{3}) [^\r]*\r\n([\s\S]*?)\r\n\r\n([\s\S]*)$/.exec(raw);
  assert.ok(match, `not an HTTP response: ${JSON.stringify(raw.slice(0, 200))}`);
  return { status: Number(match[1]), body: JSON.parse(match[3] ?? '') as Record<string, unknown> };
}

const reviewText = JSON.stringify(reviewOf(task(), { uid: 'slow-uid' }));
const headersFor = (length: number) =>
  `POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`;

describe('slow and broken clients', () => {
  test('a body dribbled past the request timeout gets a 400 Status naming the timeout', async () => {
    const { received, sent } = await converse(headersFor(reviewText.length), reviewText);
    const { status, body } = parseResponse(received);
    assert.equal(status, 400);
    assert.equal(body.kind, 'Status');
    assert.equal(body.reason, 'BadRequest');
    assert.equal(
      body.message,
      `request body not received within the ${REQUEST_TIMEOUT_MS} ms request timeout`,
    );
    assert.ok(sent < headersFor(reviewText.length).length + reviewText.length, 'body never done');
  });

  test('headers that never finish: the connection is closed without an answer', async () => {
    const { received, sent } = await converse(
      'POST /validate HTTP/1.1\r\nHost: localhost\r\n',
      'X-Slow: dribbling-header-that-never-ends',
    );
    assert.equal(received, '');
    assert.ok(sent > 0);
  });

  test('after a complete request on a kept-alive connection, slow next headers close it', async () => {
    const first = `${headersFor(reviewText.length)}${reviewText}`;
    const { received } = await converse(first, 'POST /validate HTTP/1.1\r\nHost: x\r\n');
    assert.equal(received.match(/HTTP\/1\.1 /g)?.length, 1, 'one answer, none to the slow headers');
    const { status, body } = parseResponse(received);
    assert.equal(status, 200, 'the first request was answered');
    assert.equal((body.response as { uid: string }).uid, 'slow-uid');
  });

  const malformed: { name: string; bytes: string; status: number; message: RegExp }[] = [
    {
      name: 'an invalid method',
      bytes: 'P\x01ST /validate HTTP/1.1\r\nHost: x\r\n\r\n',
      status: 400,
      message: /^malformed HTTP request \(HPE_INVALID_METHOD\)$/,
    },
    {
      name: 'a header without a colon',
      bytes: 'POST /validate HTTP/1.1\r\nHost x\r\n\r\n',
      status: 400,
      message: /^malformed HTTP request \(HPE_[A-Z_]+\)$/,
    },
    {
      name: 'headers over the size limit',
      bytes: `POST /validate HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      status: 431,
      message: /^request headers are too large$/,
    },
  ];
  for (const c of malformed) {
    test(`${c.name}: ${c.status} with a Status`, async () => {
      const { status, body } = parseResponse((await converse(c.bytes)).received);
      assert.equal(status, c.status);
      assert.equal(body.kind, 'Status');
      assert.equal(body.code, c.status);
      assert.match(String(body.message), c.message);
    });
  }

  test('a pipelined request dribbling its body is cut off after the one before it is answered', async () => {
    const first = reviewText;
    const second = JSON.stringify(reviewOf(task(), { uid: 'pipelined-uid' }));
    const conversation = await converse(
      `${headersFor(Buffer.byteLength(first))}${first}${headersFor(Buffer.byteLength(second))}{`,
      second.slice(1),
    );
    const [answered, cutOff] = conversation.received.split(/(?=HTTP\/1\.1 )/);
    assert.equal(parseResponse(answered ?? '').status, 200);
    const { status, body } = parseResponse(cutOff ?? '');
    assert.equal(status, 400);
    assert.match(
      String(body.message),
      /request body not received within the 1000 ms request timeout/,
    );
  });

  test('a request answered on a kept-alive connection is not held by the server', async () => {
    setFlagsFromString('--expose-gc');
    const collect = runInNewContext('gc') as () => void;
    const requests: WeakRef<IncomingMessage>[] = [];
    const note = (request: IncomingMessage) => requests.push(new WeakRef(request));
    webhook.server.server.on('request', note);
    try {
      for (let i = 0; i < 3; i++) {
        const answer = await webhook.post('/validate', reviewOf(task(), { uid: `held-${i}` }));
        assert.equal(answer.status, 200);
      }
    } finally {
      webhook.server.server.off('request', note);
    }
    // the sweep runs a tenth of the timeout apart: collect well before it could have forgotten them
    await new Promise((resolve) => setImmediate(resolve));
    collect();
    assert.equal(requests.length, 3);
    assert.deepEqual(
      requests.map((request) => request.deref() === undefined),
      [true, true, true],
    );
  });

  test('the server still serves and counted what it cut off', async () => {
    const answer = await webhook.post('/validate', reviewOf(task(), { uid: 'after-slow' }));
    assert.equal(answer.status, 200);
    assert.equal((answer.json.response as { uid: string }).uid, 'after-slow');
    const metrics = (await webhook.get('/metrics')).text;
    assert.match(metrics, /orka_webhook_bad_requests_total\{[^}]*answer="closed"[^}]*\} [1-9]/);
    assert.match(metrics, /orka_webhook_bad_requests_total\{[^}]*answer="status"[^}]*\} [1-9]/);
  });
});
