// What it takes to start one runtime CLI: a pure description, built from the config, so the exact
// argv of every runtime and permission combination is testable without starting anything.
import type { AgentRuntime } from '../../reconcilers/job/constants.ts';
import type { WorkerConfig } from '../config.ts';
import type { Permissions } from '../permissions.ts';

export interface Invocation {
  runtime: AgentRuntime;
  command: string;
  args: string[];
  /** written to the child's stdin, then closed */
  stdin?: string;
  /** added to the worker's environment for the child */
  env: Record<string, string>;
  /** files the runtime reads, written (0600) before it starts */
  files: { path: string; content: string }[];
  /** when this file exists after the run, its contents are the result (else stdout) */
  resultFile?: string;
  /** 0 = no limit */
  timeoutSeconds: number;
}

export interface InvocationInput {
  config: WorkerConfig;
  permissions: Permissions;
  /** the prompt with any prior conversation already folded in (worker/session.ts) */
  prompt: string;
}
