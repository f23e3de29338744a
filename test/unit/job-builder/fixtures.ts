// Tasks, Agents and a controller configuration for the Job builder tests.
import type { V1Container, V1EnvVar, V1Job, V1PodSpec } from '@kubernetes/client-node';
import type { WorkerJobConfig } from '../../../reconcilers/job/index.ts';
import { applyDefaults } from '../../../resources/defaults.ts';
import type { Agent, Task } from '../../../resources/types.ts';

export const TASK_UID = '12345678-aaaa-bbbb-cccc-1234567890ab';

export const config: WorkerJobConfig = {
  images: {
    claude: 'registry.test/worker-claude:1',
    codex: 'registry.test/worker-codex:1',
    copilot: 'registry.test/worker-copilot:1',
  },
  controllerUrl: 'http://orka-api.orka-system.svc:8080',
  controllerNamespace: 'orka-system',
  ttlSecondsAfterFinished: 600,
  codexSandboxMode: '',
  sandbox: {
    enabled: false,
    routerUrl: '',
    defaultTemplate: '',
    warmPoolPolicy: 'disabled',
    namespaceStrategy: 'task',
    claimTimeoutSeconds: 120,
    commandTimeoutSeconds: 1800,
    cleanupPolicy: 'delete',
  },
};

export const sandboxConfig: WorkerJobConfig = {
  ...config,
  sandbox: { ...config.sandbox, enabled: true },
};

/** A defaulted agent Task named refactor-task in team-a, with `spec` merged over a minimal one. */
export function makeTask(
  spec: Record<string, unknown> = {},
  metadata: Record<string, unknown> = {},
  status?: Record<string, unknown>,
): Task {
  return applyDefaults({
    apiVersion: 'core.orka.ai/v1alpha1',
    kind: 'Task',
    metadata: { name: 'refactor-task', namespace: 'team-a', uid: TASK_UID, ...metadata },
    spec: {
      type: 'agent',
      agentRef: { name: 'claude-agent' },
      prompt: 'Refactor main.go',
      ...spec,
    },
    ...(status ? { status } : {}),
  }) as Task;
}

/** A defaulted claude Agent named claude-agent in team-a, with `spec` merged over a minimal one. */
export function makeAgent(spec: Record<string, unknown> = {}): Agent {
  return applyDefaults({
    apiVersion: 'core.orka.ai/v1alpha1',
    kind: 'Agent',
    metadata: { name: 'claude-agent', namespace: 'team-a' },
    spec: { runtime: { type: 'claude' }, ...spec },
  }) as Agent;
}

export function podOf(job: V1Job): V1PodSpec {
  return job.spec!.template.spec!;
}

export function workerOf(job: V1Job): V1Container {
  return podOf(job).containers[0]!;
}

export function envOf(job: V1Job): V1EnvVar[] {
  return workerOf(job).env ?? [];
}

/** The worker's literal env values by name (the last one wins, as in Kubernetes). */
export function envMap(job: V1Job): Record<string, string | undefined> {
  return Object.fromEntries(envOf(job).map((variable) => [variable.name, variable.value]));
}

export function envNames(job: V1Job): string[] {
  return envOf(job).map((variable) => variable.name);
}
