// The REST API server (DESIGN §7, reference §5): `createApiServer` wires routes, authentication,
// validation, errors and OpenAPI onto one fastify instance. The caller listens (port 8080 in the
// controller) and closes it.
import type { KubeConfig } from '@kubernetes/client-node';
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
import { cachedKubeAccess, type KubeCacheSources } from './kube-cache.ts';
import { startKubeCache } from './kube-informers.ts';
import { ApiMetrics } from './metrics.ts';
import { OpenApiCollector } from './openapi.ts';
import { agentWriteRoutes } from './routes/agent-writes.ts';
import { agentRoutes } from './routes/agents.ts';
import { delegationRoutes } from './routes/delegation.ts';
import { authValidateRoute, healthRoutes, metricsRoute } from './routes/health.ts';
import { internalRoutes } from './routes/internal.ts';
import { secretRoutes } from './routes/secrets.ts';
import { sessionRoutes } from './routes/sessions.ts';
import { taskDataRoutes } from './routes/task-data.ts';
import { taskLogRoutes } from './routes/task-logs.ts';
import { taskRelatedRoutes } from './routes/task-related.ts';
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
  /**
   * Serve Task and Agent reads from informer caches (api/kube-cache.ts): `sources` reuses
   * informers the process already runs (the controller's); `kubeConfig` starts the API's own,
   * stopped when the server closes. Omitted: every read asks the apiserver.
   */
  readCache?: ReadCacheOption | null;
  /** Defaults to a fresh set; served at `/metrics`. */
  metrics?: ApiMetrics;
}

export type ReadCacheOption =
  | { sources: KubeCacheSources }
  | { kubeConfig: KubeConfig; watchNamespace: string };

function pathOf(request: FastifyRequest): string {
  const query = request.url.indexOf('?');
  return query === -1 ? request.url : request.url.slice(0, query);
}

function withReadCache(
  kube: KubeAccess,
  option: ReadCacheOption | null | undefined,
  log: Logger,
): { kube: KubeAccess; stop: () => void } {
  if (!option) return { kube, stop: () => {} };
  if ('sources' in option) return { kube: cachedKubeAccess(kube, option.sources), stop: () => {} };
  const cache = startKubeCache(option.kubeConfig, kube, {
    watchNamespace: option.watchNamespace,
    log,
  });
  return { kube: cache.access, stop: () => cache.stop() };
}

export function createApiServer(options: ApiServerOptions): FastifyInstance {
  const log = options.logger.child({ name: 'api-server' });
  const metrics = options.metrics ?? new ApiMetrics();
  const cache = withReadCache(options.kube, options.readCache, log);
  const deps: ApiDeps = {
    store: options.store,
    authenticator: options.authenticator,
    kube: cache.kube,
    config: options.config,
    contextTokenVerifier: options.contextTokenVerifier ?? null,
    log,
    metrics,
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

  app.addHook('onClose', async () => cache.stop());
  app.addHook('onResponse', async (request, reply) => {
    metrics.requestDuration.observe(
      {
        // The route template, so Task names do not become label values.
        route: request.routeOptions.url ?? '(unmatched)',
        method: request.method,
        status: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
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
  metricsRoute(app, metrics);

  app.register(async (api) => {
    api.addHook('onRequest', async (request) => {
      request.caller = await authenticate(deps, request, 'api');
    });
    authValidateRoute(api);
    taskRoutes(api, deps);
    taskDataRoutes(api, deps);
    taskLogRoutes(api, deps);
    taskRelatedRoutes(api, deps);
    sessionRoutes(api, deps);
    agentRoutes(api, deps);
    agentWriteRoutes(api, deps);
    secretRoutes(api, deps);
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
