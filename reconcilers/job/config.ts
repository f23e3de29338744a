// What the Job builder needs from the controller's configuration: a plain value, filled from flags
// by the CLI and by hand in tests.
import type { AgentRuntime } from './constants.ts';

export type SandboxWarmPoolPolicy = 'disabled' | 'template';
export type SandboxNamespaceStrategy = 'task' | 'controller';
export type SandboxCleanupPolicy = 'delete' | 'retain';

export interface SandboxSettings {
  enabled: boolean;
  /** '' when the worker reaches sandboxes through a port-forward */
  routerUrl: string;
  /** '' when every Task must name its template */
  defaultTemplate: string;
  warmPoolPolicy: SandboxWarmPoolPolicy;
  namespaceStrategy: SandboxNamespaceStrategy;
  claimTimeoutSeconds: number;
  commandTimeoutSeconds: number;
  /** used when a Task's workspace request names no cleanupPolicy */
  cleanupPolicy: SandboxCleanupPolicy;
}

export interface WorkerJobConfig {
  /** worker image per agent runtime */
  images: Record<AgentRuntime, string>;
  /** base URL workers use for the controller's internal API (results, session transcripts) */
  controllerUrl: string;
  /** the namespace the controller runs in (sandbox namespace strategy `controller`) */
  controllerNamespace: string;
  /** Job ttlSecondsAfterFinished; undefined leaves finished Jobs until their Task is deleted */
  ttlSecondsAfterFinished?: number;
  /** ORKA_CODEX_SANDBOX_MODE for codex workers; '' sets nothing */
  codexSandboxMode: string;
  sandbox: SandboxSettings;
}

/** The in-cluster address of the controller's API Service (DESIGN §7 and §11). */
export function defaultControllerUrl(controllerNamespace: string): string {
  return `http://orka-api.${controllerNamespace}.svc:8080`;
}
