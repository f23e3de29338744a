// GitHub Copilot through @github/copilot-sdk, as the reference's Copilot worker drives it (§7.2):
// the SDK starts the Copilot CLI as a JSON-RPC server on stdio and one session carries the Task.
// Unlike the other runtimes this is an in-process client, so timeouts, the termination signal and
// redaction of what the CLI writes are enforced here instead of by runChild.
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, join, resolve } from 'node:path';
import type {
  AssistantMessageEvent,
  CopilotClient,
  CopilotSession,
  PermissionHandler,
  SessionConfig,
} from '@github/copilot-sdk';
import type { Redactor } from '../redact.ts';
import { COPILOT_DEFAULT_TIMEOUT_SECONDS, COPILOT_SHELL_TOOL } from './copilot.ts';
import type { InvocationInput } from './invocation.ts';
import type { RuntimeContext, RuntimeResult } from './run.ts';

const RUNTIME = 'copilot';
/**
 * How often the CLI is pinged while a turn runs: the SDK's sendAndWait only ends on session.idle,
 * session.error or its timeout, so a CLI that dies mid-turn would otherwise hold the run until the
 * Task's timeout (20 minutes by default).
 */
export const COPILOT_LIVENESS_INTERVAL_MS = 2000;

export type CopilotSessionSettings = Pick<
  SessionConfig,
  'model' | 'workingDirectory' | 'systemMessage' | 'availableTools' | 'excludedTools'
>;

/** Everything the SDK run is started with: a pure description, testable without a CLI. */
export interface CopilotSessionPlan {
  /** COPILOT_CLI_PATH or `copilot`, looked up on PATH when it has no slash */
  cliCommand: string;
  /** the CLI process's cwd: the workspace root (reference: client Cwd=/workspace) */
  clientWorkingDirectory: string;
  env: Record<string, string | undefined>;
  gitHubToken: string | undefined;
  session: CopilotSessionSettings;
  prompt: string;
  timeoutSeconds: number;
}

/**
 * The reference's session: model, working directory (workspace[/subPath]), the system prompt
 * appended to Copilot's own, allowedTools as the available tools and disallowedTools excluded.
 * Bash not allowed also excludes Copilot's shell tool: the reference ignores ORKA_ALLOW_BASH here,
 * but the worker obeys the effective values whatever the runtime (DESIGN §3), as the CLI mode does.
 */
export function copilotSessionPlan(
  { config, permissions, prompt }: InvocationInput,
  cwd: string,
  env: NodeJS.ProcessEnv,
): CopilotSessionPlan {
  const { agent } = config;
  const excluded = [...permissions.disallowedTools];
  if (!permissions.allowBash && !excluded.includes(COPILOT_SHELL_TOOL)) {
    excluded.push(COPILOT_SHELL_TOOL);
  }
  const session: CopilotSessionSettings = { workingDirectory: cwd };
  if (agent.model) session.model = agent.model;
  if (agent.systemPrompt) session.systemMessage = { mode: 'append', content: agent.systemPrompt };
  if (permissions.allowedTools.length > 0) session.availableTools = [...permissions.allowedTools];
  if (excluded.length > 0) session.excludedTools = excluded;
  return {
    cliCommand: agent.cliPaths.copilot,
    clientWorkingDirectory: config.paths.workspace,
    env: { ...env, HOME: config.paths.home },
    gitHubToken: env.GITHUB_TOKEN || undefined,
    session,
    prompt,
    timeoutSeconds: agent.timeoutSeconds || COPILOT_DEFAULT_TIMEOUT_SECONDS,
  };
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;

/** Reference §7.2: assistant content > summaryContent > result.detailedContent > result.content. */
export function copilotResultText(data: unknown): string {
  if (!isRecord(data)) return '';
  const result = isRecord(data.result) ? data.result : {};
  for (const candidate of [
    data.content,
    data.summaryContent,
    result.detailedContent,
    result.content,
  ]) {
    if (typeof candidate === 'string' && candidate !== '') return candidate;
  }
  return '';
}

/** The reference approves every permission request the CLI asks about (seed 002 names the risk). */
export const approveEveryRequest: PermissionHandler = () => ({ kind: 'approve-once' });

/** A command with a slash is a path (relative to the worker's cwd); otherwise it is found on PATH. */
export async function findExecutable(
  command: string,
  searchPath: string | undefined,
): Promise<string | undefined> {
  const executable = (path: string) =>
    access(path, constants.X_OK).then(
      () => true,
      () => false,
    );
  if (command.includes('/')) {
    const path = resolve(command);
    return (await executable(path)) ? path : undefined;
  }
  for (const dir of (searchPath ?? '').split(delimiter)) {
    if (dir === '') continue;
    const path = join(dir, command);
    if (await executable(path)) return path;
  }
  return undefined;
}

/**
 * The SDK copies every line the CLI writes on stderr to process.stderr itself, outside the
 * worker's redacted tee; while the session runs those writes are redacted too.
 */
function redactProcessStderr(redactor: Redactor): () => void {
  const original = process.stderr.write;
  const redacting = (chunk: unknown, ...rest: unknown[]): boolean => {
    const text =
      typeof chunk === 'string'
        ? redactor.redact(chunk)
        : chunk instanceof Uint8Array
          ? redactor.redact(Buffer.from(chunk).toString('utf8'))
          : chunk;
    return (original as (...args: unknown[]) => boolean).call(process.stderr, text, ...rest);
  };
  process.stderr.write = redacting as typeof process.stderr.write;
  return () => {
    process.stderr.write = original;
  };
}

class RunStopped extends Error {}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Rejects with RunStopped when the run must end from outside the session: the timeout, the
 * worker's termination signal, or a CLI that no longer answers.
 */
function stopConditions(
  client: CopilotClient,
  timeoutSeconds: number,
  signal: AbortSignal,
): { stopped: Promise<never>; watchLiveness: () => void; dispose: () => void } {
  let fail: (error: RunStopped) => void = () => {};
  const stopped = new Promise<never>((_, reject) => {
    fail = reject;
  });
  stopped.catch(() => {});
  const timer = setTimeout(
    () => fail(new RunStopped(`${RUNTIME} timed out after ${timeoutSeconds}s`)),
    timeoutSeconds * 1000,
  );
  const onAbort = () =>
    fail(new RunStopped(`${RUNTIME} was stopped: the worker received a termination signal`));
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  let liveness: NodeJS.Timeout | undefined;
  return {
    stopped,
    watchLiveness: () => {
      liveness = setInterval(() => {
        client.ping().catch((error: unknown) => {
          fail(
            new RunStopped(
              `${RUNTIME} failed: the Copilot CLI stopped answering: ${messageOf(error)}`,
            ),
          );
        });
      }, COPILOT_LIVENESS_INTERVAL_MS);
    },
    dispose: () => {
      clearTimeout(timer);
      clearInterval(liveness);
      signal.removeEventListener('abort', onAbort);
    },
  };
}

/**
 * The SDK's sendAndWait semantics (the last assistant message once the session is idle; a
 * session.error fails the turn) without its own timer, which would keep the worker alive after a
 * run that ended otherwise; the run's deadline is stopConditions'.
 */
function turnEnd(
  session: CopilotSession,
  onMessage: (content: string) => void,
): Promise<AssistantMessageEvent | undefined> {
  const ended = new Promise<AssistantMessageEvent | undefined>((resolve, reject) => {
    let last: AssistantMessageEvent | undefined;
    session.on((event) => {
      if (event.type === 'assistant.message') {
        last = event;
        if (event.data.content) onMessage(event.data.content);
      } else if (event.type === 'session.idle' && event.data.mode !== 'autopilot') {
        resolve(last);
      } else if (event.type === 'session.error') {
        reject(new Error(event.data.message));
      }
    });
  });
  ended.catch(() => {});
  return ended;
}

export async function runCopilotSdk(
  input: InvocationInput,
  context: RuntimeContext,
): Promise<RuntimeResult> {
  const plan = copilotSessionPlan(input, context.cwd, context.env);
  const cliPath = await findExecutable(plan.cliCommand, context.env.PATH);
  if (!cliPath) {
    return {
      output: '',
      error: `${RUNTIME} could not be started: no executable Copilot CLI at "${plan.cliCommand}" (set COPILOT_CLI_PATH or put copilot on PATH)`,
    };
  }
  // Loaded only for this runtime: the SDK and its JSON-RPC stack are not needed by other runs.
  const { CopilotClient, RuntimeConnection } = await import('@github/copilot-sdk');
  const { log, tee } = context;
  log.info(`starting ${RUNTIME} through the Copilot SDK (${cliPath})`);
  const restoreStderr = redactProcessStderr(log.redactor);
  const client = new CopilotClient({
    connection: RuntimeConnection.forStdio({ path: cliPath }),
    workingDirectory: plan.clientWorkingDirectory,
    env: plan.env,
    ...(plan.gitHubToken ? { gitHubToken: plan.gitHubToken } : {}),
  });
  const stop = stopConditions(client, plan.timeoutSeconds, context.signal);
  let lastContent = '';
  let succeeded = false;
  try {
    try {
      await Promise.race([client.start(), stop.stopped]);
    } catch (error) {
      if (error instanceof RunStopped) throw error;
      throw new RunStopped(`${RUNTIME} could not be started: ${messageOf(error)}`);
    }
    stop.watchLiveness();
    const session = await Promise.race([
      client.createSession({ ...plan.session, onPermissionRequest: approveEveryRequest }),
      stop.stopped,
    ]);
    const turn = turnEnd(session, (content) => {
      lastContent = content;
      tee.stdout.write(log.redactor.redact(`${content}\n`));
    });
    await Promise.race([session.send({ prompt: plan.prompt }), stop.stopped]);
    const reply = await Promise.race([turn, stop.stopped]);
    succeeded = true;
    return { output: copilotResultText(reply?.data) };
  } catch (error) {
    const reason =
      error instanceof RunStopped ? error.message : `${RUNTIME} failed: ${messageOf(error)}`;
    return { output: lastContent, error: log.redactor.redact(reason) };
  } finally {
    stop.dispose();
    if (succeeded) {
      for (const problem of await client.stop()) log.warn(`copilot: ${problem.message}`);
    } else {
      await client.forceStop();
    }
    restoreStderr();
  }
}
