// CA and leaf rotation under load: the CertificateManager keeps its Secret and the caBundle of a
// ValidatingWebhookConfiguration in the Kubernetes API stand-in; a kubelet-like mirror copies the
// Secret into the webhook's certificate folder; the server hot-reloads it; a client that trusts
// only the caBundle it reads from the configuration (fresh TLS handshake per request) keeps
// sending reviews while CA and leaf rotate several times. Lifetimes are seconds long so the
// rotations happen within the test.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { AdmissionregistrationV1Api } from '@kubernetes/client-node';
import { splitPemBundle } from '../../../certs/authority.ts';
import { writeCertificateFiles } from '../../../certs/files.ts';
import { clientNodeCertificateAccess } from '../../../certs/kube-access.ts';
import { CertificateManager } from '../../../certs/manager.ts';
import { TlsReloader } from '../../../certs/reload.ts';
import { componentKubeConfig, startStandinWithChartRbac } from '../../helpers/chart-rbac.ts';
import { agent, task } from '../../unit/policy-builtin/harness.ts';
import { reviewOf, startTestWebhook } from './fixture.ts';

const LABEL = 'app.kubernetes.io/part-of';
const CONFIGURATION = 'orka-validating';

test('CA and leaf rotate while a caBundle-trusting client sends requests: 0 failures', {
  timeout: 180_000,
}, async () => {
  // The certificate manager runs in the controller, as its ServiceAccount (the chart creates
  // orka-system).
  const standin = await startStandinWithChartRbac();
  const admission = standin.kubeConfig.makeApiClient(AdmissionregistrationV1Api);
  const access = clientNodeCertificateAccess(componentKubeConfig(standin), {
    namespace: 'orka-system',
    secretName: 'orka-webhook-tls',
    labelSelector: `${LABEL}=orka`,
  });
  const manager = new CertificateManager({
    access,
    hosts: { dnsNames: ['localhost'], ips: ['127.0.0.1'] },
    policy: {
      // Renewal comes early in each lifetime so that a loaded machine, where one reconcile or TLS
      // handshake can take seconds, still renews long before anything expires.
      caLifetimeMs: 30_000,
      leafLifetimeMs: 10_000,
      caRenewFraction: 0.4,
      leafRenewFraction: 0.3,
    },
    propagationDelayMs: 300,
    resyncIntervalMs: 100,
  });
  const first = await manager.reconcile();
  const dir = mkdtempSync(join(tmpdir(), 'orka-rotation-'));
  writeCertificateFiles(dir, {
    caBundle: first.caBundle,
    serving: { cert: first.cert, key: first.key },
  });
  const webhook = await startTestWebhook({
    agents: [agent()],
    tls: { ca: first.caBundle, pair: { cert: first.cert, key: first.key } },
  });
  const reloader = new TlsReloader(dir, webhook.server.server, { intervalMs: 50 }).start();
  const port = new URL(webhook.url).port;
  await admission.createValidatingWebhookConfiguration({
    body: {
      metadata: { name: CONFIGURATION, labels: { [LABEL]: 'orka' } },
      webhooks: [
        {
          name: 'validate.orka.ai',
          admissionReviewVersions: ['v1'],
          sideEffects: 'NoneOnDryRun',
          clientConfig: { url: `https://127.0.0.1:${port}/validate` },
          rules: [
            {
              apiGroups: ['core.orka.ai'],
              apiVersions: ['*'],
              resources: ['tasks'],
              operations: ['CREATE'],
            },
          ],
        },
      ],
    },
  });
  await manager.start();

  // The kubelet's part: the mounted Secret follows the stored one.
  let mirroring = true;
  const mirror = (async () => {
    while (mirroring) {
      const { certificates } = await access.readSecret();
      if (certificates) {
        writeCertificateFiles(dir, {
          caBundle: certificates.caBundle,
          serving: { cert: certificates.cert, key: certificates.key },
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();

  const seen = { cas: new Set<string>(), leaves: new Set<string>(), maxBundle: 0, requests: 0 };
  const failures: string[] = [];
  const body = JSON.stringify(reviewOf(task(), { uid: 'rotation' }));
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const configuration = await admission.readValidatingWebhookConfiguration({
      name: CONFIGURATION,
    });
    const caBundle = configuration.webhooks?.[0]?.clientConfig.caBundle;
    if (!caBundle) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      continue;
    }
    const ca = Buffer.from(caBundle, 'base64').toString('utf8');
    const cas = splitPemBundle(ca);
    seen.maxBundle = Math.max(seen.maxBundle, cas.length);
    for (const cert of cas) seen.cas.add(cert);
    try {
      const { status, leaf } = await new Promise<{ status: number; leaf: string }>(
        (resolve, reject) => {
          const req = request(
            `${webhook.url}/validate`,
            { method: 'POST', ca, agent: false, headers: { 'content-type': 'application/json' } },
            (res) => {
              const fingerprint = (res.socket as import('node:tls').TLSSocket).getPeerCertificate()
                .fingerprint256;
              res.resume();
              res.on('end', () => resolve({ status: res.statusCode ?? 0, leaf: fingerprint }));
            },
          );
          req.on('error', reject);
          req.end(body);
        },
      );
      seen.requests++;
      seen.leaves.add(leaf);
      if (status !== 200) failures.push(`status ${status}`);
    } catch (error) {
      failures.push((error as Error).message);
    }
  }
  mirroring = false;
  await mirror;
  manager.stop();
  reloader.stop();
  await webhook.close();
  await standin.stop();

  assert.deepEqual(failures, []);
  assert.ok(seen.requests >= 30, `only ${seen.requests} requests`);
  assert.ok(seen.cas.size >= 2, `the CA rotated (${seen.cas.size} CAs seen)`);
  assert.ok(seen.leaves.size >= 3, `the leaf rotated (${seen.leaves.size} leaves served)`);
  assert.equal(seen.maxBundle, 2, 'old and new CA overlapped in the bundle');
});
