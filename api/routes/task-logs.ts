// A Task's logs (reference §5.1): its stored result once it has one, else the worker container of
// its Job's newest Pod, as the last 100 lines or, with `?follow=true`, as server-sent events.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../context.ts';
import { ApiError } from '../errors.ts';
import { TaskParams } from '../schemas.ts';
import { serverSentLines } from '../sse.ts';
import { loadTask } from '../task-access.ts';
import { resultAvailable } from './task-data.ts';

const LOG_TAIL_LINES = 100;
const WORKER_CONTAINER = 'worker';

const LogsQuery = Type.Object(
  {
    namespace: Type.Optional(Type.String()),
    follow: Type.Optional(
      Type.String({
        enum: ['true', 'false'],
        description:
          "true: stream the running worker's log as text/event-stream, one `data: <line>` event per line, until the container ends.",
      }),
    ),
  },
  { additionalProperties: false },
);

export function taskLogRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get<{ Params: { id: string }; Querystring: { namespace?: string; follow?: string } }>(
    '/api/v1/tasks/:id/logs',
    {
      schema: {
        params: TaskParams,
        querystring: LogsQuery,
        'x-doc': {
          summary: "A Task's logs: its stored result once done, else the worker's last 100 lines",
          tags: ['tasks'],
          responses: {
            200: {
              description:
                'Logs as JSON; with follow=true and a running worker, text/event-stream instead',
              schema: Type.Object({ logs: Type.String() }),
            },
            404: { description: 'task not found / no logs yet / no pods' },
          },
        },
      },
    },
    async (request, reply) => {
      const { namespace, task } = await loadTask(
        deps,
        request,
        'getTaskLogs',
        request.params.id,
        request.query.namespace,
      );
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
      if (request.query.follow !== 'true') {
        const logs = await deps.kube.readPodLog(
          namespace,
          newest.name,
          WORKER_CONTAINER,
          LOG_TAIL_LINES,
        );
        return { logs };
      }
      const follow = await deps.kube.followPodLog(
        namespace,
        newest.name,
        WORKER_CONTAINER,
        LOG_TAIL_LINES,
      );
      const events = serverSentLines();
      // Ends with the container, or earlier when the client goes away (fastify destroys the stream).
      events.on('close', () => follow.stop());
      follow.output.pipe(events);
      return reply
        .header('content-type', 'text/event-stream; charset=utf-8')
        .header('cache-control', 'no-cache')
        .send(events);
    },
  );
}
