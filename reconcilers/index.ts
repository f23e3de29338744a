// The reconcilers module: the controller assembly and the pieces others reuse.

export { agentsReferencing, type ReferencedKind, referencedNames } from './agent/references.ts';
export { type AgentLookups, agentProblem, READY_MESSAGE } from './agent/validate.ts';
export { type ControllerOptions, type RunningController, startController } from './controller.ts';
export { ControllerMetrics, type MetricSources, type ReconcileResult } from './metrics.ts';
export { backoff, done, type ReconcileAction, requeueAfter } from './runtime/action.ts';
export { type Clock, systemClock } from './runtime/clock.ts';
export { Informer, keyOf, splitKey } from './runtime/informer.ts';
export { errorMessage } from './runtime/kube.ts';
export { type Logger, silentLogger } from './runtime/logger.ts';
export { WorkQueue, type WorkQueueOptions } from './runtime/queue.ts';
export type { CrashPoint } from './task/context.ts';
export { MESSAGES as TASK_MESSAGES } from './task/messages.ts';
export { createRecheck, REQUEST_FREE_BUILTINS } from './task/recheck.ts';
export { compareCandidates, decideSlot } from './task/slots.ts';
