// Secret metadata (reference §5.1): names and types for choosing an Agent's credentials, never
// values, and never the ServiceAccount-token Secrets of the namespace.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { authorizeAction } from '../authz/index.ts';
import { type ApiDeps, callerOf, enforceAuthz, resolveRequestNamespace } from '../context.ts';
import { requireRbac } from '../rbac.ts';
import { NamespaceQuery } from '../schemas.ts';

const SecretList = Type.Object({
  items: Type.Array(
    Type.Object({ name: Type.String(), namespace: Type.String(), type: Type.String() }),
  ),
});

export function secretRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get<{ Querystring: { namespace?: string } }>(
    '/api/v1/secrets',
    {
      schema: {
        querystring: NamespaceQuery,
        'x-doc': {
          summary: 'List Secrets by name and type (values are never returned)',
          tags: ['secrets'],
          responses: {
            200: { description: 'Secrets ordered by name', schema: SecretList },
            403: { description: 'Namespace, context token or RBAC (list secrets) refusal' },
          },
        },
      },
    },
    async (request) => {
      const namespace = resolveRequestNamespace(deps, request, request.query.namespace);
      const decision = authorizeAction(
        deps.config.contextTokenAuthz,
        callerOf(request),
        'listSecrets',
        namespace,
      );
      enforceAuthz(deps, 'listSecrets', decision);
      await requireRbac(deps, request, namespace, { verb: 'list', group: '', resource: 'secrets' });
      return { items: await deps.kube.listSecrets(namespace) };
    },
  );
}
