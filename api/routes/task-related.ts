// A Task's children and its plan (reference §5.1).
import type { FastifyInstance } from 'fastify';
import { LABEL_PARENT_TASK, selectorValue } from '../../resources/labels.ts';
import type { ApiDeps } from '../context.ts';
import { ApiError } from '../errors.ts';
import { ListEnvelope, NamespaceQuery, TaskObject, TaskParams } from '../schemas.ts';
import { loadTask } from '../task-access.ts';

type TaskRequest = { Params: { id: string }; Querystring: { namespace?: string } };

export function taskRelatedRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get<TaskRequest>(
    '/api/v1/tasks/:id/children',
    {
      schema: {
        params: TaskParams,
        querystring: NamespaceQuery,
        'x-doc': {
          summary: `The Tasks delegated by a Task (labelled ${LABEL_PARENT_TASK})`,
          tags: ['tasks'],
          responses: {
            200: { description: 'Child Tasks', schema: ListEnvelope(TaskObject) },
            404: { description: 'task not found' },
          },
        },
      },
    },
    async (request) => {
      // The parent is loaded first so that its namespace, scope and tctx checks decide access.
      const { namespace } = await loadTask(
        deps,
        request,
        'getTaskChildren',
        request.params.id,
        request.query.namespace,
      );
      const children = await deps.kube.listTasks(namespace, {
        labelSelector: `${LABEL_PARENT_TASK}=${selectorValue(request.params.id)}`,
      });
      return { items: children.items, metadata: {} };
    },
  );

  app.get<TaskRequest>(
    '/api/v1/tasks/:id/plan',
    {
      schema: {
        params: TaskParams,
        querystring: NamespaceQuery,
        'x-doc': {
          summary: "A coordinator Task's plan: not supported yet (no plan store)",
          tags: ['tasks'],
          responses: {
            404: { description: 'task not found' },
            501: { description: 'task plans are not supported yet' },
          },
        },
      },
    },
    async (request) => {
      await loadTask(deps, request, 'getTaskPlan', request.params.id, request.query.namespace);
      // Plans belong to `type: ai` coordinator Tasks, which Orka does not run yet.
      throw new ApiError(501, 'task plans are not supported yet');
    },
  );
}
