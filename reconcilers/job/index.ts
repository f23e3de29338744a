// The worker Job builder (reconcilers/job): one pure function and the facts it is built from.
export { buildWorkerJob } from './build.ts';
export {
  defaultControllerUrl,
  type SandboxCleanupPolicy,
  type SandboxNamespaceStrategy,
  type SandboxSettings,
  type SandboxWarmPoolPolicy,
  type WorkerJobConfig,
} from './config.ts';
export * from './constants.ts';
export { goDurationSeconds, wholeSeconds } from './duration.ts';
export {
  PARENT_TASK_ANNOTATION,
  PARENT_TASK_LABEL,
  resultEndpoint,
  SANDBOX_VARIABLES,
  TRANSACTION_TOKEN_SECRET_ANNOTATION,
} from './env.ts';
export { WorkerJobError } from './errors.ts';
export {
  AUTH_PROFILE_LABEL,
  TASK_LABEL,
  TASK_TYPE_LABEL,
  TRANSACTION_ID_LABEL,
  WORKER_TYPE_LABEL,
} from './metadata.ts';
export { workerJobName } from './name.ts';
export {
  type ResolvedSandboxWorkspace,
  resolveSandboxWorkspace,
  sandboxWorkspaceProblem,
} from './sandbox.ts';
export { VOLUME_NAMES } from './volumes.ts';
