// The admission server (DESIGN §5): fastify over HTTPS with POST /mutate and /validate, /healthz,
// /readyz and /metrics. Bodies are read as text (at most 3 MiB) and decoded by review.ts, so no
// body ever reaches JSON.parse's prototype handling or loses integer digits. Client problems are
// 400s with a Status body, never a crash; slow clients are cut off by the request timeout
// (slow-clients.ts).
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import type { KeyPair } from '../certs/authority.ts';
import { type Endpoint, type HandlerDependencies, handleReview } from './handler.ts';
import { statusBody } from './review.ts';
import { ReviewBatches } from './review-batches.ts';
import { clientErrorHandler, guardSlowBodies, timeoutCheckIntervalMs } from './slow-clients.ts';

export const BODY_LIMIT_BYTES = 3 * 1024 * 1024;

export interface WebhookServerOptions extends HandlerDependencies {
  tls: KeyPair;
  /** a request must arrive whole within this time; default 10 s (the apiserver's default timeout) */
  requestTimeoutMs?: number;
  /** as controller-runtime and Pepr: 90 s */
  keepAliveTimeoutMs?: number;
  /** the /metrics text; default: this process's metrics (a worker pool answers for all workers) */
  renderMetrics?: () => Promise<string>;
}

export interface WebhookServer {
  app: FastifyInstance;
  /** the HTTPS server, for setSecureContext (certs/reload.ts) */
  server: HttpsServer;
  listen(port: number, host: string): Promise<AddressInfo>;
  close(): Promise<void>;
}

function clientError(message: string, code = 400): string {
  return statusBody(code, code === 404 ? 'NotFound' : 'BadRequest', message);
}

export function createWebhookServer(options: WebhookServerOptions): WebhookServer {
  const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  const app = Fastify({
    https: {
      cert: options.tls.cert,
      key: options.tls.key,
      requestTimeout: requestTimeoutMs,
      headersTimeout: requestTimeoutMs,
      connectionsCheckingInterval: timeoutCheckIntervalMs(requestTimeoutMs),
    },
    bodyLimit: BODY_LIMIT_BYTES,
    requestTimeout: requestTimeoutMs,
    clientErrorHandler: clientErrorHandler(requestTimeoutMs, options.metrics),
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 90_000,
    connectionTimeout: 0,
    logger: false,
    return503OnClosing: true,
  });
  guardSlowBodies(app.server, requestTimeoutMs, options.metrics);
  app.removeAllContentTypeParsers();
  const asText = (
    _request: unknown,
    body: string | Buffer,
    done: (error: null, body: unknown) => void,
  ) => done(null, body);
  // The apiserver's own type, named so fastify finds it in its cache: the catch-all alone is
  // looked for anew, parsing the Content-Type header, on every request.
  app.addContentTypeParser('application/json', { parseAs: 'string' }, asText);
  app.addContentTypeParser('*', { parseAs: 'string' }, asText);

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, _request, reply) => {
    const status = error.statusCode ?? 500;
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      options.metrics.badRequests.inc({ endpoint: 'any', answer: 'status' });
      return reply
        .code(400)
        .type('application/json')
        .send(clientError(`request body exceeds the ${BODY_LIMIT_BYTES} byte limit (3 MiB)`));
    }
    if (status >= 400 && status < 500) {
      options.metrics.badRequests.inc({ endpoint: 'any', answer: 'status' });
      return reply.code(400).type('application/json').send(clientError(error.message));
    }
    options.logger.warn({ error: error.message }, 'webhook request failed');
    return reply.code(500).type('application/json').send(clientError('internal error', 500));
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .type('application/json')
      .send(clientError(`no route for ${request.method} ${request.url.split('?')[0]}`, 404)),
  );

  const batches = new ReviewBatches((endpoint, text) => handleReview(endpoint, text, options));
  const review = (endpoint: Endpoint) =>
    // A handler that is not async and returns nothing tells fastify the answer comes later
    // (returning the reply instead would make fastify wait on it as on a promise, which costs
    // listeners on the response for every review).
    app.post(`/${endpoint}`, (request, reply) => {
      batches.submit(endpoint, typeof request.body === 'string' ? request.body : '', reply);
    });
  review('mutate');
  review('validate');

  app.get('/healthz', async (_request, reply) => reply.type('text/plain').send('ok'));
  app.get('/readyz', async (_request, reply) =>
    options.lookups.ready()
      ? reply.type('text/plain').send('ok')
      : reply.code(503).type('text/plain').send('caches not synced'),
  );
  app.get('/metrics', async (_request, reply) =>
    reply
      .type('text/plain; version=0.0.4')
      .send(await (options.renderMetrics?.() ?? options.metrics.render())),
  );

  return {
    app,
    get server() {
      return app.server as unknown as HttpsServer;
    },
    async listen(port, host) {
      await app.listen({ port, host });
      return app.server.address() as AddressInfo;
    },
    close: () => app.close(),
  };
}
