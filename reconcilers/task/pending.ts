// A Pending Task (reference §6.6 Pending steps, with DESIGN §6 decisions): gates, Agent, re-check,
// then a slot and the session lock by priority, then the worker Job and the Running status.
import type { V1Job } from '@kubernetes/client-node';
import {
  ANNOTATION_TRANSACTION_TOKEN_PENDING,
  ANNOTATION_TRANSACTION_TOKEN_PENDING_SINCE,
} from '../../resources/labels.ts';
import type { Agent, Task } from '../../resources/types.ts';
import { SessionNotFoundError } from '../../store/index.ts';
import { buildWorkerJob, sandboxWorkspaceProblem, WorkerJobError } from '../job/index.ts';
import { backoff, done, type ReconcileAction, requeueAfter } from '../runtime/action.ts';
import { kubeTime } from '../runtime/clock.ts';
import {
  type ConditionUpdate,
  conditionIs,
  findCondition,
  setCondition,
} from '../runtime/conditions.ts';
import { errorMessage, isPermanent, statusCode } from '../runtime/kube.ts';
import { hasCurrentJob, namespaceSlots } from './candidates.ts';
import type { TaskReconcilerContext } from './context.ts';
import { complete } from './finish.ts';
import { CONDITIONS, MESSAGES, REASONS } from './messages.ts';
import { retryDelayMs, timeRemainingMs, tokenGate } from './rules.ts';
import { decideSlot } from './slots.ts';

/** Sets a condition (and records an Event when it changes); the Task keeps waiting. */
async function waitWith(
  ctx: TaskReconcilerContext,
  task: Task,
  condition: ConditionUpdate,
  eventType: 'Normal' | 'Warning',
): Promise<ReconcileAction> {
  if (conditionIs(task.status?.conditions, condition)) return backoff;
  const now = kubeTime(ctx.clock.now());
  const written = await ctx.tasks.updateStatus(task, (fresh) => {
    const phase = fresh.status?.phase ?? '';
    if (phase !== 'Pending' && phase !== '') return undefined;
    if (conditionIs(fresh.status?.conditions, condition)) return undefined;
    fresh.status = {
      ...fresh.status,
      phase: 'Pending',
      conditions: setCondition(fresh.status?.conditions, condition, now),
    };
    return fresh;
  });
  if (written) await ctx.events.record(written, eventType, condition.reason, condition.message);
  return backoff;
}

async function transactionGate(
  ctx: TaskReconcilerContext,
  task: Task,
): Promise<ReconcileAction | undefined> {
  const annotations = task.metadata?.annotations ?? {};
  const gate = tokenGate(
    annotations[ANNOTATION_TRANSACTION_TOKEN_PENDING],
    annotations[ANNOTATION_TRANSACTION_TOKEN_PENDING_SINCE],
    ctx.clock.now(),
  );
  switch (gate.state) {
    case 'open':
      return undefined;
    case 'wait':
      return requeueAfter(gate.ms);
    case 'start-clock': {
      const since = new Date(ctx.clock.now()).toISOString();
      await ctx.tasks.update(task, (fresh) => {
        const current = fresh.metadata?.annotations ?? {};
        if (current[ANNOTATION_TRANSACTION_TOKEN_PENDING] !== 'true') return undefined;
        fresh.metadata = {
          ...fresh.metadata,
          annotations: { ...current, [ANNOTATION_TRANSACTION_TOKEN_PENDING_SINCE]: since },
        };
        return fresh;
      });
      return requeueAfter(1000);
    }
    case 'timed-out':
      await ctx.events.record(
        task,
        'Warning',
        REASONS.tokenPendingTimeout,
        MESSAGES.tokenPendingTimeout,
      );
      return complete(ctx, task, 'Failed', MESSAGES.tokenPendingTimeout);
  }
}

function agentOf(
  ctx: TaskReconcilerContext,
  task: Task,
): { name: string; namespace: string; agent?: Agent } | undefined {
  const ref = task.spec.agentRef;
  if (!ref) return undefined;
  const namespace = ref.namespace || task.metadata?.namespace || '';
  return { name: ref.name, namespace, agent: ctx.caches.agents.get(ref.name, namespace) };
}

export async function reconcilePending(
  ctx: TaskReconcilerContext,
  task: Task,
): Promise<ReconcileAction> {
  if (task.spec.type === 'ai') return complete(ctx, task, 'Failed', MESSAGES.aiNotSupported);
  const gated = await transactionGate(ctx, task);
  if (gated) return gated;

  const reference = agentOf(ctx, task);
  if (reference && !reference.agent) {
    return waitWith(
      ctx,
      task,
      {
        type: CONDITIONS.agentFound,
        status: 'False',
        reason: REASONS.agentNotFound,
        message: MESSAGES.agentNotFound(reference.name, reference.namespace),
      },
      'Warning',
    );
  }
  const agent = reference?.agent;
  const broken = ctx.recheck(task, agent);
  if (broken) return complete(ctx, task, 'Failed', broken);
  const sandboxProblem = sandboxWorkspaceProblem(task, ctx.jobConfig);
  if (sandboxProblem) return complete(ctx, task, 'Failed', sandboxProblem);

  const retry = findCondition(task.status?.conditions, CONDITIONS.scheduled);
  if (retry?.reason === REASONS.retryDelay) {
    const left = Date.parse(retry.lastTransitionTime) + retryDelayMs(task) - ctx.clock.now();
    if (left > 0) return requeueAfter(left);
  }

  const namespace = task.metadata?.namespace ?? '';
  const name = task.metadata?.name ?? '';
  if (!hasCurrentJob(task, ctx.caches.jobs)) {
    const slots = namespaceSlots(namespace, task, ctx.caches);
    const decision = decideSlot(
      {
        namespace,
        limit: ctx.maxTasksPerNamespace,
        occupied: slots.occupied,
        waiting: slots.waiting,
        sessionHolder: (session) => ctx.store.locks.holder(namespace, session)?.taskName,
      },
      name,
    );
    if (!decision.granted) {
      return waitWith(
        ctx,
        task,
        {
          type: CONDITIONS.scheduled,
          status: 'False',
          reason: decision.reason,
          message: decision.message,
        },
        'Normal',
      );
    }
  }
  return startAttempt(ctx, task, agent);
}

/** Takes the session lock, creates the attempt's Job (idempotently) and marks the Task Running. */
async function startAttempt(
  ctx: TaskReconcilerContext,
  cached: Task,
  agent: Agent | undefined,
): Promise<ReconcileAction> {
  const namespace = cached.metadata?.namespace ?? '';
  const name = cached.metadata?.name ?? '';
  // Decisions below name the Job after status.attempts: read it from the API, not the cache.
  const task = await ctx.tasks.get(namespace, name);
  const phase = task?.status?.phase ?? '';
  if (!task || task.metadata?.deletionTimestamp || (phase !== 'Pending' && phase !== ''))
    return done;

  const session = task.spec.sessionRef;
  if (session) {
    try {
      const lock = ctx.store.locks.acquire(namespace, session.name, name, {
        createSession: session.create ?? false,
      });
      if (!lock.acquired) {
        return waitWith(
          ctx,
          task,
          {
            type: CONDITIONS.scheduled,
            status: 'False',
            reason: 'WaitingForSession',
            message: lock.message,
          },
          'Normal',
        );
      }
    } catch (error) {
      if (error instanceof SessionNotFoundError)
        return complete(ctx, task, 'Failed', error.message);
      throw error;
    }
  }

  try {
    await ctx.workerRbac.ensure(namespace);
  } catch (error) {
    await ctx.events.record(task, 'Warning', REASONS.workerRbacFailed, errorMessage(error));
  }

  let job: V1Job;
  try {
    job = buildWorkerJob(task, agent, ctx.jobConfig);
  } catch (error) {
    if (error instanceof WorkerJobError) {
      return complete(ctx, task, 'Failed', MESSAGES.buildFailed(error.message));
    }
    throw error;
  }
  const jobName = job.metadata?.name ?? '';
  try {
    await ctx.apis.batch.createNamespacedJob({ namespace, body: job });
    ctx.metrics.jobsCreated.inc({ namespace });
  } catch (error) {
    // The Job of this attempt exists: an earlier run created it and stopped before the status.
    if (statusCode(error) !== 409) {
      if (isPermanent(error)) {
        return complete(ctx, task, 'Failed', MESSAGES.createFailed(errorMessage(error)));
      }
      throw error;
    }
  }
  ctx.crashPoint('after-job-create');

  const nowMs = ctx.clock.now();
  const now = kubeTime(nowMs);
  const attempts = task.status?.attempts ?? 0;
  const written = await ctx.tasks.updateStatus(task, (fresh) => {
    const current = fresh.status ?? {};
    if ((current.phase ?? '') !== 'Pending' && current.phase !== undefined) return undefined;
    if ((current.attempts ?? 0) !== attempts) return undefined;
    let conditions = setCondition(
      current.conditions,
      {
        type: CONDITIONS.jobCreated,
        status: 'True',
        reason: REASONS.jobCreated,
        message: `Job ${jobName} created`,
      },
      now,
    );
    conditions = setCondition(
      conditions,
      {
        type: CONDITIONS.scheduled,
        status: 'True',
        reason: REASONS.slotGranted,
        message: `attempt ${attempts + 1} started`,
      },
      now,
    );
    if (agent) {
      conditions = setCondition(
        conditions,
        {
          type: CONDITIONS.agentFound,
          status: 'True',
          reason: REASONS.agentFound,
          message: `agent "${agent.metadata?.name}" found`,
        },
        now,
      );
    }
    fresh.status = {
      ...current,
      phase: 'Running',
      message: '',
      startTime: now,
      attempts: attempts + 1,
      jobName,
      conditions,
    };
    return fresh;
  });
  ctx.crashPoint('after-status-write');
  if (!written) return done;
  await ctx.events.record(written, 'Normal', REASONS.jobCreated, `Job ${jobName} created`);
  if (cached.spec.agentRef)
    ctx.touchAgent(cached.spec.agentRef.namespace || namespace, cached.spec.agentRef.name);
  const left = timeRemainingMs(written, nowMs);
  return left !== undefined ? requeueAfter(left + 1000) : done;
}
