// The REST API server (DESIGN §7, reference §5): `createApiServer` wires routes, authentication,
// validation, errors and OpenAPI onto one fastify instance. The caller listens (port 8080 in the
// controller) and closes it.
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyRequest,
  LogController,
} from 'fastify';
import type { Logger } from 'pino';
import type { Store } from '../store/index.ts';
import type { Authenticator, ContextTokenVerifier } from './auth/index.ts';
import { type ApiConfig, type ApiDeps, authenticate } from './context.ts';
import { installErrorHandling, MAX_REQUEST_BYTES } from './errors.ts';
import type { KubeAccess } from './kube-access.ts';
import { OpenApiCollector } from './openapi.ts';
import { agentRoutes } from './routes/agents.ts';
import { delegationRoutes } from './routes/delegation.ts';
import { authValidateRoute, healthRoutes } from './routes/health.ts';
import { internalRoutes } from './routes/internal.ts';
import { sessionRoutes } from './routes/sessions.ts';
import { taskDataRoutes } from './routes/task-data.ts';
import { taskRoutes } from './routes/tasks.ts';
import { validatorCompiler } from './validation.ts';

export type { ApiConfig } from './context.ts';

export interface ApiServerOptions {
  store: Store;
  authenticator: Authenticator;
  kube: KubeAccess;
  config: ApiConfig;
  logger: Logger;
  /** Verifies child context tokens at the delegation endpoint; omit when context tokens are off. */
  contextTokenVerifier?: ContextTokenVerifier | null;
}

function pathOf(request: FastifyRequest): string {
  const query = request.url.indexOf('?');
  return query === -1 ? request.url : request.url.slice(0, query);
}

export function createApiServer(options: ApiServerOptions): FastifyInstance {
  const log = options.logger.child({ name: 'api-server' });
  const deps: ApiDeps = {
    store: options.store,
    authenticator: options.authenticator,
    kube: options.kube,
    config: options.config,
    contextTokenVerifier: options.contextTokenVerifier ?? null,
    log,
  };
  const app = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    // One `request completed` line per request is written below, in the reference's fields.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: MAX_REQUEST_BYTES,
    return503OnClosing: true,
    // Task names run to 253 characters and artifact filenames to 255.
    routerOptions: { maxParamLength: 512 },
  });
  app.setValidatorCompiler(validatorCompiler);
  installErrorHandling(app);
  app.decorateRequest('caller', null);
  const openapi = new OpenApiCollector();
  openapi.attach(app);

  app.addHook('onResponse', async (request, reply) => {
    log.info(
      {
        requestId: request.id,
        method: request.method,
        path: pathOf(request),
        status: reply.statusCode,
        duration: reply.elapsedTime,
        ip: request.ip,
      },
      'request completed',
    );
  });

  healthRoutes(app, deps, openapi);

  app.register(async (api) => {
    api.addHook('onRequest', async (request) => {
      request.caller = await authenticate(deps, request, 'api');
    });
    authValidateRoute(api);
    taskRoutes(api, deps);
    taskDataRoutes(api, deps);
    sessionRoutes(api, deps);
    agentRoutes(api, deps);
  });

  app.register(async (internal) => {
    // Results and artifacts are stored byte for byte, so no parser may reinterpret them.
    internal.removeAllContentTypeParsers();
    internal.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => {
      done(null, body);
    });
    internal.addHook('onRequest', async (request) => {
      request.caller = await authenticate(deps, request, 'internal');
    });
    internalRoutes(internal, deps);
    delegationRoutes(internal, deps);
  });

  return app;
}
