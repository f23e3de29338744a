// A controller against the Kubernetes API stand-in: CRDs installed, a store in a temporary file,
// an adjustable clock, and helpers to create Agents and Tasks and to play the Job controller.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ApiextensionsV1Api,
  BatchV1Api,
  CoreV1Api,
  CustomObjectsApi,
  type V1Job,
  Watch,
} from '@kubernetes/client-node';
import { policyConfigFromFlags } from '../../../policy/chain/config.ts';
import {
  type RunningController,
  silentLogger,
  startController,
} from '../../../reconcilers/index.ts';
import type { WorkerJobConfig } from '../../../reconcilers/job/index.ts';
import type { Clock } from '../../../reconcilers/runtime/clock.ts';
import { buildCrd } from '../../../resources/crd.ts';
import { KINDS } from '../../../resources/kinds.ts';
import type { Agent, Task } from '../../../resources/types.ts';
import { openStore, type Store } from '../../../store/index.ts';
import { componentKubeConfig, startStandinWithChartRbac } from '../../helpers/chart-rbac.ts';
import { eventually } from '../../helpers/eventually.ts';
import type { KubeStandin } from '../../kube/index.ts';

/** Set ORKA_TEST_LOG=1 to see the controller's logs while a test runs. */
const consoleLogger = {
  debug: (fields: object, message: string) => console.error('debug', message, fields),
  info: (fields: object, message: string) => console.error('info', message, fields),
  warn: (fields: object, message: string) => console.error('warn', message, fields),
  error: (fields: object, message: string) => console.error('error', message, fields),
};

export const GROUP = 'core.orka.ai';
export const VERSION = 'v1alpha1';

export function jobConfig(overrides: Partial<WorkerJobConfig> = {}): WorkerJobConfig {
  return {
    images: {
      claude: 'worker-claude:test',
      codex: 'worker-codex:test',
      copilot: 'worker-copilot:test',
    },
    controllerUrl: 'http://orka-api.orka-system.svc:8080',
    controllerNamespace: 'orka-system',
    codexSandboxMode: '',
    sandbox: {
      enabled: false,
      routerUrl: '',
      defaultTemplate: '',
      warmPoolPolicy: 'disabled',
      namespaceStrategy: 'task',
      claimTimeoutSeconds: 0,
      commandTimeoutSeconds: 0,
      cleanupPolicy: 'delete',
    },
    ...overrides,
  };
}

/** Real timers, with a `now` that tests can move forward. */
export class ShiftedClock implements Clock {
  offsetMs = 0;
  now(): number {
    return Date.now() + this.offsetMs;
  }
  setTimeout(callback: () => void, ms: number) {
    const id = setTimeout(callback, Math.max(0, ms));
    id.unref();
    return { id };
  }
  clearTimeout(handle: { id: unknown }) {
    clearTimeout(handle.id as NodeJS.Timeout);
  }
}

export async function installCrds(standin: KubeStandin): Promise<void> {
  const api = standin.kubeConfig.makeApiClient(ApiextensionsV1Api);
  for (const info of KINDS) {
    await api.createCustomResourceDefinition({ body: buildCrd(info) as never });
  }
}

/** Creates an Agent with a Claude runtime, and whatever else `spec` gives it. */
export async function createAgent(
  custom: CustomObjectsApi,
  namespace: string,
  name: string,
  spec: Record<string, unknown> = {},
): Promise<Agent> {
  return (await custom.createNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    namespace,
    plural: 'agents',
    body: {
      apiVersion: `${GROUP}/${VERSION}`,
      kind: 'Agent',
      metadata: { name, namespace },
      spec: { runtime: { type: 'claude' }, ...spec },
    },
  })) as Agent;
}

export interface ControllerFlags {
  maxTasksPerNamespace?: number;
  agentSandboxEnabled?: boolean;
  watchNamespace?: string;
}

export class Fixture {
  readonly core: CoreV1Api;
  readonly batch: BatchV1Api;
  readonly custom: CustomObjectsApi;
  readonly clock = new ShiftedClock();
  controller!: RunningController;
  store!: Store;
  private dir = '';
  private readonly watches: AbortController[] = [];

  private constructor(readonly standin: KubeStandin) {
    this.core = standin.kubeConfig.makeApiClient(CoreV1Api);
    this.batch = standin.kubeConfig.makeApiClient(BatchV1Api);
    this.custom = standin.kubeConfig.makeApiClient(CustomObjectsApi);
  }

  static async start(flags: ControllerFlags = {}): Promise<Fixture> {
    const standin = await startStandinWithChartRbac();
    await installCrds(standin);
    const fixture = new Fixture(standin);
    fixture.dir = mkdtempSync(join(tmpdir(), 'orka-reconcilers-'));
    fixture.store = openStore(join(fixture.dir, 'orka.db'));
    await fixture.startController(flags);
    return fixture;
  }

  async startController(flags: ControllerFlags = {}): Promise<void> {
    const policyConfig = policyConfigFromFlags({
      'max-tasks-per-namespace': flags.maxTasksPerNamespace ?? 0,
      'agent-sandbox-enabled': flags.agentSandboxEnabled ?? false,
    });
    this.controller = await startController({
      // As its ServiceAccount: what the chart's RBAC does not grant is refused.
      kubeConfig: componentKubeConfig(this.standin),
      store: this.store,
      jobConfig: jobConfig(),
      policyConfig,
      log: process.env.ORKA_TEST_LOG ? consoleLogger : silentLogger,
      maxTasksPerNamespace: flags.maxTasksPerNamespace ?? 0,
      watchNamespace: flags.watchNamespace ?? '',
      clock: this.clock,
      queueBaseDelayMs: 20,
      queueMaxDelayMs: 500,
      resyncMs: 0,
    });
  }

  async stop(): Promise<void> {
    for (const watch of this.watches) watch.abort();
    await this.controller.stop();
    await this.standin.stop();
    this.store.close();
    rmSync(this.dir, { recursive: true, force: true });
  }

  async namespace(name: string): Promise<void> {
    await this.core.createNamespace({ body: { metadata: { name } } });
  }

  createAgent(namespace: string, name: string, spec: Record<string, unknown> = {}): Promise<Agent> {
    return createAgent(this.custom, namespace, name, spec);
  }

  async createTask(
    namespace: string,
    name: string,
    spec: Record<string, unknown> = {},
  ): Promise<Task> {
    return (await this.custom.createNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace,
      plural: 'tasks',
      body: {
        apiVersion: `${GROUP}/${VERSION}`,
        kind: 'Task',
        metadata: { name, namespace },
        spec: { type: 'agent', agentRef: { name: 'coder' }, prompt: 'fix the tests', ...spec },
      },
    })) as Task;
  }

  async task(namespace: string, name: string): Promise<Task | undefined> {
    try {
      return (await this.custom.getNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace,
        plural: 'tasks',
        name,
      })) as Task;
    } catch {
      return undefined;
    }
  }

  async agent(namespace: string, name: string): Promise<Agent> {
    return (await this.custom.getNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace,
      plural: 'agents',
      name,
    })) as Agent;
  }

  /** Waits until the Task satisfies `check`; returns it. */
  async waitForTask(
    namespace: string,
    name: string,
    check: (task: Task) => boolean,
    what: string,
  ): Promise<Task> {
    let last: Task | undefined;
    return eventually(
      () => `${namespace}/${name}: ${what} (last status: ${JSON.stringify(last?.status)})`,
      async () => {
        last = await this.task(namespace, name);
        return last && check(last) ? last : undefined;
      },
    );
  }

  waitForPhase(namespace: string, name: string, phase: string): Promise<Task> {
    return this.waitForTask(namespace, name, (t) => t.status?.phase === phase, `phase ${phase}`);
  }

  async jobs(namespace: string): Promise<V1Job[]> {
    return (await this.batch.listNamespacedJob({ namespace })).items;
  }

  /** Plays the Job controller: writes the Job's status. */
  async setJobStatus(namespace: string, name: string, status: V1Job['status']): Promise<void> {
    const job = await this.batch.readNamespacedJob({ namespace, name });
    await this.batch.replaceNamespacedJobStatus({ namespace, name, body: { ...job, status } });
  }

  /** Records the names of the Jobs created in `namespace` from now on, in creation order. */
  async watchJobCreations(namespace: string): Promise<string[]> {
    const names: string[] = [];
    const request = await new Watch(this.standin.kubeConfig).watch(
      `/apis/batch/v1/namespaces/${namespace}/jobs`,
      {},
      (type, job: V1Job) => {
        if (type === 'ADDED' && job.metadata?.name) names.push(job.metadata.name);
      },
      () => {},
    );
    this.watches.push(request);
    return names;
  }
}

export const JOB_SUCCEEDED: V1Job['status'] = {
  succeeded: 1,
  conditions: [{ type: 'Complete', status: 'True' }],
};
export const JOB_FAILED: V1Job['status'] = {
  failed: 1,
  conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' }],
};
