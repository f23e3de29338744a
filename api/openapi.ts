// OpenAPI 3.1 for the REST API, generated from the same route schemas fastify validates with:
// every route registers its schema, an onRoute hook collects them, and the document is built once
// the server is ready. Response shapes are documented under the route's `x-responses` (fastify
// would otherwise serialise responses through them and drop fields of Task objects).
import type { FastifyInstance, RouteOptions } from 'fastify';
import { errorBody } from './errors.ts';

export interface DocumentedResponse {
  description: string;
  schema?: unknown;
  contentType?: string;
}

export interface RouteDoc {
  summary: string;
  tags: string[];
  /** Media type of a raw request body (results, artifacts); JSON bodies come from `body`. */
  rawBody?: string;
  responses: Record<number, DocumentedResponse>;
  security?: 'none' | 'external' | 'serviceAccount';
}

declare module 'fastify' {
  interface FastifySchema {
    'x-doc'?: RouteDoc;
  }
}

interface CollectedRoute {
  method: string;
  url: string;
  doc: RouteDoc;
  schema: { body?: unknown; params?: unknown; querystring?: unknown };
}

const ErrorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'integer' }, message: { type: 'string' } },
    },
  },
  example: errorBody(404, 'task not found'),
};

function parametersOf(schema: unknown, where: 'path' | 'query'): unknown[] {
  const object = schema as
    | { properties?: Record<string, unknown>; required?: string[] }
    | undefined;
  if (!object?.properties) return [];
  return Object.entries(object.properties).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || (object.required ?? []).includes(name),
    schema: property,
    ...(typeof (property as { description?: unknown }).description === 'string'
      ? { description: (property as { description: string }).description }
      : {}),
  }));
}

function operation(route: CollectedRoute): Record<string, unknown> {
  const { doc, schema } = route;
  const responses: Record<string, unknown> = {};
  for (const [status, response] of Object.entries(doc.responses)) {
    const contentType = response.contentType ?? 'application/json';
    const body = Number(status) >= 400 ? ErrorSchema : response.schema;
    responses[status] = {
      description: response.description,
      ...(body !== undefined ? { content: { [contentType]: { schema: body } } } : {}),
    };
  }
  const security =
    doc.security === 'none'
      ? []
      : doc.security === 'serviceAccount'
        ? [{ serviceAccountToken: [] }]
        : [{ bearerToken: [] }, { apiKey: [] }, { contextToken: [] }];
  return {
    summary: doc.summary,
    tags: doc.tags,
    operationId: `${route.method.toLowerCase()}${route.url.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase())}`,
    parameters: [
      ...parametersOf(schema.params, 'path'),
      ...parametersOf(schema.querystring, 'query'),
    ],
    ...(schema.body !== undefined
      ? {
          requestBody: { required: true, content: { 'application/json': { schema: schema.body } } },
        }
      : doc.rawBody !== undefined
        ? {
            requestBody: {
              required: true,
              content: { [doc.rawBody]: { schema: { type: 'string', format: 'binary' } } },
            },
          }
        : {}),
    responses,
    security,
  };
}

export class OpenApiCollector {
  readonly #routes: CollectedRoute[] = [];

  /** Registers the onRoute hook; call before any route is added. */
  attach(app: FastifyInstance): void {
    app.addHook('onRoute', (route: RouteOptions) => {
      const schema = (route.schema ?? {}) as CollectedRoute['schema'] & { 'x-doc'?: RouteDoc };
      const doc = schema['x-doc'];
      if (doc === undefined) return;
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      for (const method of methods) {
        if (method === 'HEAD') continue;
        this.#routes.push({ method, url: route.url, doc, schema });
      }
    });
  }

  document(): Record<string, unknown> {
    const paths: Record<string, Record<string, unknown>> = {};
    for (const route of this.#routes) {
      const path = route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      paths[path] ??= {};
      paths[path][route.method.toLowerCase()] = operation(route);
    }
    return {
      openapi: '3.1.0',
      info: {
        title: 'Orka REST API',
        version: 'v1',
        description:
          'Tasks, results, logs, artifacts, sessions and Agents of Orka, and the internal endpoints its workers call. Errors are {"error":{"code","message"}}.',
      },
      paths,
      components: {
        securitySchemes: {
          bearerToken: {
            type: 'http',
            scheme: 'bearer',
            description: 'A Kubernetes ServiceAccount token (TokenReview) or an OIDC JWT.',
          },
          apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' },
          contextToken: { type: 'apiKey', in: 'header', name: 'Txn-Token' },
          serviceAccountToken: {
            type: 'http',
            scheme: 'bearer',
            description: "The worker Pod's bound ServiceAccount token (TokenReview only).",
          },
        },
      },
    };
  }
}
