// Task CRUD (reference §5.1): create from a flat body, list with pagination, get, delete.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { authorizeAction, authorizeLoadedTask } from '../authz/index.ts';
import {
  type ApiDeps,
  callerOf,
  enforceAuthz,
  recordAuthz,
  resolveRequestNamespace,
} from '../context.ts';
import { ApiError } from '../errors.ts';
import type { KubeObject } from '../kube-access.ts';
import { ListEnvelope, NamespaceQuery, TaskObject, TaskParams } from '../schemas.ts';
import { loadTask, subjectOfTask } from '../task-access.ts';
import { provenanceViolation, TaskCreateBody } from '../task-body.ts';
import { createTaskFor } from '../task-create.ts';

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 500;

const ListQuery = Type.Object(
  {
    namespace: Type.Optional(Type.String()),
    limit: Type.Optional(Type.String({ description: 'Page size (default 100, at most 500).' })),
    continue: Type.Optional(Type.String({ description: 'Continue token of the previous page.' })),
  },
  { additionalProperties: false },
);

export function parseLimit(text: string | undefined): number {
  if (text === undefined || text === '') return DEFAULT_LIMIT;
  if (!/^-?\d+$/.test(text.trim())) {
    throw new ApiError(400, `invalid limit parameter: ${JSON.stringify(text)} is not an integer`);
  }
  const limit = Number(text.trim());
  if (limit < 1) throw new ApiError(400, 'limit must be at least 1');
  return Math.min(limit, MAX_LIMIT);
}

export function taskRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.post<{ Body: Record<string, unknown> }>(
    '/api/v1/tasks',
    {
      schema: {
        body: TaskCreateBody,
        'x-doc': {
          summary: 'Create a Task',
          tags: ['tasks'],
          responses: {
            201: { description: 'The Task as created', schema: TaskObject },
            400: { description: 'Invalid body, provenance fields, bad timeout' },
            401: { description: 'Not authenticated' },
            403: { description: 'Namespace, context token or RBAC refusal' },
            409: { description: 'task already exists' },
            413: { description: 'Body over 15 MiB' },
          },
        },
      },
      preValidation: async (request) => {
        const violation = provenanceViolation(request.body);
        if (violation !== null) throw new ApiError(400, violation);
        if (
          typeof request.body !== 'object' ||
          request.body === null ||
          Array.isArray(request.body)
        ) {
          throw new ApiError(400, 'invalid request body');
        }
      },
    },
    async (request, reply) => {
      const created = await createTaskFor(deps, request, request.body);
      return reply.code(201).send(created);
    },
  );

  app.get<{ Querystring: { namespace?: string; limit?: string; continue?: string } }>(
    '/api/v1/tasks',
    {
      schema: {
        querystring: ListQuery,
        'x-doc': {
          summary: 'List Tasks',
          tags: ['tasks'],
          responses: {
            200: { description: 'A page of Tasks', schema: ListEnvelope(TaskObject) },
            400: { description: 'Bad limit' },
            403: { description: 'Namespace or context-token refusal' },
          },
        },
      },
    },
    async (request) => {
      const limit = parseLimit(request.query.limit);
      const namespace = resolveRequestNamespace(deps, request, request.query.namespace);
      const identity = callerOf(request);
      const config = deps.config.contextTokenAuthz;
      enforceAuthz(deps, 'listTasks', authorizeAction(config, identity, 'listTasks', namespace));
      const page = await deps.kube.listTasks(namespace, {
        limit,
        ...(request.query.continue ? { continueToken: request.query.continue } : {}),
      });
      let items = page.items;
      let remainingItemCount = page.remainingItemCount;
      if (config.mode !== 'off' && identity.authType === 'contextToken') {
        const agents = new Map<string, KubeObject>();
        for (const agent of await deps.kube.listAgents(namespace)) {
          agents.set(agent.metadata?.name ?? '', agent);
        }
        const subjects = await Promise.all(
          items.map(async (item) => ({
            item,
            subject: await subjectOfTask(deps, request, item, namespace, agents),
          })),
        );
        // Enforce drops the Tasks the token may not see; audit keeps and reports them.
        items = subjects
          .filter(({ subject }) => {
            const decision = authorizeLoadedTask(config, identity, 'listTasks', subject);
            recordAuthz(deps, 'listTasks', decision);
            return decision.allowed;
          })
          .map(({ item }) => item);
        if (items.length < subjects.length) remainingItemCount = undefined;
      }
      return {
        items,
        metadata: {
          ...(page.continueToken ? { continue: page.continueToken } : {}),
          ...(remainingItemCount !== undefined ? { remainingItemCount } : {}),
        },
      };
    },
  );

  app.get<{ Params: { id: string }; Querystring: { namespace?: string } }>(
    '/api/v1/tasks/:id',
    {
      schema: {
        params: TaskParams,
        querystring: NamespaceQuery,
        'x-doc': {
          summary: 'Get a Task',
          tags: ['tasks'],
          responses: {
            200: { description: 'The Task', schema: TaskObject },
            404: { description: 'task not found' },
          },
        },
      },
    },
    async (request) => {
      const { task } = await loadTask(
        deps,
        request,
        'getTask',
        request.params.id,
        request.query.namespace,
      );
      return task;
    },
  );

  app.delete<{ Params: { id: string }; Querystring: { namespace?: string } }>(
    '/api/v1/tasks/:id',
    {
      schema: {
        params: TaskParams,
        querystring: NamespaceQuery,
        'x-doc': {
          summary:
            "Delete a Task; its result and artifacts are removed by the reconciler's cleanup finalizer",
          tags: ['tasks'],
          responses: {
            204: { description: 'Deleted' },
            404: { description: 'task not found' },
          },
        },
      },
    },
    async (request, reply) => {
      const name = request.params.id;
      const namespace = resolveRequestNamespace(deps, request, request.query.namespace);
      const leftoversRemoved = () => {
        // No Task, so no finalizer will run: drop whatever data it left behind.
        deps.store.deleteTaskData(namespace, name);
        return new ApiError(404, 'task not found');
      };
      try {
        await loadTask(deps, request, 'deleteTask', name, namespace);
      } catch (error) {
        if (error instanceof ApiError && error.statusCode === 404) throw leftoversRemoved();
        throw error;
      }
      // The Task's finalizer (orka.ai/cleanup) removes its result, artifacts and session locks.
      if (!(await deps.kube.deleteTask(namespace, name))) throw leftoversRemoved();
      return reply.code(204).send();
    },
  );
}
