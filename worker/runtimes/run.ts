// Starts the selected runtime in the workspace and turns its run into the agent's output: a CLI as a
// child process, or the Copilot SDK session (ORKA_COPILOT_MODE=sdk).
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { WorkerConfig } from '../config.ts';
import type { Logger } from '../log.ts';
import type { Permissions } from '../permissions.ts';
import { type ChildOutcome, describeFailure, runChild } from '../process.ts';
import { claudeInvocation } from './claude.ts';
import {
  codexApiKeyEnv,
  codexInvocation,
  namespaceDenied,
  userNamespacesUnavailable,
} from './codex.ts';
import { copilotInvocation } from './copilot.ts';
import { runCopilotSdk } from './copilot-sdk.ts';
import type { Invocation, InvocationInput } from './invocation.ts';

export interface RuntimeContext {
  config: WorkerConfig;
  permissions: Permissions;
  prompt: string;
  cwd: string;
  /** the worker's environment plus the git credentials for the agent's own git use */
  env: NodeJS.ProcessEnv;
  log: Logger;
  tee: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream };
  signal: AbortSignal;
}

export interface RuntimeResult {
  /** the agent's answer: the runtime's result file, else its stdout (partial on failure) */
  output: string;
  /** set when the run failed; the output is still kept */
  error?: string;
}

export async function runRuntime(context: RuntimeContext): Promise<RuntimeResult> {
  const { config, permissions, prompt } = context;
  const input: InvocationInput = { config, permissions, prompt };
  switch (config.runtime) {
    case 'claude':
      return runOnce(claudeInvocation(input), context);
    case 'copilot':
      context.log.info(`copilot: max turns ${permissions.maxTurns} (Copilot has no turn limit)`);
      if (config.agent.copilotMode === 'sdk') return runCopilotSdk(input, context);
      return runOnce(copilotInvocation(input), context);
    case 'codex':
      return runCodex(input, context);
  }
}

async function runCodex(input: InvocationInput, context: RuntimeContext): Promise<RuntimeResult> {
  const setting = input.config.agent.codex.disableSandbox;
  let bypass = setting ?? false;
  if (setting === undefined && input.config.agent.codex.sandboxMode === 'workspace-write') {
    bypass = await userNamespacesUnavailable();
    if (bypass)
      context.log.warn('user namespaces are unavailable: running Codex without its sandbox');
  }
  const first = await runOnce(codexInvocation(input, bypass), context);
  if (
    !first.error ||
    bypass ||
    setting === false ||
    !namespaceDenied(`${first.output}\n${first.error}`)
  ) {
    return first;
  }
  context.log.warn('the Codex sandbox was refused user namespaces: retrying without it');
  return runOnce(codexInvocation(input, true), context);
}

async function runOnce(invocation: Invocation, context: RuntimeContext): Promise<RuntimeResult> {
  for (const file of invocation.files) {
    await mkdir(dirname(file.path), { recursive: true });
    await writeFile(file.path, file.content, { mode: 0o600 });
  }
  if (invocation.resultFile) await rm(invocation.resultFile, { force: true });
  const env: NodeJS.ProcessEnv = { ...context.env, ...invocation.env };
  if (invocation.runtime === 'codex') Object.assign(env, codexApiKeyEnv(env));
  context.log.info(`starting ${invocation.runtime} (${invocation.command})`);
  const outcome: ChildOutcome = await runChild({
    command: invocation.command,
    args: invocation.args,
    cwd: context.cwd,
    env,
    ...(invocation.stdin !== undefined ? { stdin: invocation.stdin } : {}),
    timeoutSeconds: invocation.timeoutSeconds,
    tee: context.tee,
    redactor: context.log.redactor,
    signal: context.signal,
  });
  const fromFile = invocation.resultFile
    ? await readFile(invocation.resultFile, 'utf8').catch(() => undefined)
    : undefined;
  const output = fromFile ?? outcome.stdout;
  const succeeded = outcome.exitCode === 0 && !outcome.timedOut && !outcome.aborted;
  if (succeeded) return { output };
  return { output, error: describeFailure(invocation.runtime, outcome, invocation.timeoutSeconds) };
}
