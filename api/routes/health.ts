// Probes (no authentication), the auth check, and the OpenAPI document.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../context.ts';
import type { ApiMetrics } from '../metrics.ts';
import type { OpenApiCollector } from '../openapi.ts';

export function healthRoutes(app: FastifyInstance, deps: ApiDeps, openapi: OpenApiCollector): void {
  app.get(
    '/healthz',
    {
      schema: {
        'x-doc': {
          summary: 'Liveness',
          tags: ['health'],
          security: 'none',
          responses: {
            200: { description: 'ok', schema: Type.Object({ status: Type.Literal('ok') }) },
          },
        },
      },
    },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        'x-doc': {
          summary: 'Readiness: the store and the Kubernetes API',
          tags: ['health'],
          security: 'none',
          responses: {
            200: { description: 'ready' },
            503: { description: 'not ready (which check failed is in checks)' },
          },
        },
      },
    },
    async (_request, reply) => {
      const store = deps.store.isHealthy();
      const kubernetes = await deps.kube.isReachable();
      const checks = {
        store: store ? 'ok' : 'unhealthy',
        kubernetes: kubernetes ? 'ok' : 'unhealthy',
      };
      const ready = store && kubernetes;
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ok' : 'not ready', checks });
    },
  );

  let document: Record<string, unknown> | null = null;
  app.get(
    '/api/v1/openapi.json',
    {
      config: { public: true },
      schema: {
        'x-doc': {
          summary: 'This document',
          tags: ['health'],
          security: 'none',
          responses: { 200: { description: 'OpenAPI 3.1' } },
        },
      },
    },
    async () => {
      document ??= openapi.document();
      return document;
    },
  );
}

export function authValidateRoute(app: FastifyInstance): void {
  app.get(
    '/api/v1/auth/validate',
    {
      schema: {
        'x-doc': {
          summary: 'Whether the presented credentials authenticate',
          tags: ['auth'],
          responses: {
            200: {
              description: 'Authenticated',
              schema: Type.Object({ authenticated: Type.Literal(true) }),
            },
            401: { description: 'Not authenticated' },
          },
        },
      },
    },
    async () => ({ authenticated: true }),
  );
}

/** Prometheus exposition, unauthenticated like the probes: counts and timings, no identities. */
export function metricsRoute(app: FastifyInstance, metrics: ApiMetrics): void {
  app.get(
    '/metrics',
    {
      schema: {
        'x-doc': {
          summary: 'Prometheus metrics',
          tags: ['health'],
          security: 'none',
          responses: { 200: { description: 'text/plain; version=0.0.4' } },
        },
      },
    },
    async (_request, reply) =>
      reply.type('text/plain; version=0.0.4; charset=utf-8').send(metrics.render()),
  );
}
