// metav1.Condition lists as Kubernetes keeps them: one entry per type, lastTransitionTime moved
// only when the status changes.
import type { Condition } from '../../resources/types.ts';

export interface ConditionUpdate {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
}

export function findCondition(
  conditions: readonly Condition[] | undefined,
  type: string,
): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

/** A new list with `update` set; `now` becomes lastTransitionTime only on a status change. */
export function setCondition(
  conditions: readonly Condition[] | undefined,
  update: ConditionUpdate,
  now: string,
): Condition[] {
  const list = [...(conditions ?? [])];
  const at = list.findIndex((c) => c.type === update.type);
  const previous = at >= 0 ? list[at] : undefined;
  const next: Condition = {
    ...update,
    lastTransitionTime:
      previous && previous.status === update.status ? previous.lastTransitionTime : now,
  };
  if (at >= 0) list[at] = next;
  else list.push(next);
  return list;
}

export function removeCondition(
  conditions: readonly Condition[] | undefined,
  type: string,
): Condition[] {
  return (conditions ?? []).filter((c) => c.type !== type);
}

/** Whether the condition is already as `update` says (ignoring its transition time). */
export function conditionIs(
  conditions: readonly Condition[] | undefined,
  update: ConditionUpdate,
): boolean {
  const found = findCondition(conditions, update.type);
  return (
    found !== undefined &&
    found.status === update.status &&
    found.reason === update.reason &&
    found.message === update.message
  );
}
