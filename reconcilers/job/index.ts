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
export { durationSecondsOf, wholeSeconds } from './duration.ts';
export { resultEndpoint, SANDBOX_VARIABLES } from './env.ts';
export { WorkerJobError } from './errors.ts';
export { workerJobName } from './name.ts';
export {
  type ResolvedSandboxWorkspace,
  resolveSandboxWorkspace,
  sandboxWorkspaceProblem,
} from './sandbox.ts';
export { VOLUME_NAMES } from './volumes.ts';
