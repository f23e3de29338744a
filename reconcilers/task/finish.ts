// Ending an attempt: completion (Succeeded or Failed, with the session transcript appended and
// the session lock released, reference §6.6 and §8.3) or a retry (reference §6.7).

import type { Task, TaskStatus } from '../../resources/types.ts';
import type { NewMessage } from '../../store/index.ts';
import { done, type ReconcileAction, requeueAfter } from '../runtime/action.ts';
import { kubeTime } from '../runtime/clock.ts';
import { removeCondition, setCondition } from '../runtime/conditions.ts';
import { errorMessage, isNotFound } from '../runtime/kube.ts';
import type { TaskReconcilerContext } from './context.ts';
import { CONDITIONS, REASONS } from './messages.ts';
import { retryDelayMs, shouldRetry } from './rules.ts';

const TERMINAL = new Set(['Succeeded', 'Failed', 'Cancelled']);

export function isTerminal(task: Task): boolean {
  return TERMINAL.has(task.status?.phase ?? '');
}

function nameOf(task: Task): { namespace: string; name: string } {
  return { namespace: task.metadata?.namespace ?? '', name: task.metadata?.name ?? '' };
}

/** Deletes a worker Job and its Pods (background propagation); a missing Job is fine. */
export async function deleteJob(ctx: TaskReconcilerContext, namespace: string, name: string) {
  try {
    await ctx.apis.batch.deleteNamespacedJob({ namespace, name, propagationPolicy: 'Background' });
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}

/**
 * The prompt and the result as the session's next two messages (reference §8.3), once: a restart
 * that completes the Task again finds them already there.
 */
function appendTranscript(ctx: TaskReconcilerContext, task: Task, resultAvailable: boolean) {
  const session = task.spec.sessionRef;
  if (!session || session.append === false) return;
  const { namespace, name } = nameOf(task);
  if (!ctx.store.sessions.get(namespace, session.name)) return;
  const created = task.metadata?.creationTimestamp ?? '';
  const already = ctx.store.sessions
    .loadTranscript(namespace, session.name, { maxMessages: 100 })
    .some((m) => m.taskName === name && m.createdAt >= String(created));
  if (already) return;
  const messages: NewMessage[] = [];
  const prompt = task.spec.prompt || task.spec.ai?.prompt || '';
  if (prompt) messages.push({ role: 'user', content: prompt, taskName: name });
  const result = resultAvailable ? ctx.store.results.get(namespace, name) : undefined;
  if (result)
    messages.push({ role: 'assistant', content: result.data.toString('utf8'), taskName: name });
  if (messages.length > 0) ctx.store.sessions.appendMessages(namespace, session.name, messages);
}

/** Ends the Task in `phase` with `message`; the Job is deleted when it may still be running. */
export async function complete(
  ctx: TaskReconcilerContext,
  task: Task,
  phase: 'Succeeded' | 'Failed',
  message: string,
): Promise<ReconcileAction> {
  const { namespace, name } = nameOf(task);
  const available = ctx.store.results.has(namespace, name);
  appendTranscript(ctx, task, available);
  if (task.spec.sessionRef) ctx.store.locks.release(namespace, task.spec.sessionRef.name, name);
  const now = kubeTime(ctx.clock.now());
  const written = await ctx.tasks.updateStatus(task, (fresh) => {
    if (isTerminal(fresh)) return undefined;
    const status: TaskStatus = fresh.status ?? {};
    status.phase = phase;
    status.message = message;
    status.completionTime = now;
    status.resultRef = { available };
    status.conditions = setCondition(
      removeCondition(status.conditions, CONDITIONS.scheduled),
      {
        type: CONDITIONS.complete,
        status: phase === 'Succeeded' ? 'True' : 'False',
        reason: phase === 'Succeeded' ? REASONS.succeeded : REASONS.failed,
        message,
      },
      now,
    );
    fresh.status = status;
    return fresh;
  });
  if (!written) return done;
  if (phase === 'Failed' && task.status?.jobName) {
    await deleteJob(ctx, namespace, task.status.jobName);
  }
  const reason = phase === 'Succeeded' ? REASONS.succeeded : REASONS.failed;
  await ctx.events.record(written, phase === 'Succeeded' ? 'Normal' : 'Warning', reason, message);
  ctx.wakeWaiting(namespace);
  if (task.spec.agentRef) {
    ctx.touchAgent(task.spec.agentRef.namespace || namespace, task.spec.agentRef.name);
  }
  return done;
}

/** Another attempt after the retry delay if the policy allows one, else Failed with `message`. */
export async function retryOrFail(
  ctx: TaskReconcilerContext,
  task: Task,
  message: string,
): Promise<ReconcileAction> {
  if (!shouldRetry(task)) return complete(ctx, task, 'Failed', message);
  const { namespace } = nameOf(task);
  const delay = retryDelayMs(task);
  const attempts = task.status?.attempts ?? 0;
  const now = kubeTime(ctx.clock.now());
  const note = `attempt ${attempts} failed (${message}); next attempt in ${Math.ceil(delay / 1000)}s`;
  const written = await ctx.tasks.updateStatus(task, (fresh) => {
    if (fresh.status?.phase !== 'Running' || fresh.status.jobName !== task.status?.jobName) {
      return undefined;
    }
    const { jobName: _job, completionTime: _end, resultRef: _result, ...kept } = fresh.status;
    fresh.status = {
      ...kept,
      phase: 'Pending',
      message: '',
      // Removed first so the transition time is now: the next attempt waits from here.
      conditions: setCondition(
        removeCondition(kept.conditions, CONDITIONS.scheduled),
        { type: CONDITIONS.scheduled, status: 'False', reason: REASONS.retryDelay, message: note },
        now,
      ),
    };
    return fresh;
  });
  if (!written) return done;
  if (task.status?.jobName) {
    try {
      await deleteJob(ctx, namespace, task.status.jobName);
    } catch (error) {
      ctx.log.warn(
        { task: `${namespace}/${task.metadata?.name}`, err: errorMessage(error) },
        'could not delete the failed Job',
      );
    }
  }
  await ctx.events.record(written, 'Warning', REASONS.retrying, note);
  return requeueAfter(delay);
}
