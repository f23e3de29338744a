// The sandbox wrapper of reference §7.6 / seed 001 (claim an agent-sandbox workspace and re-run
// this worker inside it) is not built yet. A Task that asks for one must not silently run in the
// plain worker Pod instead, so the request fails loudly.
import type { Env } from './config.ts';
import { NotImplementedError, WorkerConfigError } from './errors.ts';

export const SANDBOX_NOT_IMPLEMENTED =
  'sandbox workspaces are not implemented yet in the worker (ORKA_AGENT_SANDBOX_ENABLED=true)';

export interface SandboxRequest {
  enabled: boolean;
  /** throws: recursion is a config error, anything else is not implemented */
  reject(): never;
}

export function sandboxRequest(env: Env): SandboxRequest {
  const enabled = (env.ORKA_AGENT_SANDBOX_ENABLED ?? '').trim().toLowerCase() === 'true';
  return {
    enabled,
    reject() {
      const depth = Number.parseInt(env.ORKA_AGENT_SANDBOX_DEPTH ?? '0', 10);
      if (depth > 0) {
        throw new WorkerConfigError(
          `agent sandbox recursion detected: ORKA_AGENT_SANDBOX_DEPTH=${env.ORKA_AGENT_SANDBOX_DEPTH}`,
        );
      }
      throw new NotImplementedError(SANDBOX_NOT_IMPLEMENTED);
    },
  };
}
