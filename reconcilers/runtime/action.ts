// What a reconcile asks of the work queue next, as kube-rs's Action: nothing, a run after a
// fixed delay, or a run after the key's growing backoff.

export type ReconcileAction =
  | { readonly type: 'done' }
  | { readonly type: 'requeueAfter'; readonly ms: number }
  | { readonly type: 'backoff' };

export const done: ReconcileAction = { type: 'done' };
export const backoff: ReconcileAction = { type: 'backoff' };
export const requeueAfter = (ms: number): ReconcileAction => ({
  type: 'requeueAfter',
  ms: Math.max(0, Math.ceil(ms)),
});
