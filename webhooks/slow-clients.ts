// Slow and broken clients, answered instead of with Node's or fastify's defaults (a bare 408, a
// non-Status JSON, or nothing at all). Node's request timeout cuts off a connection whose headers
// never finish, but once a request's headers are in, Node 20 lets its body dribble for as long
// as the client likes: the body guard enforces the same timeout on bodies. A body not whole in
// time gets a 400 Status naming the timeout, so the apiserver logs a reason; headers that never
// finish get no answer (there is no request to answer, and a slowloris deserves none): the
// connection is closed. Malformed HTTP gets a 400 Status naming the parser's error code.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebhookMetrics } from './metrics.ts';
import { statusBody } from './review.ts';

function rawResponse(code: number, statusText: string, body: string): string {
  return `HTTP/1.1 ${code} ${statusText}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}

const slowBodyResponse = (requestTimeoutMs: number) =>
  rawResponse(
    400,
    'Bad Request',
    statusBody(
      400,
      'BadRequest',
      `request body not received within the ${requestTimeoutMs} ms request timeout`,
    ),
  );

/** How often timeouts are checked: a tenth of the timeout, so a slow client is cut off near it. */
export const timeoutCheckIntervalMs = (requestTimeoutMs: number) =>
  Math.max(50, Math.round(requestTimeoutMs / 10));

/**
 * Node attaches a ServerResponse to the socket once a request's headers are parsed and detaches it
 * when the response finishes: it tells headers that never ended (`idle`) from a slow body
 * (`receiving`), and a response already under way (`responding`) must not be interleaved.
 */
function connectionState(socket: Duplex): 'idle' | 'receiving' | 'responding' {
  const response = currentResponse(socket);
  if (response === undefined) return 'idle';
  return response.headersSent === true ? 'responding' : 'receiving';
}

/** The response Node has attached to the connection, with the request it answers. */
function currentResponse(
  socket: Duplex,
): { headersSent?: boolean; req?: IncomingMessage } | undefined {
  return (
    (socket as Duplex & { _httpMessage?: { headersSent?: boolean; req?: IncomingMessage } | null })
      ._httpMessage ?? undefined
  );
}

function answerFor(
  error: Error & { code?: string },
  socket: Duplex,
  requestTimeoutMs: number,
): string | undefined {
  const state = connectionState(socket);
  if (state === 'responding') return undefined;
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return state === 'idle' ? undefined : slowBodyResponse(requestTimeoutMs);
  }
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    return rawResponse(
      431,
      'Request Header Fields Too Large',
      statusBody(431, 'RequestHeaderFieldsTooLarge', 'request headers are too large'),
    );
  }
  return rawResponse(
    400,
    'Bad Request',
    statusBody(400, 'BadRequest', `malformed HTTP request (${error.code ?? 'unknown'})`),
  );
}

/** The 'clientError' handler of the webhook server (fastify's clientErrorHandler). */
export function clientErrorHandler(requestTimeoutMs: number, metrics: WebhookMetrics) {
  return (error: Error & { code?: string }, socket: Duplex): void => {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const answer = answerFor(error, socket, requestTimeoutMs);
    metrics.badRequests.inc({ endpoint: 'any', answer: answer ? 'status' : 'closed' });
    if (answer && socket.writable) socket.write(answer);
    socket.destroy();
  };
}

/**
 * Answers and closes requests whose body is not whole `requestTimeoutMs` after their headers
 * arrived. Each connection's latest request start is noted; a periodic sweep forgets idle and
 * closed connections and cuts off those whose current request is still receiving its body past the
 * timeout (a pipelined request is timed from its own start, later than its predecessor's).
 * Keyed by connection, not request: a connection outlives its requests anyway, while a request
 * noted until the next sweep (a second with the default timeout) outlived several young-generation
 * collections and was promoted with everything it references. That made each collection copy about
 * 0.3 MB and filled the old generation with garbage for full collections to clear.
 */
export function guardSlowBodies(
  server: Server,
  requestTimeoutMs: number,
  metrics: WebhookMetrics,
): void {
  const latestStart = new Map<Duplex, number>();
  server.on('request', (request: IncomingMessage) => {
    latestStart.set(request.socket, performance.now());
  });
  const sweep = () => {
    const deadline = performance.now() - requestTimeoutMs;
    for (const [socket, started] of latestStart) {
      if (socket.destroyed || connectionState(socket) === 'idle') {
        latestStart.delete(socket);
        continue;
      }
      if (started > deadline || !isReceivingBody(socket)) continue;
      latestStart.delete(socket);
      metrics.badRequests.inc({ endpoint: 'any', answer: 'status' });
      if (socket.writable) socket.write(slowBodyResponse(requestTimeoutMs));
      socket.destroy();
    }
  };
  const timer = setInterval(sweep, timeoutCheckIntervalMs(requestTimeoutMs)).unref();
  server.on('close', () => clearInterval(timer));
}

/** Whether the connection's current request is still receiving its body (no answer begun). */
function isReceivingBody(socket: Duplex): boolean {
  const response = currentResponse(socket);
  if (response === undefined || response.headersSent === true) return false;
  const request = response.req;
  return request !== undefined && !request.complete && !request.destroyed;
}
