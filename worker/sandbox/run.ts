// The outer worker of a sandbox workspace (reference §7.6, seed 001): claim an agent-sandbox
// workspace, wait for it, stage this worker's bundle and the token files, run the worker inside
// with recursion disabled, then scrub the tokens and delete or retain the claim. The inner worker
// clones, runs the agent and submits the result itself.
import { readFile } from 'node:fs/promises';
import { posix } from 'node:path';
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import type { AgentRuntime } from '../../reconcilers/job/constants.ts';
import { serviceAccountToken } from '../api-client.ts';
import { type Env, selectRuntime, workerPaths } from '../config.ts';
import { ASKPASS_SCRIPT, readGitCredentials } from '../credentials.ts';
import { NotImplementedError, WorkerConfigError } from '../errors.ts';
import { createLogger, type Logger } from '../log.ts';
import { Redactor, secretEnvValues } from '../redact.ts';
import { type Claim, SandboxClaims } from './claims.ts';
import { SandboxRouter } from './router.ts';
import {
  commandString,
  ENV_FILE_PREFIX,
  envFileText,
  innerArgv,
  planStaging,
  type StagingPlan,
  shellQuote,
  TOKEN_FILE_VARIABLES,
} from './script.ts';
import {
  cleanupAction,
  type SandboxSettings,
  sandboxSettings,
  sessionClaimName,
} from './settings.ts';

/** Where the worker images keep the single-file bundle (images/worker-*.Dockerfile). */
export const DEFAULT_WORKER_BUNDLE = '/opt/orka/orka-worker.mjs';
export const PORT_FORWARD_NOT_IMPLEMENTED =
  'agent sandbox port-forward mode is not implemented: set ORKA_AGENT_SANDBOX_ROUTER_URL (the controller flag --agent-sandbox-router-url) to use the router';
/** Upstream caps what the command API's error report quotes of the output. */
export const MAX_REPORTED_OUTPUT_BYTES = 2000;

export interface SandboxStreams {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: Env;
}

export interface SandboxDeps {
  /** the Kubernetes API: in a Pod its in-cluster config, else KUBECONFIG */
  claims?: SandboxClaims;
}

interface Prepared {
  settings: SandboxSettings;
  runtime: AgentRuntime;
  plan: StagingPlan;
  redactor: Redactor;
  routerUrl: string;
}

async function readTokenFiles(env: Env): Promise<Map<string, string>> {
  const contents = new Map<string, string>();
  for (const [variable] of TOKEN_FILE_VARIABLES) {
    const path = env[variable]?.trim();
    if (!path || contents.has(path)) continue;
    const text = (await readFile(path, 'utf8').catch(() => ''))?.trim();
    if (text) contents.set(path, text);
  }
  return contents;
}

/** Everything decided before a claim exists; a WorkerConfigError or NotImplementedError exits 2. */
async function prepare(runtimeFlag: string, env: Env): Promise<Prepared> {
  const settings = sandboxSettings(env);
  const runtime = selectRuntime(runtimeFlag, env);
  if (!settings.routerUrl) throw new NotImplementedError(PORT_FORWARD_NOT_IMPLEMENTED);
  const bundlePath = env.ORKA_WORKER_BUNDLE?.trim() || DEFAULT_WORKER_BUNDLE;
  const workerBundle = await readFile(bundlePath).catch((error: NodeJS.ErrnoException) => {
    throw new WorkerConfigError(
      `ORKA_WORKER_BUNDLE ${bundlePath}: cannot read the worker bundle to stage (${error.code ?? error.message})`,
    );
  });
  const paths = workerPaths(env);
  const saToken = await serviceAccountToken(paths.serviceAccountToken, env.ORKA_SA_TOKEN)();
  // The inner worker cannot see the outer's mounted git Secret: its token travels in the env.
  const git = await readGitCredentials(paths.secrets);
  const outerEnv: Record<string, string | undefined> = { ...env };
  if (git) {
    outerEnv.GIT_TOKEN = git.token;
    outerEnv.GITHUB_TOKEN = git.token;
    if (git.username) outerEnv.GIT_USERNAME = git.username;
  }
  const tokenFiles = await readTokenFiles(env);
  const plan = planStaging({
    env: outerEnv,
    appDir: settings.appDir,
    depth: settings.depth,
    workerBundle,
    serviceAccountToken: saToken,
    tokenFiles,
    askpassScript: ASKPASS_SCRIPT,
  });
  const redactor = new Redactor([
    ...secretEnvValues(outerEnv),
    ...(saToken ? [saToken] : []),
    ...tokenFiles.values(),
  ]);
  return { settings, runtime, plan, redactor, routerUrl: settings.routerUrl };
}

function defaultClaims(): SandboxClaims {
  const config = new KubeConfig();
  config.loadFromDefault();
  return new SandboxClaims(config.makeApiClient(CustomObjectsApi));
}

function truncated(text: string): { text: string; truncated: boolean } {
  const bytes = Buffer.from(text);
  if (bytes.length <= MAX_REPORTED_OUTPUT_BYTES) return { text, truncated: false };
  return {
    text: bytes.subarray(0, MAX_REPORTED_OUTPUT_BYTES).toString('utf8'),
    truncated: true,
  };
}

export function commandFailure(
  runtime: string,
  exitCode: number,
  stdout: string,
  stderr: string,
): string {
  const out = truncated(stdout);
  const err = truncated(stderr);
  return `${runtime} sandbox execution failed: exec: CommandFailed: command exited with code ${exitCode} (stdout=${out.text}; stdout_truncated=${out.truncated}; stderr=${err.text}; stderr_truncated=${err.truncated})`;
}

/** `orka worker` with ORKA_AGENT_SANDBOX_ENABLED=true: 0 when the inner worker succeeded. */
export async function runInSandbox(
  runtimeFlag: string,
  streams: SandboxStreams,
  deps: SandboxDeps = {},
): Promise<number> {
  const log = createLogger(streams.stderr);
  let prepared: Prepared;
  try {
    prepared = await prepare(runtimeFlag, streams.env);
  } catch (error) {
    if (!(error instanceof WorkerConfigError) && !(error instanceof NotImplementedError)) {
      throw error;
    }
    log.warn(error.message);
    return 2;
  }
  log.setRedactor(prepared.redactor);
  const { settings } = prepared;
  const claims = deps.claims ?? defaultClaims();
  const claimName = sessionClaimName({
    claimNamespace: settings.claimNamespace,
    taskNamespace: settings.task.namespace,
    templateNamespace: settings.templateNamespace,
    templateName: settings.templateName,
    reusePolicy: settings.reusePolicy,
    reuseKey: settings.reuseKey,
  });
  const claimDeadline = () => Date.now() + settings.claimTimeoutSeconds * 1000;
  let claim: Claim;
  try {
    claim = await claims.claim({
      namespace: settings.claimNamespace,
      templateName: settings.templateName,
      claimName,
      warmPool: settings.warmPool,
    });
  } catch (error) {
    log.warn(`claim agent sandbox workspace: ${(error as Error).message}`);
    return 1;
  }
  log.info(
    `${claim.reused ? 'reattached to' : 'claimed'} sandbox workspace ${claim.namespace}/${claim.name} (template ${settings.templateNamespace}/${settings.templateName})`,
  );
  let sandboxName: string;
  try {
    sandboxName = await claims.waitReady(claim, claimDeadline());
  } catch (error) {
    log.warn(`wait for agent sandbox workspace: ${(error as Error).message}`);
    if (!claim.reused) await claims.delete(claim).catch(() => undefined);
    return 1;
  }
  const router = new SandboxRouter({
    routerUrl: prepared.routerUrl,
    sandboxName,
    namespace: claim.namespace,
  });
  const envFile = `${ENV_FILE_PREFIX}${process.hrtime.bigint()}`;
  try {
    return await execute(prepared, router, envFile, streams, log, claim);
  } finally {
    await cleanup(prepared, router, claims, claim, envFile, log);
  }
}

async function execute(
  prepared: Prepared,
  router: SandboxRouter,
  envFile: string,
  streams: SandboxStreams,
  log: Logger,
  claim: Claim,
): Promise<number> {
  const { settings, plan, runtime, redactor } = prepared;
  try {
    for (const file of plan.files) await router.upload(file.name, file.content);
    await router.upload(envFile, Buffer.from(envFileText(plan.innerEnv)));
  } catch (error) {
    log.warn(`stage the worker in the sandbox: ${(error as Error).message}`);
    return 1;
  }
  const workdir = workerPaths(plan.innerEnv).workspace;
  const argv = innerArgv(plan, settings.appDir, ['worker', '--runtime', runtime]);
  const command = commandString(posix.join(settings.appDir, envFile), workdir, argv);
  let result: Awaited<ReturnType<SandboxRouter['run']>>;
  try {
    result = await router.run(command, settings.commandTimeoutSeconds * 1000);
  } catch (error) {
    log.warn(`${runtime} sandbox execution failed: ${(error as Error).message}`);
    return 1;
  }
  const stdout = redactor.redact(result.stdout);
  const stderr = redactor.redact(result.stderr);
  streams.stdout.write(stdout);
  streams.stderr.write(stderr);
  const { namespace, name } = settings.task;
  if (result.exitCode !== 0) {
    log.warn(commandFailure(runtime, result.exitCode, stdout, stderr));
    return 1;
  }
  log.info(`Task ${namespace}/${name} completed in sandbox workspace ${claim.name}`);
  return 0;
}

/** Cleanup failures are warnings: the run's outcome is already decided. */
async function cleanup(
  prepared: Prepared,
  router: SandboxRouter,
  claims: SandboxClaims,
  claim: Claim,
  envFile: string,
  log: Logger,
): Promise<void> {
  const { settings, plan } = prepared;
  const { action, warning } = cleanupAction(settings.cleanupPolicy);
  if (warning) log.warn(warning);
  const timeoutMs = settings.claimTimeoutSeconds * 1000;
  try {
    if (action === 'delete') {
      await claims.delete(claim);
      log.info(`deleted sandbox workspace ${claim.namespace}/${claim.name}`);
      return;
    }
    const leftovers = [...plan.tokenPaths, posix.join(settings.appDir, envFile)];
    const scrub = await router.run(`rm -f ${leftovers.map(shellQuote).join(' ')}`, timeoutMs);
    if (scrub.exitCode !== 0) {
      log.warn(`scrub staged token files: exit code ${scrub.exitCode}: ${scrub.stderr.trim()}`);
    }
    log.info(`retained sandbox workspace ${claim.namespace}/${claim.name}`);
  } catch (error) {
    log.warn(`sandbox cleanup (${action}): ${(error as Error).message}`);
  }
}
