// End to end against a real cluster (issue #8): the chart rendered with helm for the default values
// and each feature's values, every object (CRDs, webhook configurations, ClusterRoles, Roles,
// bindings, Deployments, ...) applied with `kubectl apply --server-side --dry-run=server`: kubectl
// exits 0 and names each object as applied; a deliberately broken object is refused, so the
// dry-run really validates. Nothing is stored except a scratch namespace, deleted afterwards.
// The same code runs against the stand-in in test/integration/chart/dry-run.test.ts.
//   ORKA_E2E_KUBECONFIG   kubeconfig of the cluster, cluster-admin (required to run)
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { HELM_UNAVAILABLE } from '../integration/chart/chart.ts';
import {
  BROKEN_NAME,
  BROKEN_REFUSAL,
  brokenWebhookConfiguration,
  createNamespace,
  DRY_RUN_SCENARIOS,
  deleteNamespace,
  notReportedApplied,
  renderForInstall,
  serverDryRunApply,
} from '../integration/chart/dry-run.ts';

const KUBECONFIG = process.env.ORKA_E2E_KUBECONFIG ?? '';
const skip =
  KUBECONFIG === ''
    ? 'ORKA_E2E_KUBECONFIG not set: skipping the chart dry-run against a real cluster'
    : (HELM_UNAVAILABLE ?? false);
const NAMESPACE = `orka-dry-run-${process.pid}`;

describe('the chart through server-side dry-run against ORKA_E2E_KUBECONFIG', { skip }, () => {
  before(async () => {
    await createNamespace(KUBECONFIG, NAMESPACE);
  });
  after(async () => {
    await deleteNamespace(KUBECONFIG, NAMESPACE);
  });

  for (const { name, values } of DRY_RUN_SCENARIOS) {
    test(`${name}: every rendered object is accepted`, async () => {
      const objects = renderForInstall(values, NAMESPACE);
      const result = await serverDryRunApply(KUBECONFIG, objects);
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(notReportedApplied(result.stdout, objects), [], result.stdout);
    });
  }

  test('a broken object is refused with the field it breaks', async () => {
    const objects = renderForInstall({}, NAMESPACE);
    const result = await serverDryRunApply(KUBECONFIG, [brokenWebhookConfiguration(objects)]);
    assert.notEqual(result.code, 0, `kubectl accepted it: ${result.stdout}`);
    assert.match(result.stderr, BROKEN_REFUSAL);
    assert.match(result.stderr, new RegExp(BROKEN_NAME));
  });
});
