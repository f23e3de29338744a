// Creating a Task for an external caller (DESIGN §5, §7; reference §5.2): the Task is built from
// the flat body, checked against the caller's RBAC (SubjectAccessReview) and context token,
// stamped with its provenance and created with the controller's credentials.
import type { FastifyRequest } from 'fastify';
import { parseDuration } from '../resources/duration.ts';
import { formatFieldErrors, validateResource } from '../resources/validate.ts';
import {
  type AgentLike,
  applyProvenanceStamp,
  authorizeTaskCreate,
  provenanceStamp,
  type TaskLike,
  taskAuthzSubject,
} from './authz/index.ts';
import {
  type ApiDeps,
  callerOf,
  enforceAuthz,
  logSecurityEvent,
  resolveRequestNamespace,
} from './context.ts';
import { ApiError } from './errors.ts';
import { KubeError, type KubeObject } from './kube-access.ts';
import { taskFromBody } from './task-body.ts';

/** A Task the resource model refuses: 400 naming every field, as the apiserver would. */
export function checkTaskObject(task: KubeObject): void {
  const result = validateResource(task);
  if (!result.valid) throw new ApiError(400, `invalid task: ${formatFieldErrors(result.errors)}`);
}

export function checkTimeout(body: Record<string, unknown>): void {
  if (typeof body.timeout !== 'string') return;
  try {
    parseDuration(body.timeout);
  } catch (error) {
    throw new ApiError(400, `invalid timeout: ${(error as Error).message}`);
  }
}

/** The apiserver's refusal of a Task write as the API's answer. */
export function createFailure(error: unknown, namespace: string): never {
  if (!(error instanceof KubeError)) throw error;
  if (error.status === 409) throw new ApiError(409, 'task already exists');
  if (error.status === 404) throw new ApiError(404, `namespace "${namespace}" not found`);
  if (error.status === 400 || error.status === 422 || error.status === 403) {
    // Invalid objects and admission denials: the apiserver's message says which rule.
    throw new ApiError(error.status === 403 ? 403 : 422, `task rejected: ${error.message}`);
  }
  throw new ApiError(error.status >= 500 ? 502 : 500, `failed to create task: ${error.message}`);
}

export async function createTaskFor(
  deps: ApiDeps,
  request: FastifyRequest,
  body: Record<string, unknown>,
): Promise<KubeObject> {
  const identity = callerOf(request);
  const namespace = resolveRequestNamespace(deps, request, body.namespace as string | undefined);
  const draft = taskFromBody(body, namespace);
  const agentRef = (draft.spec as TaskLike['spec'])?.agentRef;
  const agent =
    agentRef?.name && deps.config.contextTokenAuthz.mode !== 'off' && identity.contextToken
      ? await deps.kube.getAgent(agentRef.namespace || namespace, agentRef.name)
      : null;
  const subject = taskAuthzSubject({
    task: draft as TaskLike,
    namespace,
    agent: agent as AgentLike | null,
  });
  enforceAuthz(
    deps,
    'createTask',
    authorizeTaskCreate(deps.config.contextTokenAuthz, identity, subject),
  );
  const access = await deps.kube.canCreateTasks(identity, namespace);
  if (!access.allowed) {
    logSecurityEvent(deps.log, {
      level: 'warn',
      msg: 'task create denied by RBAC',
      fields: { username: identity.username, namespace, reason: access.reason, ip: request.ip },
    });
    throw new ApiError(
      403,
      `user "${identity.username}" cannot create tasks in namespace "${namespace}"`,
    );
  }
  const task = applyProvenanceStamp(draft, provenanceStamp(identity)) as KubeObject;
  checkTimeout(body);
  checkTaskObject(task);
  try {
    return await deps.kube.createTask(namespace, task);
  } catch (error) {
    return createFailure(error, namespace);
  }
}
