// Agent create, update and delete (reference §5.1). Each is checked like a Task create: namespace
// resolution and isolation, the context token's agent-write scope, the caller's own RBAC
// (SubjectAccessReview), then the resource model, before the API writes as the controller.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CORE_GROUP } from '../../resources/kinds.ts';
import { formatFieldErrors, validateResource } from '../../resources/validate.ts';
import {
  AgentCreateBody,
  type AgentCreateRequest,
  AgentUpdateBody,
  agentFromBody,
  mergePatchBetween,
  requestedAgentNamespace,
} from '../agent-body.ts';
import { authorizeAction } from '../authz/index.ts';
import { type ApiDeps, callerOf, enforceAuthz, resolveRequestNamespace } from '../context.ts';
import { ApiError } from '../errors.ts';
import { KubeError, type KubeObject } from '../kube-access.ts';
import { requireRbac } from '../rbac.ts';
import { NamespaceQuery } from '../schemas.ts';
import { AgentObject, agentVisible } from './agents.ts';

/** Conflicting writers are rare; a few fresh reads settle all but a real write storm. */
export const MAX_UPDATE_ATTEMPTS = 5;

const AgentParams = Type.Object(
  { name: Type.String({ minLength: 1, description: 'Agent name.' }) },
  { additionalProperties: false },
);

type AgentRequest = { Params: { name: string }; Querystring: { namespace?: string } };

/** An Agent the resource model refuses: 400 naming every field, as the apiserver would. */
function checkAgentObject(agent: KubeObject, old?: KubeObject): void {
  const result = validateResource(agent, old);
  if (!result.valid) throw new ApiError(400, `invalid agent: ${formatFieldErrors(result.errors)}`);
}

/** The apiserver's refusal of an Agent write as the API's answer. */
function writeFailure(error: unknown, namespace: string, verb: string): never {
  if (!(error instanceof KubeError)) throw error;
  if (error.status === 409) throw new ApiError(409, 'agent already exists');
  if (error.status === 404) throw new ApiError(404, `namespace "${namespace}" not found`);
  if (error.status === 400 || error.status === 422 || error.status === 403) {
    // Invalid objects and admission denials: the apiserver's message says which rule.
    throw new ApiError(error.status === 403 ? 403 : 422, `agent rejected: ${error.message}`);
  }
  throw new ApiError(error.status >= 500 ? 502 : 500, `failed to ${verb} agent: ${error.message}`);
}

export function agentWriteRoutes(app: FastifyInstance, deps: ApiDeps): void {
  /** Namespace, context-token scope and RBAC of one Agent write. */
  const authorizeWrite = async (
    request: FastifyRequest,
    explicitNamespace: string | undefined,
    action: string,
    verb: string,
  ): Promise<string> => {
    const namespace = resolveRequestNamespace(deps, request, explicitNamespace);
    const decision = authorizeAction(
      deps.config.contextTokenAuthz,
      callerOf(request),
      action,
      namespace,
    );
    enforceAuthz(deps, action, decision);
    await requireRbac(deps, request, namespace, { verb, group: CORE_GROUP, resource: 'agents' });
    return namespace;
  };

  /** The Agent as it is now, or 404 as for GET (also when the token may not see it). */
  const currentAgent = async (request: FastifyRequest, namespace: string, name: string) => {
    const agent = await deps.kube.getAgent(namespace, name, { live: true });
    if (agent === null || !agentVisible(deps, request, agent)) {
      throw new ApiError(404, 'agent not found');
    }
    return agent;
  };

  app.post<{ Body: AgentCreateRequest }>(
    '/api/v1/agents',
    {
      schema: {
        body: AgentCreateBody,
        'x-doc': {
          summary: 'Create an Agent',
          tags: ['agents'],
          responses: {
            201: { description: 'The Agent as created', schema: AgentObject },
            400: { description: 'invalid request body / name is required / invalid agent' },
            403: { description: 'Namespace, context token, tctx agent constraint or RBAC refusal' },
            409: { description: 'agent already exists' },
          },
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const explicit = requestedAgentNamespace(body);
      const draft = agentFromBody(body, '');
      const namespace = await authorizeWrite(request, explicit, 'createAgent', 'create');
      const agent = { ...draft, metadata: { ...draft.metadata, namespace } };
      if (!agentVisible(deps, request, agent)) {
        throw new ApiError(403, 'context token is not authorized for createAgent');
      }
      checkAgentObject(agent);
      try {
        return reply.code(201).send(await deps.kube.createAgent(namespace, agent));
      } catch (error) {
        return writeFailure(error, namespace, 'create');
      }
    },
  );

  app.put<AgentRequest & { Body: { spec: Record<string, unknown> } }>(
    '/api/v1/agents/:name',
    {
      schema: {
        params: AgentParams,
        querystring: NamespaceQuery,
        body: AgentUpdateBody,
        'x-doc': {
          summary: "Replace an Agent's spec (optimistic lock, retried on conflict)",
          tags: ['agents'],
          responses: {
            200: { description: 'The Agent as updated', schema: AgentObject },
            400: { description: 'invalid request body / invalid agent' },
            404: { description: 'agent not found' },
            409: { description: 'agent was modified concurrently' },
          },
        },
      },
    },
    async (request) => {
      const name = request.params.name;
      const namespace = await authorizeWrite(
        request,
        request.query.namespace,
        'updateAgent',
        'update',
      );
      for (let attempt = 0; attempt < MAX_UPDATE_ATTEMPTS; attempt++) {
        const current = await currentAgent(request, namespace, name);
        checkAgentObject({ ...current, spec: request.body.spec }, current);
        const patch = {
          metadata: { resourceVersion: current.metadata?.resourceVersion },
          spec: mergePatchBetween(current.spec ?? {}, request.body.spec),
        };
        try {
          return await deps.kube.patchAgent(namespace, name, patch);
        } catch (error) {
          if (error instanceof KubeError && error.status === 409) continue;
          if (error instanceof KubeError && error.status === 404) {
            throw new ApiError(404, 'agent not found');
          }
          return writeFailure(error, namespace, 'update');
        }
      }
      throw new ApiError(409, 'agent was modified concurrently');
    },
  );

  app.delete<AgentRequest>(
    '/api/v1/agents/:name',
    {
      schema: {
        params: AgentParams,
        querystring: NamespaceQuery,
        'x-doc': {
          summary: 'Delete an Agent',
          tags: ['agents'],
          responses: {
            204: { description: 'Deleted' },
            404: { description: 'agent not found' },
          },
        },
      },
    },
    async (request, reply) => {
      const name = request.params.name;
      const namespace = await authorizeWrite(
        request,
        request.query.namespace,
        'deleteAgent',
        'delete',
      );
      await currentAgent(request, namespace, name);
      try {
        if (!(await deps.kube.deleteAgent(namespace, name))) {
          throw new ApiError(404, 'agent not found');
        }
      } catch (error) {
        if (error instanceof ApiError) throw error;
        return writeFailure(error, namespace, 'delete');
      }
      return reply.code(204).send();
    },
  );
}
