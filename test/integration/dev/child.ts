// `node bin/orka dev ...` as a child process: stdout and stderr collected, a promise for the
// `orka dev ready` line (rejected with the stderr tail if the process exits first), and its exit.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ORKA = fileURLToPath(new URL('../../../bin/orka', import.meta.url));
export const READY_LINE = 'orka dev ready';

export interface DevChild {
  process: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves once stdout carried the ready line. */
  ready: Promise<void>;
  /** Resolves with the exit code (null when killed by a signal) and the signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends a signal and waits for the exit. */
  stop(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * `orka dev` flags for a run against a stand-in: `kubeconfig`, loopback, ports the system picks,
 * the store in `dir`.
 */
export function localDevArgs(kubeconfig: string, dir: string): string[] {
  return [
    '--kubeconfig',
    kubeconfig,
    '--host',
    '127.0.0.1',
    '--webhook-port',
    '0',
    '--api-port',
    '0',
    '--store-path',
    join(dir, 'orka.db'),
  ];
}

export function startDevChild(args: string[], env: Record<string, string> = {}): DevChild {
  const child = spawn(process.execPath, [ORKA, 'dev', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
  });
  const exited = once(child, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  const ready = new Promise<void>((resolve, reject) => {
    const check = () => {
      if (out.split('\n').includes(READY_LINE)) resolve();
    };
    child.stdout.on('data', check);
    void exited.then(({ code, signal }) =>
      reject(
        new Error(
          `orka dev exited (code ${code}, signal ${signal}) before it was ready; stderr:\n${err.slice(-4000)}`,
        ),
      ),
    );
  });
  return {
    process: child,
    stdout: () => out,
    stderr: () => err,
    ready,
    exited,
    async stop(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
