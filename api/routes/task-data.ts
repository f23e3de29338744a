// What a Task produced (reference §5.1): its result, its logs, its artifacts.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../context.ts';
import { ApiError } from '../errors.ts';
import type { KubeObject } from '../kube-access.ts';
import { NamespaceQuery, TaskParams } from '../schemas.ts';
import { loadTask } from '../task-access.ts';

const LOG_TAIL_LINES = 100;
const WORKER_CONTAINER = 'worker';

type TaskRequest = { Params: { id: string }; Querystring: { namespace?: string } };

function resultAvailable(task: KubeObject): boolean {
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

  app.get<{ Params: { id: string }; Querystring: { namespace?: string; follow?: string } }>(
    '/api/v1/tasks/:id/logs',
    {
      schema: {
        params: TaskParams,
        querystring: Type.Object(
          {
            namespace: Type.Optional(Type.String()),
            follow: Type.Optional(Type.String({ description: 'Streaming is not implemented.' })),
          },
          { additionalProperties: false },
        ),
        'x-doc': {
          summary: "A Task's logs: its stored result once done, else the worker's last 100 lines",
          tags: ['tasks'],
          responses: {
            200: { description: 'Logs', schema: Type.Object({ logs: Type.String() }) },
            404: { description: 'task not found / no logs yet / no pods' },
            501: { description: 'follow=true (streaming) is not implemented' },
          },
        },
      },
    },
    async (request) => {
      const { namespace, task } = await loadTask(
        deps,
        request,
        'getTaskLogs',
        request.params.id,
        request.query.namespace,
      );
      if (request.query.follow === 'true') {
        throw new ApiError(501, 'log streaming (follow=true) is not implemented');
      }
      if (resultAvailable(task)) {
        const stored = deps.store.results.get(namespace, request.params.id);
        if (stored === undefined) throw new ApiError(404, 'logs not found in result store');
        return { logs: stored.data.toString('utf8') };
      }
      const jobName = typeof task.status?.jobName === 'string' ? task.status.jobName : '';
      if (jobName === '') throw new ApiError(404, 'task is pending, no logs available yet');
      const pods = await deps.kube.listJobPods(namespace, jobName);
      const newest = pods.sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
      if (newest === undefined) throw new ApiError(404, 'no pods found for task job');
      const logs = await deps.kube.readPodLog(
        namespace,
        newest.name,
        WORKER_CONTAINER,
        LOG_TAIL_LINES,
      );
      return { logs };
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
