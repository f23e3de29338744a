// Every error the REST API answers with has one shape, `{"error":{"code":<status>,"message":"..."}}`
// (reference §4.1, §5), whether a route refused the request, the body did not parse, the schema
// rejected it, or something failed unexpectedly. Unexpected failures are logged and answered with a
// fixed text: their messages may carry request data, never shown to the client.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { StoreError } from '../store/index.ts';
import { KubeError } from './kube-access.ts';

export interface ErrorBody {
  error: { code: number; message: string };
}

/** An error a route raises on purpose: `message` is what the client reads. */
export class ApiError extends Error {
  readonly statusCode: number;
  constructor(statusCode: number, message: string) {
    super(message);
    this.name = 'ApiError';
    this.statusCode = statusCode;
  }
}

export function errorBody(code: number, message: string): ErrorBody {
  return { error: { code, message } };
}

export const MIB = 1024 * 1024;
export const MAX_REQUEST_BYTES = 15 * MIB;

/** Messages for fastify's own client errors, keyed by its error code. */
const FASTIFY_CLIENT_ERRORS: Record<string, (error: FastifyError) => string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: () => 'invalid request body: not valid JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: () => 'invalid request body: empty JSON body',
  FST_ERR_CTP_BODY_TOO_LARGE: () => `request body exceeds the ${MAX_REQUEST_BYTES / MIB} MiB limit`,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () => 'unsupported content type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () => 'content-length does not match the body',
  FST_ERR_CTP_INVALID_TYPE: () => 'invalid content-type header',
  FST_ERR_CTP_INSTANCE_ALREADY_STARTED: () => 'server is not ready',
};

function isFastifyClientError(error: FastifyError): boolean {
  return typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500;
}

/** The status and client-facing message of any error a request ended with. */
export function describeError(error: unknown): { status: number; message: string } {
  if (error instanceof ApiError) return { status: error.statusCode, message: error.message };
  if (error instanceof KubeError) {
    return { status: 502, message: `kubernetes API error: ${error.message}` };
  }
  if (error instanceof StoreError && error.code === 'invalid-argument') {
    return { status: 400, message: error.message };
  }
  if (error instanceof StoreError && error.code === 'too-large') {
    return { status: 413, message: error.message };
  }
  const fastifyError = error as FastifyError;
  const known = fastifyError?.code ? FASTIFY_CLIENT_ERRORS[fastifyError.code] : undefined;
  if (known) return { status: fastifyError.statusCode ?? 400, message: known(fastifyError) };
  if (fastifyError?.validation !== undefined && isFastifyClientError(fastifyError)) {
    return { status: fastifyError.statusCode ?? 400, message: fastifyError.message };
  }
  // Secure JSON parsing refuses __proto__/constructor keys with a SyntaxError marked 400.
  if (fastifyError instanceof SyntaxError && fastifyError.statusCode === 400) {
    return { status: 400, message: 'invalid request body: not valid JSON' };
  }
  if (isFastifyClientError(fastifyError) && typeof fastifyError.code === 'string') {
    return { status: fastifyError.statusCode!, message: fastifyError.message };
  }
  return { status: 500, message: 'internal server error' };
}

export function sendError(reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply.code(status).type('application/json').send(errorBody(status, message));
}

/** The error and not-found handlers of the whole server. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const { status, message } = describeError(error);
    if (status >= 500) {
      request.log.error(
        { err: { type: (error as Error)?.name, message: (error as Error)?.message } },
        'request failed',
      );
    }
    return sendError(reply, status, message);
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, 404, `no route for ${request.method} ${request.url.split('?')[0]}`),
  );
}
