// A Running Task (reference §6.6 Running steps): timeout, its Job's outcome, Pods that will never
// start, and Jobs that cannot create their Pod.
import type { V1Job } from '@kubernetes/client-node';
import type { Task } from '../../resources/types.ts';
import { done, type ReconcileAction, requeueAfter } from '../runtime/action.ts';
import { isNotFound } from '../runtime/kube.ts';
import type { TaskReconcilerContext } from './context.ts';
import { complete, retryOrFail } from './finish.ts';
import { MESSAGES } from './messages.ts';
import { JOB_NOT_FOUND_GRACE_MS, jobOutcome, podProblem, timeRemainingMs } from './rules.ts';

const JOB_NOT_FOUND_RECHECK_MS = 2000;
const WAITING_POD_RECHECK_MS = 30_000;

async function currentJob(
  ctx: TaskReconcilerContext,
  namespace: string,
  name: string,
): Promise<V1Job | undefined> {
  const cached = ctx.caches.jobs.get(name, namespace);
  if (cached) return cached;
  try {
    return await ctx.apis.batch.readNamespacedJob({ namespace, name });
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

function failedCreateMessage(ctx: TaskReconcilerContext, namespace: string, jobName: string) {
  return ctx.caches.failedCreates
    .list(namespace)
    .find((event) => event.involvedObject?.kind === 'Job' && event.involvedObject.name === jobName)
    ?.message;
}

export async function reconcileRunning(
  ctx: TaskReconcilerContext,
  task: Task,
): Promise<ReconcileAction> {
  const namespace = task.metadata?.namespace ?? '';
  const now = ctx.clock.now();
  const left = timeRemainingMs(task, now);
  if (left !== undefined && left <= 0) return complete(ctx, task, 'Failed', MESSAGES.timedOut);

  const jobName = task.status?.jobName ?? '';
  const job = jobName ? await currentJob(ctx, namespace, jobName) : undefined;
  const startTime = Date.parse(task.status?.startTime ?? '') || now;
  if (!job) {
    if (jobName && now - startTime < JOB_NOT_FOUND_GRACE_MS)
      return requeueAfter(JOB_NOT_FOUND_RECHECK_MS);
    return retryOrFail(ctx, task, MESSAGES.jobNotFound);
  }

  const outcome = jobOutcome(job);
  switch (outcome.state) {
    case 'succeeded':
      return complete(ctx, task, 'Succeeded', MESSAGES.succeeded);
    case 'deadline-exceeded':
      // The Job's activeDeadlineSeconds is the Task's timeout: no retry for a timed-out Task.
      return task.spec.timeout
        ? complete(ctx, task, 'Failed', MESSAGES.timedOut)
        : retryOrFail(ctx, task, MESSAGES.jobFailed);
    case 'failed':
      return retryOrFail(ctx, task, MESSAGES.jobFailed);
    case 'active':
    case 'waiting':
      break;
  }
  const failedCreate =
    outcome.state === 'waiting' ? failedCreateMessage(ctx, namespace, jobName) : undefined;
  if (failedCreate !== undefined)
    return retryOrFail(ctx, task, MESSAGES.failedCreate(failedCreate));

  const pods = ctx.caches.pods
    .list(namespace)
    .filter((pod) => pod.metadata?.labels?.['job-name'] === jobName);
  const problem = podProblem(pods, startTime, now, ctx.caches.failedMounts.list(namespace));
  if (problem) return complete(ctx, task, 'Failed', problem);

  const podsWaiting = pods.some((pod) => pod.status?.phase === 'Pending');
  const recheck = [
    left !== undefined ? left + 1000 : undefined,
    podsWaiting ? WAITING_POD_RECHECK_MS : undefined,
  ].filter((ms): ms is number => ms !== undefined);
  return recheck.length > 0 ? requeueAfter(Math.min(...recheck)) : done;
}
