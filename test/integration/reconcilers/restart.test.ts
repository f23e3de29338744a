// Restart safety: `orka controller` runs as a child process against the stand-in and SIGKILLs
// itself at injected points (after creating a Job but before recording it; after recording it).
// Each restart must pick up where the last one died: no Task lost, never a second Job for an
// attempt.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { startStandinWithChartRbac, writeComponentKubeconfig } from '../../helpers/chart-rbac.ts';
import { eventually } from '../../helpers/eventually.ts';
import type { KubeStandin } from '../../kube/index.ts';
import { createAgent, installCrds } from './harness.ts';

const ORKA = fileURLToPath(new URL('../../../bin/orka', import.meta.url));
const GROUP = { group: 'core.orka.ai', version: 'v1alpha1' };

interface Run {
  child: ChildProcess;
  ready: Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr: () => string;
}

function runController(kubeconfig: string, storePath: string, crashAt?: string): Run {
  const env: NodeJS.ProcessEnv = { ...process.env, ORKA_LOG_LEVEL: 'info' };
  delete env.ORKA_TEST_CRASH_AT;
  if (crashAt) env.ORKA_TEST_CRASH_AT = crashAt;
  const child = spawn(
    process.execPath,
    [
      ORKA,
      'controller',
      '--kubeconfig',
      kubeconfig,
      '--store-path',
      storePath,
      '--api-port',
      '0',
      '--health-port',
      '0',
      '--bind-address',
      '127.0.0.1',
    ],
    { env, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let text = '';
  const ready = new Promise<void>((resolve) => {
    createInterface({ input: child.stderr! }).on('line', (line) => {
      text += `${line}\n`;
      if (line.includes('"msg":"controller ready"')) resolve();
    });
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, ready, exited, stderr: () => text };
}

describe('orka controller: restart safety', () => {
  let standin: KubeStandin;
  let custom: CustomObjectsApi;
  let dir: string;
  let kubeconfig: string;
  let storePath: string;
  before(async () => {
    standin = await startStandinWithChartRbac();
    await installCrds(standin);
    custom = standin.kubeConfig.makeApiClient(CustomObjectsApi);
    dir = mkdtempSync(join(tmpdir(), 'orka-controller-restart-'));
    kubeconfig = join(dir, 'kubeconfig');
    storePath = join(dir, 'data', 'orka.db');
    await writeComponentKubeconfig(standin, kubeconfig);
    await standin.kubeConfig
      .makeApiClient((await import('@kubernetes/client-node')).CoreV1Api)
      .createNamespace({ body: { metadata: { name: 'crash' } } });
    await createAgent(custom, 'crash', 'coder');
  });
  after(async () => {
    await standin.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const createTask = (name: string) =>
    custom.createNamespacedCustomObject({
      ...GROUP,
      namespace: 'crash',
      plural: 'tasks',
      body: {
        apiVersion: 'core.orka.ai/v1alpha1',
        kind: 'Task',
        metadata: { name },
        spec: { type: 'agent', agentRef: { name: 'coder' }, prompt: 'go' },
      },
    });
  const task = async (name: string) =>
    (await custom.getNamespacedCustomObject({
      ...GROUP,
      namespace: 'crash',
      plural: 'tasks',
      name,
    })) as {
      status?: { phase?: string; attempts?: number; jobName?: string };
    };
  const jobCreates = () =>
    standin.requestLog.filter(
      (r) => r.verb === 'create' && r.resource === 'jobs' && r.namespace === 'crash',
    );

  test('killed after the Job create, then after the status write: one Job per attempt, Tasks run', async () => {
    await createTask('first');
    const crash1 = runController(kubeconfig, storePath, 'after-job-create');
    const end1 = await crash1.exited;
    assert.equal(end1.signal, 'SIGKILL', crash1.stderr());
    assert.equal(
      (await task('first')).status?.phase,
      'Pending',
      'status not written before the crash',
    );
    assert.equal(jobCreates().filter((r) => r.code === 201).length, 1);

    const crash2 = runController(kubeconfig, storePath, 'after-status-write');
    const end2 = await crash2.exited;
    assert.equal(end2.signal, 'SIGKILL', crash2.stderr());
    const first = await task('first');
    assert.equal(first.status?.phase, 'Running');
    assert.equal(first.status?.attempts, 1);
    assert.match(first.status?.jobName ?? '', /^first-job-[0-9a-f]{8}-0$/);
    assert.equal(
      jobCreates().filter((r) => r.code === 201).length,
      1,
      'the restart reused the Job',
    );

    const normal = runController(kubeconfig, storePath);
    await normal.ready;
    await createTask('second');
    await eventually(
      'second Running',
      async () => (await task('second')).status?.phase === 'Running',
    );
    assert.equal((await task('first')).status?.phase, 'Running');
    const created = jobCreates().filter((r) => r.code === 201);
    assert.equal(created.length, 2, 'one Job per Task attempt');
    normal.child.kill('SIGTERM');
    const end3 = await normal.exited;
    assert.equal(end3.code, 0, normal.stderr());
  });
});
