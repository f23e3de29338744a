// Task reconciler throughput against the Kubernetes API stand-in: Tasks turned into Jobs per
// second for 1,000 Tasks (baseline: the same number of raw Job creates through the client, same
// concurrency), and the memory an informer needs to cache 10,000 Tasks (baseline: their JSON).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchV1Api, CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { policyConfigFromFlags } from '../policy/chain/config.ts';
import { startController } from '../reconcilers/index.ts';
import { Informer } from '../reconcilers/runtime/informer.ts';
import { silentLogger } from '../reconcilers/runtime/logger.ts';
import type { Task } from '../resources/types.ts';
import { openStore } from '../store/index.ts';
import { installCrds, jobConfig } from '../test/integration/reconcilers/harness.ts';
import { startKubeStandin } from '../test/kube/index.ts';
import type { BenchRow } from './harness.ts';

const TASKS = Number(process.env.ORKA_BENCH_TASKS || 1000);
const CACHED_TASKS = 10_000;
const CONCURRENCY = 50;
const GROUP = { group: 'core.orka.ai', version: 'v1alpha1' };

async function inParallel(count: number, run: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < count) await run(next++);
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
}

/** Lets pending work finish and collects garbage twice, so heap figures compare. */
async function settleHeap(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setTimeout(r, 50));
    global.gc?.();
  }
}

const taskBody = (name: string) => ({
  apiVersion: 'core.orka.ai/v1alpha1',
  kind: 'Task',
  metadata: { name },
  spec: { type: 'agent', agentRef: { name: 'coder' }, prompt: `task ${name}` },
});

export default async function reconcilerBench(): Promise<BenchRow[]> {
  const standin = await startKubeStandin();
  const dir = mkdtempSync(join(tmpdir(), 'orka-reconciler-bench-'));
  const store = openStore(join(dir, 'orka.db'));
  try {
    await installCrds(standin);
    const core = standin.kubeConfig.makeApiClient(CoreV1Api);
    const batch = standin.kubeConfig.makeApiClient(BatchV1Api);
    const custom = standin.kubeConfig.makeApiClient(CustomObjectsApi);
    for (const name of ['bench', 'baseline', 'cache']) {
      await core.createNamespace({ body: { metadata: { name } } });
    }
    await custom.createNamespacedCustomObject({
      ...GROUP,
      namespace: 'bench',
      plural: 'agents',
      body: {
        apiVersion: 'core.orka.ai/v1alpha1',
        kind: 'Agent',
        metadata: { name: 'coder' },
        spec: { runtime: { type: 'claude' } },
      },
    });

    const baselineStart = performance.now();
    await inParallel(TASKS, (i) =>
      batch.createNamespacedJob({
        namespace: 'baseline',
        body: {
          metadata: { name: `job-${i}` },
          spec: {
            backoffLimit: 0,
            template: {
              spec: { restartPolicy: 'Never', containers: [{ name: 'w', image: 'worker' }] },
            },
          },
        },
      }),
    );
    const baselineRate = TASKS / ((performance.now() - baselineStart) / 1000);

    const controller = await startController({
      kubeConfig: standin.kubeConfig,
      store,
      jobConfig: jobConfig(),
      policyConfig: policyConfigFromFlags({}),
      log: silentLogger,
      taskWorkers: 16,
      resyncMs: 0,
    });
    const start = performance.now();
    await inParallel(TASKS, (i) =>
      custom.createNamespacedCustomObject({
        ...GROUP,
        namespace: 'bench',
        plural: 'tasks',
        body: taskBody(`t-${i}`),
      }),
    );
    for (;;) {
      const jobs = controller.caches.jobs.list('bench').length;
      const running = controller.caches.tasks
        .list('bench')
        .filter((t) => t.status?.phase === 'Running').length;
      if (jobs >= TASKS && running >= TASKS) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const rate = TASKS / ((performance.now() - start) / 1000);
    await controller.stop();

    // Written straight into the stand-in's store: 10,000 HTTP creates would time the stand-in.
    const tasksType = standin.cluster.registry.get('core.orka.ai', 'tasks');
    if (!tasksType) throw new Error('the Task CRD is not served');
    for (let i = 0; i < CACHED_TASKS; i++) {
      await standin.cluster.create(
        {
          user: { username: 'kubernetes-admin', groups: ['system:masters'] },
          type: tasksType,
          version: 'v1alpha1',
          namespace: 'cache',
          subresource: '',
          dryRun: false,
          warnings: [],
        },
        { ...taskBody(`c-${i}`), metadata: { name: `c-${i}`, namespace: 'cache' } },
      );
    }
    const jsonBytes = Buffer.byteLength(
      JSON.stringify(
        await custom.listNamespacedCustomObject({ ...GROUP, namespace: 'cache', plural: 'tasks' }),
      ),
    );
    await settleHeap();
    const before = process.memoryUsage();
    const informer = new Informer<Task>({
      name: 'bench-tasks',
      kubeConfig: standin.kubeConfig,
      path: '/apis/core.orka.ai/v1alpha1/namespaces/cache/tasks',
      list: () =>
        custom.listNamespacedCustomObject({ ...GROUP, namespace: 'cache', plural: 'tasks' }),
      log: silentLogger,
      resyncMs: 0,
    });
    await informer.start();
    await settleHeap();
    const after = process.memoryUsage();
    const cached = informer.list().length;
    informer.stop();
    return [
      {
        name: `reconciler: ${TASKS} Tasks → Jobs (Running)`,
        value: Math.round(rate),
        unit: 'Tasks/s',
        baseline: {
          name: `raw Job creates, ${CONCURRENCY} in flight`,
          value: Math.round(baselineRate),
        },
        note: 'each Task: finalizer update, Pending and Running status writes, Job create, Event',
      },
      {
        name: `informer: heap growth with ${cached} Tasks cached`,
        value: (after.heapUsed - before.heapUsed) / 1024 / 1024,
        unit: 'MiB',
        baseline: { name: 'their JSON list size', value: jsonBytes / 1024 / 1024 },
        note: `RSS ${Math.round(before.rss / 1024 / 1024)} → ${Math.round(after.rss / 1024 / 1024)} MiB, stand-in in the same process${global.gc ? '' : '; run node with --expose-gc for a steadier figure'}`,
      },
    ];
  } finally {
    store.close();
    await standin.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
