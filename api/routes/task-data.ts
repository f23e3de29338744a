// What a Task produced (reference §5.1): its result and its artifacts (logs: task-logs.ts).
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../context.ts';
import { ApiError } from '../errors.ts';
import type { KubeObject } from '../kube-access.ts';
import { NamespaceQuery, TaskParams } from '../schemas.ts';
import { loadTask } from '../task-access.ts';

type TaskRequest = { Params: { id: string }; Querystring: { namespace?: string } };

export function resultAvailable(task: KubeObject): boolean {
  const resultRef = task.status?.resultRef as { available?: unknown } | undefined;
  return resultRef?.available === true;
}

/**
 * `Content-Disposition` filename: quotes, backslashes and CR/LF replaced (reference), and anything
 * outside printable ASCII too, since a header cannot carry it.
 */
export function dispositionFilename(filename: string): string {
  return filename.replace(/["\\\r\n]|[^\x20-\x7e]/g, '_');
}

export function taskDataRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get<TaskRequest>(
    '/api/v1/tasks/:id/result',
    {
      schema: {
        params: TaskParams,
        querystring: NamespaceQuery,
        'x-doc': {
          summary: "A Task's result",
          tags: ['tasks'],
          responses: {
            200: {
              description: 'The stored result as text',
              schema: Type.Object({ result: Type.String() }),
            },
            404: { description: 'task not found / task has no result / result not found' },
          },
        },
      },
    },
    async (request) => {
      const { namespace, task } = await loadTask(
        deps,
        request,
        'getTaskResult',
        request.params.id,
        request.query.namespace,
      );
      if (!resultAvailable(task)) throw new ApiError(404, 'task has no result');
      const stored = deps.store.results.get(namespace, request.params.id);
      if (stored === undefined) throw new ApiError(404, 'result not found');
      return { result: stored.data.toString('utf8') };
    },
  );

  app.get<TaskRequest>(
    '/api/v1/tasks/:id/artifacts',
    {
      schema: {
        params: TaskParams,
        querystring: NamespaceQuery,
        'x-doc': {
          summary: "A Task's artifacts (without their bytes)",
          tags: ['artifacts'],
          responses: {
            200: {
              description: 'Artifacts ordered by filename',
              schema: Type.Object({
                artifacts: Type.Array(
                  Type.Object({
                    filename: Type.String(),
                    contentType: Type.String(),
                    size: Type.Integer(),
                    createdAt: Type.String({ format: 'date-time' }),
                  }),
                ),
              }),
            },
            404: { description: 'task not found' },
          },
        },
      },
    },
    async (request) => {
      const { namespace } = await loadTask(
        deps,
        request,
        'listTaskArtifacts',
        request.params.id,
        request.query.namespace,
      );
      return { artifacts: deps.store.artifacts.list(namespace, request.params.id) };
    },
  );

  app.get<{ Params: { id: string; filename: string }; Querystring: { namespace?: string } }>(
    '/api/v1/tasks/:id/artifacts/:filename',
    {
      schema: {
        params: Type.Object(
          { id: Type.String({ minLength: 1 }), filename: Type.String({ minLength: 1 }) },
          { additionalProperties: false },
        ),
        querystring: NamespaceQuery,
        'x-doc': {
          summary: 'Download one artifact',
          tags: ['artifacts'],
          responses: {
            200: { description: 'The bytes, with their stored Content-Type', contentType: '*/*' },
            404: { description: 'task not found / artifact not found' },
          },
        },
      },
    },
    async (request, reply) => {
      const { namespace } = await loadTask(
        deps,
        request,
        'downloadTaskArtifact',
        request.params.id,
        request.query.namespace,
      );
      const artifact = deps.store.artifacts.get(
        namespace,
        request.params.id,
        request.params.filename,
      );
      if (artifact === undefined) throw new ApiError(404, 'artifact not found');
      return reply
        .header('content-type', artifact.contentType)
        .header(
          'content-disposition',
          `attachment; filename="${dispositionFilename(artifact.filename)}"`,
        )
        .send(artifact.data);
    },
  );
}
