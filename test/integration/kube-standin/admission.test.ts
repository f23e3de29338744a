import assert from 'node:assert/strict';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { AdmissionregistrationV1Api, CoreV1Api } from '@kubernetes/client-node';
import { type KubeStandin, startKubeStandin } from '../../kube/index.ts';
import { rejectsWithStatus } from './helpers.ts';

interface Review {
  request: {
    uid: string;
    operation: string;
    name: string;
    namespace?: string;
    userInfo: { username: string; groups: string[] };
    object: { metadata: { name?: string; labels?: Record<string, string> } } | null;
    oldObject: unknown;
    dryRun: boolean;
    resource: { group: string; version: string; resource: string };
  };
}

type Decide = (review: Review) => Record<string, unknown>;

/** A real HTTPS webhook server answering AdmissionReviews with `decide`. */
async function webhookServer(standin: KubeStandin, decide: Decide) {
  const cert = await standin.issueCertificate({
    dnsNames: ['hooks.admission.svc'],
    ips: ['127.0.0.1'],
  });
  const server = https.createServer({ cert: cert.cert, key: cert.key }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const review = JSON.parse(Buffer.concat(chunks).toString()) as Review;
      const response = { uid: review.request.uid, allowed: true, ...decide(review) };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `https://127.0.0.1:${port}`,
    caBundle: Buffer.from(cert.caPem).toString('base64'),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const rule = (resources: string[], operations = ['CREATE', 'UPDATE']) => ({
  apiGroups: [''],
  apiVersions: ['v1'],
  resources,
  operations,
});

describe('kube stand-in: admission webhooks', () => {
  let standin: KubeStandin;
  let core: CoreV1Api;
  let reg: AdmissionregistrationV1Api;
  let hookPort = 0;
  const servers: Array<{ close: () => Promise<void> }> = [];
  before(async () => {
    standin = await startKubeStandin({
      resolveService: (svc) =>
        svc.name === 'hooks' ? `https://127.0.0.1:${hookPort}` : `https://127.0.0.1:1`,
    });
    core = standin.kubeConfig.makeApiClient(CoreV1Api);
    reg = standin.kubeConfig.makeApiClient(AdmissionregistrationV1Api);
    await core.createNamespace({
      body: { metadata: { name: 'adm', labels: { admission: 'on' } } },
    });
    await core.createNamespace({ body: { metadata: { name: 'quiet' } } });
  });
  after(async () => {
    await standin.stop();
    for (const s of servers) await s.close();
  });

  test('a mutating webhook gets an AdmissionReview with the caller and its JSONPatch is applied', async () => {
    const hook = await webhookServer(standin, (review) => ({
      patchType: 'JSONPatch',
      patch: Buffer.from(
        JSON.stringify([
          { op: 'add', path: '/data', value: { stamped: review.request.userInfo.username } },
        ]),
      ).toString('base64'),
    }));
    servers.push(hook);
    hookPort = hook.port;
    await reg.createMutatingWebhookConfiguration({
      body: {
        metadata: { name: 'stamp' },
        webhooks: [
          {
            name: 'stamp.example.com',
            clientConfig: {
              service: { namespace: 'admission', name: 'hooks', path: '/mutate' },
              caBundle: hook.caBundle,
            },
            rules: [rule(['configmaps'])],
            namespaceSelector: { matchLabels: { admission: 'on' } },
            sideEffects: 'None',
            admissionReviewVersions: ['v1'],
          },
        ],
      },
    });
    const alice = standin.addUser({ username: 'alice', groups: ['devs'] });
    const asAlice = standin.kubeConfigFor('alice').makeApiClient(CoreV1Api);
    assert.ok(alice);
    const created = await asAlice.createNamespacedConfigMap({
      namespace: 'adm',
      body: { metadata: { name: 'm' } },
    });
    assert.deepEqual(created.data, { stamped: 'alice' });
    const call = standin.admissionCalls.at(-1)!;
    assert.equal(call.webhook, 'stamp.example.com');
    assert.match(call.url, /^https:\/\/127\.0\.0\.1:\d+\/mutate\?timeout=10s$/);
    const request = call.request as Review['request'];
    assert.equal(request.operation, 'CREATE');
    assert.deepEqual(request.resource, { group: '', version: 'v1', resource: 'configmaps' });
    assert.equal(request.namespace, 'adm');
    assert.deepEqual(request.userInfo.groups, ['devs', 'system:authenticated']);
    const outside = await core.createNamespacedConfigMap({
      namespace: 'quiet',
      body: { metadata: { name: 'm' } },
    });
    assert.equal(
      outside.data,
      undefined,
      'namespaceSelector keeps the webhook away from other namespaces',
    );
    await reg.deleteMutatingWebhookConfiguration({ name: 'stamp' });
  });

  test('a validating denial returns the apiserver message and code; warnings become Warning headers', async () => {
    const hook = await webhookServer(standin, (review) =>
      review.request.object?.metadata.labels?.bad === 'true'
        ? {
            allowed: false,
            status: { code: 403, message: 'label bad is not allowed' },
            warnings: ['looked at it'],
          }
        : { warnings: ['fine, but "noted"'] },
    );
    servers.push(hook);
    await reg.createValidatingWebhookConfiguration({
      body: {
        metadata: { name: 'guard' },
        webhooks: [
          {
            name: 'guard.example.com',
            clientConfig: { url: `${hook.url}/validate`, caBundle: hook.caBundle },
            rules: [rule(['secrets'])],
            sideEffects: 'None',
            admissionReviewVersions: ['v1'],
          },
        ],
      },
    });
    const status = await rejectsWithStatus(
      core.createNamespacedSecret({
        namespace: 'quiet',
        body: { metadata: { name: 's', labels: { bad: 'true' } } },
      }),
      403,
    );
    assert.equal(
      status.message,
      'admission webhook "guard.example.com" denied the request: label bad is not allowed',
    );
    const res = await fetchWithCa(standin, '/api/v1/namespaces/quiet/secrets', {
      metadata: { name: 'ok' },
    });
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('warning'), '299 - "fine, but \\"noted\\""');
    await reg.deleteValidatingWebhookConfiguration({ name: 'guard' });
  });

  test('a denial without a message or code is 400 "without explanation"', async () => {
    const hook = await webhookServer(standin, () => ({ allowed: false }));
    servers.push(hook);
    await reg.createValidatingWebhookConfiguration({
      body: {
        metadata: { name: 'mute' },
        webhooks: [
          {
            name: 'mute.example.com',
            clientConfig: { url: hook.url, caBundle: hook.caBundle },
            rules: [rule(['configmaps'])],
            sideEffects: 'None',
            admissionReviewVersions: ['v1'],
          },
        ],
      },
    });
    const status = await rejectsWithStatus(
      core.createNamespacedConfigMap({ namespace: 'quiet', body: { metadata: { name: 'x' } } }),
      400,
    );
    assert.equal(
      status.message,
      'admission webhook "mute.example.com" denied the request without explanation',
    );
    await reg.deleteValidatingWebhookConfiguration({ name: 'mute' });
  });

  test('failurePolicy: Fail refuses when the webhook is unreachable; Ignore lets the request through', async () => {
    const unreachable = (name: string, failurePolicy: string) => ({
      metadata: { name },
      webhooks: [
        {
          name: `${name}.example.com`,
          clientConfig: { service: { namespace: 'nowhere', name: 'gone', port: 443 } },
          rules: [rule(['serviceaccounts'])],
          failurePolicy,
          sideEffects: 'None',
          admissionReviewVersions: ['v1'],
        },
      ],
    });
    await reg.createValidatingWebhookConfiguration({ body: unreachable('strict', 'Fail') });
    const status = await rejectsWithStatus(
      core.createNamespacedServiceAccount({
        namespace: 'quiet',
        body: { metadata: { name: 'sa1' } },
      }),
      500,
      'InternalError',
    );
    assert.match(
      status.message,
      /^Internal error occurred: failed calling webhook "strict.example.com": failed to call webhook: Post "https:\/\/127\.0\.0\.1:1\/\?timeout=10s": /,
    );
    await reg.deleteValidatingWebhookConfiguration({ name: 'strict' });
    await reg.createValidatingWebhookConfiguration({ body: unreachable('lenient', 'Ignore') });
    assert.ok(
      await core.createNamespacedServiceAccount({
        namespace: 'quiet',
        body: { metadata: { name: 'sa2' } },
      }),
    );
    assert.equal(standin.admissionCalls.at(-1)!.ignored, true);
    await reg.deleteValidatingWebhookConfiguration({ name: 'lenient' });
  });

  test('a webhook served with a certificate the caBundle does not trust is a call failure', async () => {
    const hook = await webhookServer(standin, () => ({}));
    servers.push(hook);
    const otherCa = await (await import('../../kube/index.ts')).createCertificateAuthority('other');
    await reg.createValidatingWebhookConfiguration({
      body: {
        metadata: { name: 'untrusted' },
        webhooks: [
          {
            name: 'untrusted.example.com',
            clientConfig: { url: hook.url, caBundle: Buffer.from(otherCa.cert).toString('base64') },
            rules: [rule(['configmaps'])],
            sideEffects: 'None',
            admissionReviewVersions: ['v1'],
          },
        ],
      },
    });
    await rejectsWithStatus(
      core.createNamespacedConfigMap({ namespace: 'quiet', body: { metadata: { name: 'tls' } } }),
      500,
      'InternalError',
    );
    await reg.deleteValidatingWebhookConfiguration({ name: 'untrusted' });
  });

  test('dryRun=All calls webhooks with dryRun true and stores nothing; DELETE sends oldObject', async () => {
    const hook = await webhookServer(standin, () => ({}));
    servers.push(hook);
    await reg.createValidatingWebhookConfiguration({
      body: {
        metadata: { name: 'seer' },
        webhooks: [
          {
            name: 'seer.example.com',
            clientConfig: { url: hook.url, caBundle: hook.caBundle },
            rules: [rule(['configmaps'], ['*'])],
            sideEffects: 'None',
            admissionReviewVersions: ['v1'],
          },
        ],
      },
    });
    await core.createNamespacedConfigMap({
      namespace: 'quiet',
      body: { metadata: { name: 'dry' } },
      dryRun: 'All',
    });
    const dry = standin.admissionCalls.at(-1)!.request as Review['request'];
    assert.equal(dry.dryRun, true);
    await rejectsWithStatus(core.readNamespacedConfigMap({ namespace: 'quiet', name: 'dry' }), 404);
    await core.createNamespacedConfigMap({
      namespace: 'quiet',
      body: { metadata: { name: 'del' } },
    });
    await core.deleteNamespacedConfigMap({ namespace: 'quiet', name: 'del' });
    const del = standin.admissionCalls.at(-1)!.request as Review['request'];
    assert.equal(del.operation, 'DELETE');
    assert.equal(del.object, null);
    assert.equal((del.oldObject as { metadata: { name: string } }).metadata.name, 'del');
    await reg.deleteValidatingWebhookConfiguration({ name: 'seer' });
  });

  test('webhook configurations are validated (sideEffects, admissionReviewVersions)', async () => {
    const status = await rejectsWithStatus(
      reg.createValidatingWebhookConfiguration({
        body: {
          metadata: { name: 'bad' },
          webhooks: [
            {
              name: 'bad.example.com',
              clientConfig: { url: 'https://x' },
              sideEffects: 'Some',
              admissionReviewVersions: ['v1beta1'],
            },
          ],
        },
      }),
      422,
      'Invalid',
    );
    assert.match(status.message, /webhooks\[0\]\.sideEffects: Unsupported value: "Some"/);
  });
});

/** A raw request, to read response headers client-node does not surface. */
async function fetchWithCa(
  standin: KubeStandin,
  path: string,
  body: unknown,
): Promise<{ status: number; headers: Headers }> {
  const { Agent, fetch } = await import('undici');
  const dispatcher = new Agent({ connect: { ca: standin.caPem } });
  const res = await fetch(`${standin.url}${path}`, {
    method: 'POST',
    dispatcher,
    headers: { authorization: `Bearer ${standin.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await res.text();
  return { status: res.status, headers: res.headers as unknown as Headers };
}
