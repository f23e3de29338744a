// The e2e chart dry-run (test/e2e/chart-dry-run.test.ts) against the Kubernetes API stand-in, on
// every suite run, so its kubectl plumbing cannot rot while no real cluster is at hand: every
// rendered object is accepted by `kubectl apply --server-side --dry-run=server`, nothing is
// stored, and a broken object is refused.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type KubeStandin, startKubeStandin } from '../../kube/index.ts';
import { HELM_UNAVAILABLE } from './chart.ts';
import {
  BROKEN_NAME,
  BROKEN_REFUSAL,
  brokenWebhookConfiguration,
  createNamespace,
  DRY_RUN_SCENARIOS,
  notReportedApplied,
  renderForInstall,
  serverDryRunApply,
} from './dry-run.ts';

const NAMESPACE = 'orka-dry-run';

describe('chart objects through kubectl server-side dry-run (stand-in)', {
  skip: HELM_UNAVAILABLE,
}, () => {
  let standin: KubeStandin;
  let dir: string;
  let kubeconfig: string;

  before(async () => {
    standin = await startKubeStandin();
    dir = await mkdtemp(join(tmpdir(), 'orka-chart-dry-run-'));
    kubeconfig = join(dir, 'kubeconfig');
    await standin.writeKubeconfig(kubeconfig, 'kubernetes-admin');
    await createNamespace(kubeconfig, NAMESPACE);
  });
  after(async () => {
    await standin?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  for (const { name, values } of DRY_RUN_SCENARIOS) {
    test(`${name}: every object accepted, nothing stored`, async () => {
      const objects = renderForInstall(values, NAMESPACE);
      const kinds = new Set(objects.map((object) => object.kind));
      for (const kind of ['CustomResourceDefinition', 'Deployment', 'ClusterRole', 'Role']) {
        assert.ok(kinds.has(kind), `the rendering holds a ${kind}`);
      }
      const stored = standin.cluster.store.currentRevision;
      const logged = standin.requestLog.length;
      const result = await serverDryRunApply(kubeconfig, objects);
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(notReportedApplied(result.stdout, objects), [], result.stdout);
      assert.equal(standin.cluster.store.currentRevision, stored, 'a dry-run stores nothing');
      const applies = standin.requestLog
        .slice(logged)
        .filter((record) => record.verb === 'patch' && record.code === 200);
      assert.equal(applies.length, objects.length, 'one apply patch per object');
    });
  }

  test('a broken object is refused with the field it breaks', async () => {
    const objects = renderForInstall({}, NAMESPACE);
    const result = await serverDryRunApply(kubeconfig, [brokenWebhookConfiguration(objects)]);
    assert.notEqual(result.code, 0, `kubectl accepted it: ${result.stdout}`);
    assert.match(result.stderr, BROKEN_REFUSAL);
    assert.match(result.stderr, new RegExp(BROKEN_NAME));
  });
});
