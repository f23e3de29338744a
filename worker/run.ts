// `orka worker --runtime <type>`: the agent lifecycle of reference §7.3. Config errors exit 2 with
// nothing submitted; every later failure is submitted as the Task's result (redacted) and exits 1,
// so the Job fails and the user can read why.
import { access, mkdir, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiClient, ApiError, serviceAccountToken } from './api-client.ts';
import { uploadArtifacts } from './artifacts.ts';
import { type Env, loadWorkerConfig, type WorkerConfig } from './config.ts';
import { gitCredentialEnv, readGitCredentials } from './credentials.ts';
import { NotImplementedError, WorkerConfigError, WorkerRunError } from './errors.ts';
import {
  ARTIFACTS_LINK,
  applyDiff,
  cloneWorkspace,
  collectChanges,
  commitAndPush,
  Git,
} from './git.ts';
import { createLogger, type Logger } from './log.ts';
import { effectivePermissions } from './permissions.ts';
import { Redactor, readSmallFile, secretEnvValues, secretFileValues } from './redact.ts';
import {
  failureText,
  parseStructuredResult,
  STRUCTURED_RESULT_VERSION,
  type StructuredResult,
  truncateSummary,
} from './result.ts';
import { assertCodexRunnable } from './runtimes/codex.ts';
import { runRuntime } from './runtimes/run.ts';
import { sandboxEnabled } from './sandbox/settings.ts';
import { composePrompt, readTranscript, SESSION_TRANSCRIPT_FILE } from './session.ts';

export interface WorkerStreams {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: Env;
}

const PRIOR_PATCH_FILE = 'orka-prior.patch';

/** Every value the worker knows to be secret: credential env, mounted Secrets, tokens. */
async function knownSecrets(env: Env, config: Pick<WorkerConfig, 'paths'>): Promise<Redactor> {
  const tokenFiles = [config.paths.serviceAccountToken, env.ORKA_TRANSACTION_TOKEN_FILE];
  const fromTokenFiles: string[] = [];
  for (const path of tokenFiles) {
    const value = path ? await readSmallFile(path) : undefined;
    if (value) fromTokenFiles.push(value);
  }
  return new Redactor([
    ...secretEnvValues(env),
    ...(await secretFileValues(config.paths.secrets)),
    ...fromTokenFiles,
  ]);
}

export async function runWorker(runtimeFlag: string, streams: WorkerStreams): Promise<number> {
  const { env } = streams;
  // the outer worker of a sandbox workspace neither validates the prompt nor clones (§7.6)
  // Loaded only here: the sandbox client pulls in @kubernetes/client-node, which costs every
  // other worker seconds of start-up.
  if (sandboxEnabled(env)) {
    return (await import('./sandbox/run.ts')).runInSandbox(runtimeFlag, streams);
  }
  const log = createLogger(streams.stderr);
  let config: WorkerConfig;
  try {
    config = loadWorkerConfig(env, runtimeFlag);
  } catch (error) {
    if (!(error instanceof WorkerConfigError) && !(error instanceof NotImplementedError)) {
      throw error;
    }
    log.warn(error.message);
    return 2;
  }

  const credentials = await readGitCredentials(config.paths.secrets);
  const credentialEnv = await gitCredentialEnv(credentials, join(config.paths.tmp, 'orka-git'));
  const redactor = await knownSecrets({ ...env, ...credentialEnv }, config);
  log.setRedactor(redactor);

  const aborter = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    log.warn(`received ${signal}: stopping the agent`);
    aborter.abort();
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);

  const client = new ApiClient({
    token: serviceAccountToken(config.paths.serviceAccountToken, env.ORKA_SA_TOKEN),
    attempts: config.api.attempts,
    retryDelayMs: config.api.retryDelayMs,
    log,
  });
  try {
    const processEnv: NodeJS.ProcessEnv = { ...env, ...credentialEnv };
    const outcome = await runAgent(config, processEnv, log, streams, aborter.signal, client);
    const body = Buffer.from(redactor.redact(outcome.result));
    let submitted = true;
    if (body.length === 0) {
      // the API refuses empty results; an agent that answered nothing has nothing to store
      log.warn('the agent produced no output: no result submitted');
    } else {
      try {
        await client.submitResult(config.api.resultEndpoint!, body);
        log.info(`result submitted (${body.length} bytes)`);
      } catch (error) {
        submitted = false;
        log.warn(`result not submitted: ${(error as Error).message}`);
      }
    }
    await uploadArtifacts({
      dir: config.paths.artifacts,
      client,
      controllerUrl: config.api.controllerUrl,
      task: config.task,
      redact: (text) => redactor.redact(text),
      log,
    });
    const { namespace, name } = config.task;
    if (outcome.error) {
      log.warn(`Task ${namespace}/${name} failed: ${outcome.error}`);
      return 1;
    }
    if (!submitted) return 1;
    log.info(`Task ${namespace}/${name} completed successfully${transactionNote(env)}`);
    return 0;
  } finally {
    process.removeListener('SIGTERM', onSignal);
    process.removeListener('SIGINT', onSignal);
  }
}

function transactionNote(env: Env): string {
  const parts: string[] = [];
  if (env.ORKA_TRANSACTION_ID) parts.push(`transactionID="${env.ORKA_TRANSACTION_ID}"`);
  if (env.ORKA_TRANSACTION_PROFILE) {
    parts.push(`contextTokenProfile="${env.ORKA_TRANSACTION_PROFILE}"`);
  }
  return parts.length ? ` ${parts.join(' ')}` : '';
}

interface AgentOutcome {
  result: string;
  error?: string;
}

async function runAgent(
  config: WorkerConfig,
  processEnv: NodeJS.ProcessEnv,
  log: Logger,
  streams: WorkerStreams,
  signal: AbortSignal,
  client: ApiClient,
): Promise<AgentOutcome> {
  const { paths, workspace } = config;
  const git = new Git(paths.workspace, processEnv, log);
  let baseSHA: string | undefined;
  let output = '';
  let error: string | undefined;
  try {
    const permissions = effectivePermissions(config.agent);
    if (config.runtime === 'codex') assertCodexRunnable(permissions);
    if (workspace.gitRepo) {
      log.info(
        `cloning ${workspace.gitRepo}${workspace.branch ? ` (branch ${workspace.branch})` : ''}`,
      );
      await cloneWorkspace(git, paths.workspace, {
        repo: workspace.gitRepo,
        branch: workspace.branch,
        ref: workspace.ref,
      });
      baseSHA = await git.head();
      await applyPriorDiff(config, git, client, log, baseSHA);
    } else {
      await mkdir(paths.workspace, { recursive: true });
    }
    await linkArtifacts(config);
    const cwd = workspace.subPath ? join(paths.workspace, workspace.subPath) : paths.workspace;
    await access(cwd).catch(() => {
      throw new WorkerRunError(
        `ORKA_WORKSPACE_SUBPATH "${workspace.subPath}" does not exist in the repository`,
      );
    });
    const prompt = await promptWithHistory(config, log);
    const run = await runRuntime({
      config,
      permissions,
      prompt,
      cwd,
      env: processEnv,
      log,
      tee: { stdout: streams.stdout, stderr: streams.stderr },
      signal,
    });
    output = run.output;
    error = run.error;
  } catch (caught) {
    const expected =
      caught instanceof WorkerRunError ||
      caught instanceof NotImplementedError ||
      caught instanceof ApiError;
    if (!expected) throw caught;
    error = caught.message;
  }
  if (baseSHA === undefined) {
    return error ? { result: failureText(error, output), error } : { result: output };
  }
  return finalise(config, git, baseSHA, output, error, log);
}

async function applyPriorDiff(
  config: WorkerConfig,
  git: Git,
  client: ApiClient,
  log: Logger,
  headSHA: string,
): Promise<void> {
  const prior = config.priorTask;
  if (!prior) return;
  const stored = await client.taskResult(config.api.controllerUrl!, prior);
  const structured = parseStructuredResult(stored);
  if (!structured?.diff) {
    log.info(`prior task ${prior.namespace}/${prior.name} has no diff to apply`);
    return;
  }
  if (structured.baseSHA && structured.baseSHA !== headSHA) {
    log.warn(
      `prior task ${prior.name} started from ${structured.baseSHA}, this checkout is ${headSHA}`,
    );
  }
  await applyDiff(git, structured.diff, join(config.paths.tmp, PRIOR_PATCH_FILE));
  log.info(`applied the diff of prior task ${prior.namespace}/${prior.name}`);
}

async function linkArtifacts(config: WorkerConfig): Promise<void> {
  const { artifacts, workspace } = config.paths;
  await mkdir(artifacts, { recursive: true });
  const link = join(workspace, ARTIFACTS_LINK);
  await rm(link, { force: true });
  await symlink(artifacts, link);
}

async function promptWithHistory(config: WorkerConfig, log: Logger): Promise<string> {
  if (!config.sessionName) return config.agent.prompt;
  const transcript = await readTranscript(join(config.paths.session, SESSION_TRANSCRIPT_FILE));
  if (transcript.skippedLines.length > 0) {
    log.warn(`session transcript lines ${transcript.skippedLines.join(', ')} are not messages`);
  }
  log.info(`session ${config.sessionName}: ${transcript.messages.length} prior messages`);
  return composePrompt(config.agent.prompt, transcript.messages);
}

async function finalise(
  config: WorkerConfig,
  git: Git,
  baseSHA: string,
  output: string,
  runError: string | undefined,
  log: Logger,
): Promise<AgentOutcome> {
  let error = runError;
  const changes = await collectChanges(git, baseSHA);
  const result: StructuredResult = {
    version: STRUCTURED_RESULT_VERSION,
    summary: '',
    baseSHA,
    headSHA: await git.head(),
  };
  if (changes.diff) {
    result.diff = changes.diff;
    result.files = changes.files;
  }
  const branch = config.workspace.pushBranch;
  // a failed run is reported with its diff but never pushed
  if (branch && !error) {
    let pushError: string | undefined;
    if (!changes.diff) pushError = `ORKA_PUSH_BRANCH=${branch} but no workspace diff was produced`;
    else {
      try {
        result.headSHA = await commitAndPush(git, { branch, forkRepo: config.workspace.forkRepo });
        result.pushBranch = branch;
        log.info(`pushed ${branch} (${result.headSHA})`);
      } catch (caught) {
        pushError = `failed to push to ${branch}: ${(caught as Error).message}`;
      }
    }
    if (pushError) {
      result.pushError = pushError;
      if (config.workspace.requirePushBranch) error = pushError;
      else log.warn(pushError);
    }
  }
  result.summary = truncateSummary(error ? failureText(error, output) : output);
  return { result: JSON.stringify(result), ...(error ? { error } : {}) };
}
