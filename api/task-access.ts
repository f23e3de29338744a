// Loading a Task for an external read or delete: resolve the namespace (isolation), check the
// route's context-token scope, fetch the Task (404 `task not found`), and re-check the token's
// tctx constraints against the stored Task (reference §3.5 "loaded-Task checks").
import type { FastifyRequest } from 'fastify';
import {
  type AgentLike,
  authorizeLoadedTask,
  authorizeTaskRead,
  type TaskAuthzSubject,
  type TaskLike,
  taskAuthzSubject,
} from './authz/index.ts';
import { type ApiDeps, callerOf, enforceAuthz, resolveRequestNamespace } from './context.ts';
import { ApiError } from './errors.ts';
import type { KubeObject } from './kube-access.ts';

export interface LoadedTask {
  namespace: string;
  task: KubeObject;
}

/** Whether tctx constraints apply to this caller (so Agents are worth fetching). */
export function contextChecksApply(deps: ApiDeps, request: FastifyRequest): boolean {
  return (
    deps.config.contextTokenAuthz.mode !== 'off' && callerOf(request).authType === 'contextToken'
  );
}

/** The authorization subject of a stored Task, with its Agent when the checks need it. */
export async function subjectOfTask(
  deps: ApiDeps,
  request: FastifyRequest,
  task: KubeObject,
  namespace: string,
  agents?: ReadonlyMap<string, KubeObject>,
): Promise<TaskAuthzSubject> {
  const taskLike = task as TaskLike;
  let agent: KubeObject | null = null;
  const agentName = taskLike.spec?.agentRef?.name;
  if (agentName && contextChecksApply(deps, request)) {
    const agentNamespace = taskLike.spec?.agentRef?.namespace || namespace;
    agent =
      agents !== undefined && agentNamespace === namespace
        ? (agents.get(agentName) ?? null)
        : await deps.kube.getAgent(agentNamespace, agentName);
  }
  return taskAuthzSubject({ task: taskLike, namespace, agent: agent as AgentLike | null });
}

export async function loadTask(
  deps: ApiDeps,
  request: FastifyRequest,
  action: string,
  name: string,
  explicitNamespace: string | undefined,
): Promise<LoadedTask> {
  const namespace = resolveRequestNamespace(deps, request, explicitNamespace);
  const identity = callerOf(request);
  const config = deps.config.contextTokenAuthz;
  enforceAuthz(deps, action, authorizeTaskRead(config, identity, action, namespace, name));
  const task = await deps.kube.getTask(namespace, name);
  if (task === null) throw new ApiError(404, 'task not found');
  const subject = await subjectOfTask(deps, request, task, namespace);
  enforceAuthz(deps, action, authorizeLoadedTask(config, identity, action, subject));
  return { namespace, task };
}
