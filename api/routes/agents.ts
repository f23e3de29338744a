// Agents, read-only (reference §5.1): list and get, narrowed by a context token's agent constraints.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { authorizeAction, contextString, contextStringList } from '../authz/index.ts';
import { type ApiDeps, callerOf, enforceAuthz, resolveRequestNamespace } from '../context.ts';
import { ApiError } from '../errors.ts';
import type { KubeObject } from '../kube-access.ts';
import { ListEnvelope, NamespaceQuery } from '../schemas.ts';

export const AgentObject = Type.Object(
  {
    apiVersion: Type.String(),
    kind: Type.String(),
    metadata: Type.Object({}, { additionalProperties: true }),
    spec: Type.Object({}, { additionalProperties: true }),
  },
  { description: 'A core.orka.ai/v1alpha1 Agent.' },
);

/** Whether a context token's `agent` / `allowedAgents` constraints let the caller see `agent`. */
export function agentVisible(deps: ApiDeps, request: FastifyRequest, agent: KubeObject): boolean {
  const identity = callerOf(request);
  const claims = identity.contextToken;
  if (deps.config.contextTokenAuthz.mode !== 'enforce' || claims === null) return true;
  const name = agent.metadata?.name ?? '';
  const qualified = `${agent.metadata?.namespace ?? ''}/${name}`;
  const matches = (want: string) => want === name || want === qualified;
  const single = contextString(claims.tctx, 'agent');
  if (single !== null && !matches(single)) return false;
  const allowed = contextStringList(claims.tctx, 'allowedAgents');
  if (allowed !== null && !allowed.some(matches)) return false;
  return true;
}

export function agentRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const namespaceFor = (request: FastifyRequest, explicit: string | undefined, action: string) => {
    const namespace = resolveRequestNamespace(deps, request, explicit);
    enforceAuthz(
      deps,
      action,
      authorizeAction(deps.config.contextTokenAuthz, callerOf(request), action, namespace),
    );
    return namespace;
  };

  app.get<{ Querystring: { namespace?: string } }>(
    '/api/v1/agents',
    {
      schema: {
        querystring: NamespaceQuery,
        'x-doc': {
          summary: 'List Agents',
          tags: ['agents'],
          responses: { 200: { description: 'Agents', schema: ListEnvelope(AgentObject) } },
        },
      },
    },
    async (request) => {
      const namespace = namespaceFor(request, request.query.namespace, 'listAgents');
      const agents = await deps.kube.listAgents(namespace);
      return { items: agents.filter((agent) => agentVisible(deps, request, agent)), metadata: {} };
    },
  );

  app.get<{ Params: { name: string }; Querystring: { namespace?: string } }>(
    '/api/v1/agents/:name',
    {
      schema: {
        params: Type.Object(
          { name: Type.String({ minLength: 1 }) },
          { additionalProperties: false },
        ),
        querystring: NamespaceQuery,
        'x-doc': {
          summary: 'Get an Agent',
          tags: ['agents'],
          responses: {
            200: { description: 'The Agent', schema: AgentObject },
            404: { description: 'agent not found' },
          },
        },
      },
    },
    async (request) => {
      const namespace = namespaceFor(request, request.query.namespace, 'getAgent');
      const agent = await deps.kube.getAgent(namespace, request.params.name);
      if (agent === null || !agentVisible(deps, request, agent)) {
        throw new ApiError(404, 'agent not found');
      }
      return agent;
    },
  );
}
