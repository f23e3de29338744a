// The Task reconciler's entry (reference §6.6): deletion and its cleanup, the finalizer, the
// first Pending, then the phase's own steps.

import { FINALIZER_CLEANUP } from '../../resources/labels.ts';
import type { Task } from '../../resources/types.ts';
import { done, type ReconcileAction } from '../runtime/action.ts';
import { splitKey } from '../runtime/informer.ts';
import { errorMessage } from '../runtime/kube.ts';
import type { TaskReconcilerContext } from './context.ts';
import { deleteJob, isTerminal } from './finish.ts';
import { reconcilePending } from './pending.ts';
import { reconcileRunning } from './running.ts';

async function cleanUp(ctx: TaskReconcilerContext, task: Task): Promise<ReconcileAction> {
  const namespace = task.metadata?.namespace ?? '';
  const name = task.metadata?.name ?? '';
  if (!task.metadata?.finalizers?.includes(FINALIZER_CLEANUP)) return done;
  try {
    ctx.store.deleteTaskData(namespace, name);
  } catch (error) {
    ctx.log.error(
      { task: `${namespace}/${name}`, err: errorMessage(error) },
      'could not delete the Task data from the store',
    );
  }
  if (task.status?.jobName) await deleteJob(ctx, namespace, task.status.jobName);
  await ctx.tasks.update(task, (fresh) => {
    const finalizers = fresh.metadata?.finalizers ?? [];
    if (!finalizers.includes(FINALIZER_CLEANUP)) return undefined;
    fresh.metadata = {
      ...fresh.metadata,
      finalizers: finalizers.filter((f) => f !== FINALIZER_CLEANUP),
    };
    return fresh;
  });
  ctx.wakeWaiting(namespace);
  if (task.spec.agentRef)
    ctx.touchAgent(task.spec.agentRef.namespace || namespace, task.spec.agentRef.name);
  return done;
}

async function reconcileTerminal(ctx: TaskReconcilerContext, task: Task): Promise<ReconcileAction> {
  const namespace = task.metadata?.namespace ?? '';
  const jobName = task.status?.jobName;
  if (task.status?.phase !== 'Succeeded' && jobName) {
    const job = ctx.caches.jobs.get(jobName, namespace);
    if ((job?.status?.active ?? 0) > 0) await deleteJob(ctx, namespace, jobName);
  }
  return done;
}

export async function reconcileTask(
  ctx: TaskReconcilerContext,
  key: string,
): Promise<ReconcileAction> {
  const { namespace, name } = splitKey(key);
  let task = ctx.caches.tasks.get(name, namespace);
  if (!task) return done;
  if (task.metadata?.deletionTimestamp) return cleanUp(ctx, task);
  if (isTerminal(task)) return reconcileTerminal(ctx, task);

  if (!task.metadata?.finalizers?.includes(FINALIZER_CLEANUP)) {
    const updated = await ctx.tasks.update(task, (fresh) => {
      const finalizers = fresh.metadata?.finalizers ?? [];
      if (fresh.metadata?.deletionTimestamp || finalizers.includes(FINALIZER_CLEANUP))
        return undefined;
      fresh.metadata = { ...fresh.metadata, finalizers: [...finalizers, FINALIZER_CLEANUP] };
      return fresh;
    });
    if (!updated) return done;
    task = updated;
  }
  if (!task.status?.phase) {
    const pending = await ctx.tasks.updateStatus(task, (fresh) => {
      if (fresh.status?.phase) return undefined;
      fresh.status = { ...fresh.status, phase: 'Pending' };
      return fresh;
    });
    if (!pending) return done;
    task = pending;
  }
  switch (task.status?.phase) {
    case 'Pending':
      return reconcilePending(ctx, task);
    case 'Running':
      return reconcileRunning(ctx, task);
    default:
      return done;
  }
}
