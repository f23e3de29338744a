// A namespace's slot snapshot from the caches: who holds a slot and who waits for one.

import type { V1Job } from '@kubernetes/client-node';
import { ANNOTATION_TRANSACTION_TOKEN_PENDING } from '../../resources/labels.ts';
import type { Agent, Task } from '../../resources/types.ts';
import { workerJobName } from '../job/index.ts';
import { findCondition } from '../runtime/conditions.ts';
import type { Informer } from '../runtime/informer.ts';
import { CONDITIONS, REASONS } from './messages.ts';
import type { SlotCandidate } from './slots.ts';

export const DEFAULT_PRIORITY = 500;

export function candidateOf(task: Task): SlotCandidate {
  const candidate: SlotCandidate = {
    name: task.metadata?.name ?? '',
    priority: task.spec.priority ?? DEFAULT_PRIORITY,
    createdAt: String(task.metadata?.creationTimestamp ?? ''),
  };
  if (task.spec.sessionRef) candidate.session = task.spec.sessionRef.name;
  return candidate;
}

/** The Job of the Task's current attempt exists: the Task already took its slot. */
export function hasCurrentJob(task: Task, jobs: Informer<V1Job>): boolean {
  const { name, namespace, uid } = task.metadata ?? {};
  if (!name || !namespace || !uid) return false;
  return jobs.get(workerJobName(name, uid, task.status?.attempts ?? 0), namespace) !== undefined;
}

function waitsForRetry(task: Task): boolean {
  return (
    findCondition(task.status?.conditions, CONDITIONS.scheduled)?.reason === REASONS.retryDelay
  );
}

/** Could run as soon as it gets a slot: not deleting, its Agent known, no gate closed. */
function readyToRun(task: Task, agents: Informer<Agent>): boolean {
  if (task.metadata?.deletionTimestamp) return false;
  if (task.spec.type !== 'agent' || !task.spec.agentRef) return false;
  if (task.metadata?.annotations?.[ANNOTATION_TRANSACTION_TOKEN_PENDING] === 'true') return false;
  if (waitsForRetry(task)) return false;
  const namespace = task.spec.agentRef.namespace || task.metadata?.namespace;
  return agents.get(task.spec.agentRef.name, namespace) !== undefined;
}

export interface NamespaceSlots {
  occupied: number;
  waiting: SlotCandidate[];
}

export function namespaceSlots(
  namespace: string,
  self: Task,
  caches: { tasks: Informer<Task>; agents: Informer<Agent>; jobs: Informer<V1Job> },
): NamespaceSlots {
  let occupied = 0;
  const waiting: SlotCandidate[] = [];
  const selfName = self.metadata?.name;
  for (const task of caches.tasks.list(namespace)) {
    if (task.metadata?.name === selfName) continue;
    const phase = task.status?.phase ?? '';
    if (phase === 'Running') occupied++;
    else if (phase === 'Pending' || phase === '') {
      if (hasCurrentJob(task, caches.jobs)) occupied++;
      else if (readyToRun(task, caches.agents)) waiting.push(candidateOf(task));
    }
  }
  waiting.push(candidateOf(self));
  return { occupied, waiting };
}
