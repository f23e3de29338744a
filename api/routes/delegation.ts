// The delegation endpoint (DESIGN §8): a worker asks for a child Task of its own Task. The
// authority is the parent Task and its transaction, not the worker's RBAC: the API checks the
// binding, the parent's transaction context and the child-scope subset rule, then writes the child
// (and the Secret holding its exchanged token) with the controller's credentials.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import {
  ANNOTATION_PARENT_TASK_NAME,
  ANNOTATION_TRANSACTION_TOKEN_PENDING,
  ANNOTATION_TRANSACTION_TOKEN_PENDING_SINCE,
  ANNOTATION_TRANSACTION_TOKEN_SECRET,
  LABEL_PARENT_TASK,
  selectorValue,
} from '../../resources/labels.ts';
import { type AgentLike, type TaskLike, taskAuthzSubject } from '../authz/index.ts';
import { type ApiDeps, logSecurityEvent } from '../context.ts';
import {
  childContextFailures,
  childScopeFailure,
  childTokenFailure,
  inheritProvenance,
  parentTransaction,
  tokenSecretName,
} from '../delegation.ts';
import { ApiError } from '../errors.ts';
import type { KubeObject } from '../kube-access.ts';
import { InternalTaskParams, TaskObject } from '../schemas.ts';
import { provenanceViolation, TaskCreateBody, taskFromBody } from '../task-body.ts';
import { checkTaskObject, checkTimeout, createFailure } from '../task-create.ts';
import { bindWorker } from '../worker-access.ts';
import { parseJsonBody } from './internal.ts';

const FINISHED_PHASES = ['Succeeded', 'Failed', 'Cancelled'];

const DelegationBody = Type.Object(
  {
    task: TaskCreateBody,
    childScope: Type.Optional(
      Type.String({
        description:
          "Space-separated scopes of the child's context token; each must be one of the parent transaction's scopes.",
      }),
    ),
    transactionToken: Type.Optional(
      Type.String({
        description:
          'The child context token the worker obtained by token exchange; stored in a Secret, never on the Task.',
      }),
    ),
  },
  { additionalProperties: false },
);

interface DelegationRequest {
  task: Record<string, unknown>;
  childScope?: string;
  transactionToken?: string;
}

export function delegationRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.post<{ Params: { namespace: string; taskName: string }; Body: DelegationRequest }>(
    '/internal/v1/tasks/:namespace/:taskName/children',
    {
      preValidation: async (request) => {
        await parseJsonBody(request);
        const violation = provenanceViolation((request.body as { task?: unknown })?.task);
        if (violation !== null) throw new ApiError(400, violation);
      },
      schema: {
        params: InternalTaskParams,
        body: DelegationBody,
        'x-doc': {
          summary: "Create a child Task of the calling worker's Task (delegation)",
          tags: ['internal'],
          security: 'serviceAccount',
          responses: {
            201: { description: 'The child Task as created', schema: TaskObject },
            400: { description: 'Invalid child, scope or token' },
            403: {
              description:
                "Not the parent's worker, or the child breaks the parent's transaction context",
            },
            409: { description: 'task already exists / parent has finished' },
          },
        },
      },
    },
    async (request, reply) => {
      const {
        namespace,
        taskName,
        task: parent,
      } = await bindWorker(deps, request, request.params.namespace, request.params.taskName);
      const phase = parent.status?.phase;
      if (typeof phase === 'string' && FINISHED_PHASES.includes(phase)) {
        throw new ApiError(409, `parent task "${taskName}" has finished (${phase})`);
      }
      const { task: body, childScope, transactionToken } = request.body;
      if (body.namespace !== undefined && body.namespace !== namespace) {
        throw new ApiError(
          403,
          `child task namespace ${JSON.stringify(body.namespace)} does not match the parent's namespace ${JSON.stringify(namespace)}`,
        );
      }
      checkTimeout(body);
      const transaction = parentTransaction(parent);
      const draft = taskFromBody(body, namespace);
      const agentRef = (draft.spec as TaskLike['spec'])?.agentRef;
      const agent = agentRef?.name
        ? await deps.kube.getAgent(agentRef.namespace || namespace, agentRef.name)
        : null;
      const failures = childContextFailures(
        transaction,
        taskAuthzSubject({ task: draft as TaskLike, namespace, agent: agent as AgentLike | null }),
      );
      const deny = (reason: string): never => {
        logSecurityEvent(deps.log, {
          level: 'warn',
          msg: 'delegation denied',
          fields: {
            parent: `${namespace}/${taskName}`,
            child: String(body.name),
            reason,
            ip: request.ip,
          },
        });
        throw new ApiError(403, reason);
      };
      if (failures.length > 0) deny(failures.join('; '));

      let scope: string | null = null;
      if (childScope !== undefined || transactionToken !== undefined) {
        if (transaction === null) {
          throw new ApiError(
            400,
            'parent task has no transaction: childScope and transactionToken need one',
          );
        }
        if (childScope === undefined)
          throw new ApiError(400, 'childScope is required with transactionToken');
        const scopeFailure = childScopeFailure(childScope, transaction);
        if (scopeFailure !== null) deny(scopeFailure);
        scope = childScope;
        if (transactionToken !== undefined) {
          if (deps.contextTokenVerifier === null) {
            throw new ApiError(
              400,
              'context tokens are not configured: transactionToken cannot be verified',
            );
          }
          const claims = await deps.contextTokenVerifier.verify(transactionToken).catch(() => null);
          if (claims === null) deny('child transaction token is not valid');
          const tokenFailure = childTokenFailure(claims!, transaction, childScope);
          if (tokenFailure !== null) deny(tokenFailure);
        }
      }

      let child = inheritProvenance(draft, parent, scope);
      const secretName =
        transactionToken === undefined ? null : tokenSecretName(taskName, Date.now());
      if (secretName !== null) {
        // The reconciler waits while the token is pending, so no Job starts before its Secret exists.
        child = {
          ...child,
          metadata: {
            ...child.metadata,
            annotations: {
              ...child.metadata?.annotations,
              [ANNOTATION_TRANSACTION_TOKEN_SECRET]: secretName,
              [ANNOTATION_TRANSACTION_TOKEN_PENDING]: 'true',
              [ANNOTATION_TRANSACTION_TOKEN_PENDING_SINCE]: new Date().toISOString(),
            },
          },
        };
      }
      checkTaskObject(child);
      let created: KubeObject;
      try {
        created = await deps.kube.createTask(namespace, child);
      } catch (error) {
        return createFailure(error, namespace);
      }
      if (secretName === null || transactionToken === undefined)
        return reply.code(201).send(created);
      const childName = created.metadata?.name ?? '';
      try {
        await deps.kube.createSecret(namespace, {
          name: secretName,
          labels: { [LABEL_PARENT_TASK]: selectorValue(taskName) },
          annotations: { [ANNOTATION_PARENT_TASK_NAME]: taskName },
          ownerReferences: [
            {
              apiVersion: String(created.apiVersion),
              kind: 'Task',
              name: childName,
              uid: created.metadata?.uid ?? '',
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
          stringData: { token: transactionToken },
        });
        created = await deps.kube.patchTaskAnnotations(namespace, childName, {
          [ANNOTATION_TRANSACTION_TOKEN_PENDING]: null,
          [ANNOTATION_TRANSACTION_TOKEN_PENDING_SINCE]: null,
        });
      } catch (error) {
        // The Secret is owned by the child, so deleting the child removes both.
        await deps.kube.deleteTask(namespace, childName).catch(() => false);
        throw error;
      }
      return reply.code(201).send(created);
    },
  );
}
