// Result submission against a real instance of the API: `createApiServer` over the Kubernetes API
// stand-in, a worker token from TokenRequest bound to the Task's Pod, and `orka worker` as a child
// process. The result arrives redacted, is served by GET result, and the same token cannot write
// another Task's result.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { type Harness, startHarness, type Worker } from '../api/harness.ts';
import { podDirs, podEnv, runOrka } from './helpers.ts';

const API_KEY = 'sk-ant-canary-real-api-0123456789';

async function markResultAvailable(h: Harness, namespace: string, name: string): Promise<void> {
  // the reconciler does this when the Job succeeds; the API serves results only after it
  await h.custom.patchNamespacedCustomObjectStatus(
    {
      group: 'core.orka.ai',
      version: 'v1alpha1',
      plural: 'tasks',
      namespace,
      name,
      body: { status: { resultRef: { available: true } } },
    },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
}

describe('worker against the real API', () => {
  let h: Harness;
  let worker: Worker;
  before(async () => {
    h = await startHarness();
    worker = await h.startWorker('team-a', 'real-task');
    await h.startWorker('team-a', 'other-task');
  });
  after(() => h.close());

  const workerEnv = (extra: Record<string, string> = {}) => {
    const dirs = podDirs();
    writeFileSync(dirs.saTokenPath, `${worker.token}\n`);
    return podEnv(dirs, h.url, {
      ORKA_TASK_NAME: 'real-task',
      ORKA_RESULT_ENDPOINT: `${h.url}/internal/v1/results/team-a/real-task`,
      ANTHROPIC_API_KEY: API_KEY,
      ...extra,
    });
  };

  test('the bound worker token stores the redacted result, served by GET result', async () => {
    const run = await runOrka(
      ['worker', '--runtime', 'claude'],
      workerEnv({ STANDIN_OUTPUT: `done; the key was ${API_KEY}\n` }),
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /Task team-a\/real-task completed successfully/);
    assert.equal(
      h.store.results.get('team-a', 'real-task')?.data.toString(),
      'done; the key was [REDACTED]\n',
    );
    assert.ok(!run.stderr.includes(worker.token), 'the SA token never reaches the log');

    await markResultAvailable(h, 'team-a', 'real-task');
    const served = await h.request('GET', '/api/v1/tasks/real-task/result?namespace=team-a', {
      token: h.tokens.client['team-a'],
    });
    assert.equal(served.status, 200, served.text);
    assert.deepEqual(served.json, { result: 'done; the key was [REDACTED]\n' });
    assert.ok(!h.logText().includes(API_KEY));
  });

  test("the same token cannot post another Task's result: 403, not retried, nothing stored", async () => {
    const run = await runOrka(
      ['worker', '--runtime', 'claude'],
      workerEnv({
        STANDIN_OUTPUT: 'forged',
        ORKA_RESULT_ENDPOINT: `${h.url}/internal/v1/results/team-a/other-task`,
      }),
    );
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /result not submitted: .*HTTP 403/);
    assert.doesNotMatch(run.stderr, /retrying/);
    assert.equal(h.store.results.get('team-a', 'other-task'), undefined);
  });
});
