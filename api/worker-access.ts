// Binding an internal request to the worker's own Task (DESIGN §7, X12): the caller's namespace
// must be the URL's, and its ServiceAccount token's pod claim must name a Pod of the Task's Job.
import type { FastifyRequest } from 'fastify';
import { LABEL_TASK } from '../resources/labels.ts';
import { claimedPodName, verifyCallerNamespace, verifyWorkerBinding } from './authz/index.ts';
import { type ApiDeps, callerOf, enforceNamespace, logSecurityEvent } from './context.ts';
import { ApiError } from './errors.ts';
import type { KubeObject } from './kube-access.ts';

export interface BoundWorker {
  namespace: string;
  taskName: string;
  task: KubeObject;
}

/**
 * The Task the calling worker runs: `taskName` when the URL names it, else the one its Pod is
 * labelled with (transcript and message routes name only the session).
 */
export async function bindWorker(
  deps: ApiDeps,
  request: FastifyRequest,
  namespace: string,
  taskName: string | undefined,
): Promise<BoundWorker> {
  const identity = callerOf(request);
  enforceNamespace(deps, verifyCallerNamespace(identity, namespace, request.ip));
  const podName = claimedPodName(identity);
  const pod = podName === '' ? null : await deps.kube.getPod(namespace, podName);
  const name = taskName ?? pod?.labels[LABEL_TASK] ?? '';
  // A retried Task names a new Job; a cached copy a moment old could still name the previous one.
  const task = name === '' ? null : await deps.kube.getTask(namespace, name, { live: true });
  const binding = verifyWorkerBinding(
    identity,
    {
      name: name || '(unknown)',
      namespace,
      jobName: typeof task?.status?.jobName === 'string' ? task.status.jobName : '',
    },
    pod,
    request.ip,
  );
  if (!binding.ok) {
    logSecurityEvent(deps.log, binding.event);
    throw new ApiError(binding.status, binding.message);
  }
  if (task === null) throw new ApiError(404, 'task not found');
  return { namespace, taskName: name, task };
}
