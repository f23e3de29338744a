// Runs a runtime CLI as a child process in its own process group: output is collected and tee'd
// (redacted, line by line) to the worker's own streams, and a timeout or a signal to the worker
// ends the whole group, so tools the agent started do not outlive it.
import { spawn } from 'node:child_process';
import { LineRedactor, type Redactor } from './redact.ts';

export interface ChildRun {
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdin?: string;
  /** 0 = no limit */
  timeoutSeconds: number;
  tee: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream };
  redactor: Redactor;
  /** aborting (SIGTERM to the worker) ends the child's group as a timeout does */
  signal?: AbortSignal;
}

export interface ChildOutcome {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  aborted: boolean;
  /** the program could not be started (not found, not executable) */
  startError?: Error;
}

/** Time between SIGTERM and SIGKILL to the process group. */
export const KILL_GRACE_MS = 5000;

export function runChild(run: ChildRun): Promise<ChildOutcome> {
  return new Promise((resolve) => {
    const child = spawn(run.command, run.args, {
      cwd: run.cwd,
      env: run.env,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const stdout: string[] = [];
    const stderr: string[] = [];
    const teeOut = new LineRedactor(run.redactor, (text) => run.tee.stdout.write(text));
    const teeErr = new LineRedactor(run.redactor, (text) => run.tee.stderr.write(text));
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout.push(chunk);
      teeOut.write(chunk);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr.push(chunk);
      teeErr.write(chunk);
    });
    // a runtime that never reads stdin must not fail the run with EPIPE
    child.stdin.on('error', () => {});
    child.stdin.end(run.stdin ?? '');

    let timedOut = false;
    let aborted = false;
    let killTimer: NodeJS.Timeout | undefined;
    const endGroup = () => {
      signalGroup(child.pid, 'SIGTERM');
      killTimer ??= setTimeout(() => signalGroup(child.pid, 'SIGKILL'), KILL_GRACE_MS);
    };
    const timer =
      run.timeoutSeconds > 0
        ? setTimeout(() => {
            timedOut = true;
            endGroup();
          }, run.timeoutSeconds * 1000)
        : undefined;
    const onAbort = () => {
      aborted = true;
      endGroup();
    };
    run.signal?.addEventListener('abort', onAbort, { once: true });

    let startError: Error | undefined;
    let settled = false;
    const finish = (exitCode: number | null, signal: NodeJS.Signals | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(killTimer);
      run.signal?.removeEventListener('abort', onAbort);
      // the group may still hold children that ignored SIGTERM; they go with the run
      if (timedOut || aborted) signalGroup(child.pid, 'SIGKILL');
      teeOut.flush();
      teeErr.flush();
      resolve({
        exitCode,
        signal,
        stdout: stdout.join(''),
        stderr: stderr.join(''),
        timedOut,
        aborted,
        ...(startError ? { startError } : {}),
      });
    };
    child.on('error', (error) => {
      startError = error;
      // a program that never started has no 'close' to wait for
      if (child.pid === undefined) finish(null, null);
    });
    child.on('close', finish);
  });
}

function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is already gone
  }
}

/** One line saying why a run failed, as reference §7.2 words it: `<err>: <stderr>`. */
export function describeFailure(name: string, outcome: ChildOutcome, timeoutSeconds: number) {
  if (outcome.startError) return `${name} could not be started: ${outcome.startError.message}`;
  if (outcome.timedOut) return `${name} timed out after ${timeoutSeconds}s`;
  if (outcome.aborted) return `${name} was stopped: the worker received a termination signal`;
  const how =
    outcome.exitCode !== null
      ? `exit status ${outcome.exitCode}`
      : `killed by signal ${outcome.signal}`;
  const detail = outcome.stderr.trim();
  return `${name} failed: ${how}${detail ? `: ${detail}` : ''}`;
}
