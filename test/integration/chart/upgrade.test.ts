// `helm upgrade` must not blank the caBundle the controller injected: the chart looks up the live
// webhook configurations (here served by the Kubernetes API stand-in) and keeps their bundle.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  AdmissionregistrationV1Api,
  type V1MutatingWebhookConfiguration,
  type V1ValidatingWebhookConfiguration,
} from '@kubernetes/client-node';
import { type KubeStandin, startKubeStandin } from '../../kube/index.ts';
import { HELM_UNAVAILABLE, type KubeObject, renderAgainstCluster } from './chart.ts';

const MUTATING_CA = Buffer.from('mutating CA bundle').toString('base64');
const VALIDATING_CA = Buffer.from('validating CA bundle').toString('base64');

function caBundles(objects: KubeObject[], kind: string): (string | undefined)[] {
  const configuration = objects.find((o) => o.kind === kind);
  assert.ok(configuration, `${kind} rendered`);
  return (configuration.webhooks as { clientConfig: { caBundle?: string } }[]).map(
    (webhook) => webhook.clientConfig.caBundle,
  );
}

const webhook = (name: string, caBundle: string) => ({
  name,
  admissionReviewVersions: ['v1'],
  sideEffects: 'NoneOnDryRun',
  clientConfig: { caBundle, service: { name: 'orka-webhook', namespace: 'orka-system' } },
});

describe('caBundle across helm upgrade', { skip: HELM_UNAVAILABLE }, () => {
  let kube: KubeStandin;
  let dir: string;
  let kubeconfig: string;

  before(async () => {
    kube = await startKubeStandin();
    dir = mkdtempSync(join(tmpdir(), 'orka-upgrade-'));
    kubeconfig = join(dir, 'kubeconfig');
    await kube.writeKubeconfig(kubeconfig, 'kubernetes-admin');
  });
  after(async () => {
    await kube.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a first install renders no caBundle: the controller injects it', async () => {
    const objects = await renderAgainstCluster(kubeconfig);
    assert.deepEqual(caBundles(objects, 'MutatingWebhookConfiguration'), [
      undefined,
      undefined,
      undefined,
    ]);
    assert.deepEqual(caBundles(objects, 'ValidatingWebhookConfiguration'), [
      undefined,
      undefined,
      undefined,
    ]);
  });

  test('an upgrade keeps the bundle the controller injected into each configuration', async () => {
    const admission = kube.kubeConfig.makeApiClient(AdmissionregistrationV1Api);
    const mutating: V1MutatingWebhookConfiguration = {
      metadata: { name: 'orka-mutating' },
      webhooks: [webhook('mutating.tasks.core.orka.ai', MUTATING_CA)],
    };
    const validating: V1ValidatingWebhookConfiguration = {
      metadata: { name: 'orka-validating' },
      webhooks: [webhook('validating.tasks.core.orka.ai', VALIDATING_CA)],
    };
    await admission.createMutatingWebhookConfiguration({ body: mutating });
    await admission.createValidatingWebhookConfiguration({ body: validating });

    const objects = await renderAgainstCluster(kubeconfig);
    assert.deepEqual(caBundles(objects, 'MutatingWebhookConfiguration'), [
      MUTATING_CA,
      MUTATING_CA,
      MUTATING_CA,
    ]);
    assert.deepEqual(caBundles(objects, 'ValidatingWebhookConfiguration'), [
      VALIDATING_CA,
      VALIDATING_CA,
      VALIDATING_CA,
    ]);
  });
});
