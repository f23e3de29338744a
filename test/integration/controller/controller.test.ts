// `orka controller` as a child process against the stand-in: startup errors of the context-token
// flags; context tokens (scopes from the flags, enforced) and OIDC tokens accepted by the REST API;
// the certificate manager's Secret and caBundle injection, re-injected after a reset; /metrics.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  AdmissionregistrationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  type V1ValidatingWebhookConfiguration,
} from '@kubernetes/client-node';
import { startStandinWithChartRbac, writeComponentKubeconfig } from '../../helpers/chart-rbac.ts';
import { eventually } from '../../helpers/eventually.ts';
import { type KubeStandin, startKubeStandin } from '../../kube/index.ts';
import {
  type KeyServer,
  makeKey,
  signRaw,
  startKeyServer,
  type TestKey,
} from '../../unit/api-auth/fixtures.ts';
import { createAgent, installCrds } from '../reconcilers/harness.ts';

const ORKA = fileURLToPath(new URL('../../../bin/orka', import.meta.url));
const CONTROLLER_NS = 'orka-system';
const TEAM = 'team-a';
const CONTEXT_ISSUER = 'https://tts.example.test';
const CONTEXT_AUDIENCE = 'orka';
const OIDC_AUDIENCE = 'orka-api';
const INJECT_LABEL = { 'orka.ai/inject-ca-bundle': 'true' };

describe('orka controller: flag errors exit 2 before any cluster access, with the reference message', () => {
  const base = ['--kubeconfig', '/nonexistent/kubeconfig'];
  const cases: Array<[string, string[], string]> = [
    [
      'unknown profile',
      [
        '--context-token-profile=bogus',
        '--context-token-issuer=https://i',
        '--context-token-audience=a',
      ],
      'unsupported context-token profile "bogus"',
    ],
    [
      'profile without issuer',
      ['--context-token-profile=kontxt'],
      'context-token issuer is required',
    ],
    [
      'profile without audience',
      ['--context-token-profile=kontxt', '--context-token-issuer=https://i'],
      'context-token audience is required',
    ],
    [
      'settings without a profile',
      ['--context-token-task-read-scopes=x', '--context-token-issuer=https://i'],
      'context-token-profile is required when context-token settings are provided',
    ],
    [
      'bad header name',
      [
        '--context-token-profile=kontxt',
        '--context-token-issuer=https://i',
        '--context-token-audience=a',
        '--context-token-headers=Bad Header',
      ],
      'invalid context-token header "Bad Header"',
    ],
    [
      'bad authorization mode',
      ['--context-token-authz-mode=strict'],
      'unsupported context-token authorization mode "strict"',
    ],
  ];
  const usage = ' (see orka controller --help)';
  cases.push(
    [
      'an empty webhook configuration selector (it would select every configuration)',
      ['--webhook-configuration-selector='],
      `--webhook-configuration-selector: must not be empty${usage}`,
    ],
    [
      'an empty webhook Service',
      ['--webhook-service='],
      `--webhook-service: must name the webhook Service${usage}`,
    ],
  );
  for (const [name, args, message] of cases) {
    test(name, () => {
      const env = { ...process.env };
      for (const key of Object.keys(env)) if (key.startsWith('ORKA_')) delete env[key];
      const result = spawnSync(process.execPath, [ORKA, 'controller', ...base, ...args], {
        encoding: 'utf8',
        env,
      });
      assert.equal(result.status, 2, result.stderr);
      assert.equal(result.stderr, `orka controller: ${message}\n`);
    });
  }
});

interface Ready {
  apiPort: number;
  healthPort: number;
}

function startController(args: string[]): {
  child: ChildProcess;
  ready: Promise<Ready>;
  stderr: () => string;
} {
  const env: NodeJS.ProcessEnv = { ...process.env, ORKA_LOG_LEVEL: 'info' };
  for (const key of Object.keys(env)) if (key.startsWith('ORKA_TEST_')) delete env[key];
  const child = spawn(process.execPath, [ORKA, 'controller', ...args], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let text = '';
  const ready = new Promise<Ready>((resolve, reject) => {
    createInterface({ input: child.stderr! }).on('line', (line) => {
      text += `${line}\n`;
      if (line.includes('"msg":"controller ready"')) resolve(JSON.parse(line) as Ready);
    });
    child.on('exit', (code) => reject(new Error(`controller exited ${code}:\n${text}`)));
  });
  return { child, ready, stderr: () => text };
}

describe('orka controller: authentication, certificates and metrics', () => {
  let standin: KubeStandin;
  let keys: KeyServer;
  let contextKey: TestKey;
  let oidcKey: TestKey;
  let strangerKey: TestKey;
  let dir: string;
  let controller: ReturnType<typeof startController>;
  let ports: Ready;
  let admission: AdmissionregistrationV1Api;
  let core: CoreV1Api;

  before(async () => {
    [contextKey, oidcKey, strangerKey] = await Promise.all([
      makeKey('ctx-1'),
      makeKey('oidc-1'),
      makeKey('ctx-1'),
    ]);
    keys = await startKeyServer();
    keys.contextKeys = [contextKey.publicJwk];
    keys.oidcKeys = [oidcKey.publicJwk];
    // The chart's RBAC decides the controller's ServiceAccount; it creates CONTROLLER_NS.
    standin = await startStandinWithChartRbac();
    await installCrds(standin);
    core = standin.kubeConfig.makeApiClient(CoreV1Api);
    admission = standin.kubeConfig.makeApiClient(AdmissionregistrationV1Api);
    await core.createNamespace({ body: { metadata: { name: TEAM } } });
    await createWebhookConfigurations();
    dir = mkdtempSync(join(tmpdir(), 'orka-controller-wiring-'));
    const kubeconfig = join(dir, 'kubeconfig');
    await writeComponentKubeconfig(standin, kubeconfig);
    controller = startController([
      `--kubeconfig=${kubeconfig}`,
      `--store-path=${join(dir, 'orka.db')}`,
      '--api-port=0',
      '--health-port=0',
      '--bind-address=127.0.0.1',
      `--controller-namespace=${CONTROLLER_NS}`,
      '--context-token-profile=kontxt',
      `--context-token-issuer=${CONTEXT_ISSUER}`,
      `--context-token-audience=${CONTEXT_AUDIENCE}`,
      `--context-token-jwks-url=${keys.url}/ctx/jwks`,
      '--context-token-authz-mode=enforce',
      '--context-token-task-list-scopes=team:tasks:list',
      `--oidc-issuer=${keys.url}`,
      `--oidc-audience=${OIDC_AUDIENCE}`,
    ]);
    ports = await controller.ready;
  });

  after(async () => {
    if (controller?.child.exitCode === null) {
      const exited = new Promise((resolve) => controller.child.once('exit', resolve));
      controller.child.kill('SIGTERM');
      await exited;
    }
    await standin?.stop();
    await keys?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function createWebhookConfigurations(): Promise<void> {
    const webhook = (name: string) => ({
      name,
      admissionReviewVersions: ['v1'],
      sideEffects: 'None',
      // Widgets are never written here: these configurations only receive the CA.
      failurePolicy: 'Ignore',
      clientConfig: {
        service: { name: 'orka-webhook', namespace: CONTROLLER_NS, path: '/validate' },
      },
      rules: [
        {
          apiGroups: ['example.test'],
          apiVersions: ['v1'],
          resources: ['widgets'],
          operations: ['CREATE'],
        },
      ],
    });
    await admission.createMutatingWebhookConfiguration({
      body: {
        metadata: { name: 'orka-mutating', labels: INJECT_LABEL },
        webhooks: [webhook('mutating.tasks.core.orka.ai')],
      },
    });
    await admission.createValidatingWebhookConfiguration({
      body: {
        metadata: { name: 'orka-validating', labels: INJECT_LABEL },
        webhooks: [
          webhook('validating.tasks.core.orka.ai'),
          webhook('validating.agents.core.orka.ai'),
        ],
      },
    });
    await admission.createValidatingWebhookConfiguration({
      body: { metadata: { name: 'someone-else' }, webhooks: [webhook('other.example.test')] },
    });
  }

  async function caCertificate(): Promise<string> {
    const secret = await core.readNamespacedSecret({
      namespace: CONTROLLER_NS,
      name: 'orka-webhook-tls',
    });
    return Buffer.from(secret.data?.['ca.crt'] ?? '', 'base64').toString('utf8');
  }

  const bundles = (configuration: { webhooks?: Array<{ clientConfig: { caBundle?: string } }> }) =>
    (configuration.webhooks ?? []).map((webhook) => webhook.clientConfig.caBundle);

  async function api(path: string, headers: Record<string, string>) {
    const response = await fetch(`http://127.0.0.1:${ports.apiPort}${path}`, { headers });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  const contextToken = (key: TestKey, scope: string) => {
    const now = Math.floor(Date.now() / 1000);
    return signRaw(
      { alg: 'RS256', typ: 'txntoken+jwt', kid: key.kid },
      {
        iss: CONTEXT_ISSUER,
        aud: CONTEXT_AUDIENCE,
        sub: 'svc-reporting',
        iat: now,
        exp: now + 600,
        txn: 'txn-42',
        scope,
        req_wl: 'spiffe://example.test/ns/team-a/sa/reporting',
      },
      key,
    );
  };

  test('the certificate Secret holds a CA and a serving certificate for the webhook Service', async () => {
    const secret = await core.readNamespacedSecret({
      namespace: CONTROLLER_NS,
      name: 'orka-webhook-tls',
    });
    assert.deepEqual(Object.keys(secret.data ?? {}).sort(), [
      'ca.crt',
      'ca.key',
      'tls.crt',
      'tls.key',
    ]);
    const leaf = new X509Certificate(Buffer.from(secret.data?.['tls.crt'] ?? '', 'base64'));
    assert.equal(
      leaf.subjectAltName,
      'DNS:orka-webhook.orka-system.svc, DNS:orka-webhook.orka-system.svc.cluster.local',
    );
    assert.ok(leaf.checkIssued(new X509Certificate(await caCertificate())));
  });

  test('labelled webhook configurations carry the CA; others are left alone', async () => {
    const expected = Buffer.from(await caCertificate()).toString('base64');
    const mutating = await admission.readMutatingWebhookConfiguration({ name: 'orka-mutating' });
    const validating = await admission.readValidatingWebhookConfiguration({
      name: 'orka-validating',
    });
    const other = await admission.readValidatingWebhookConfiguration({ name: 'someone-else' });
    assert.deepEqual(bundles(mutating), [expected]);
    assert.deepEqual(bundles(validating), [expected, expected]);
    assert.deepEqual(bundles(other), [undefined]);
  });

  test('a configuration reset (as helm upgrade does) gets the CA back', async () => {
    const expected = Buffer.from(await caCertificate()).toString('base64');
    const current = await admission.readValidatingWebhookConfiguration({ name: 'orka-validating' });
    const reset: V1ValidatingWebhookConfiguration = {
      ...current,
      webhooks: (current.webhooks ?? []).map((webhook) => ({
        ...webhook,
        clientConfig: { service: webhook.clientConfig.service! },
      })),
    };
    await admission.replaceValidatingWebhookConfiguration({ name: 'orka-validating', body: reset });
    await eventually('caBundle re-injected', async () => {
      const after = await admission.readValidatingWebhookConfiguration({ name: 'orka-validating' });
      return bundles(after).every((bundle) => bundle === expected);
    });
  });

  test('a context token with a scope from --context-token-task-list-scopes lists Tasks', async () => {
    const token = await contextToken(contextKey, 'team:tasks:list');
    const listed = await api(`/api/v1/tasks?namespace=${TEAM}`, { 'txn-token': token });
    assert.equal(listed.status, 200, JSON.stringify(listed.body));
  });

  test('the default scope no longer suffices once the flag replaced it (enforce)', async () => {
    const token = await contextToken(contextKey, 'orka:tasks:list');
    const refused = await api(`/api/v1/tasks?namespace=${TEAM}`, { 'txn-token': token });
    assert.equal(refused.status, 403);
    assert.deepEqual(refused.body, {
      error: { code: 403, message: 'context token is not authorized for listTasks' },
    });
  });

  test('a context token signed by a key the JWKS does not hold is refused', async () => {
    const token = await contextToken(strangerKey, 'team:tasks:list');
    const refused = await api(`/api/v1/tasks?namespace=${TEAM}`, { 'txn-token': token });
    assert.deepEqual(refused, {
      status: 401,
      body: { error: { code: 401, message: 'invalid token' } },
    });
  });

  test('an OIDC token from the configured issuer (keys by discovery) is accepted', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await signRaw(
      { alg: 'RS256', typ: 'JWT', kid: oidcKey.kid },
      { iss: keys.url, aud: OIDC_AUDIENCE, sub: 'alice', iat: now, exp: now + 600 },
      oidcKey,
    );
    const listed = await api(`/api/v1/tasks?namespace=${TEAM}`, {
      authorization: `Bearer ${token}`,
    });
    assert.equal(listed.status, 200, JSON.stringify(listed.body));
    assert.ok(keys.count('/.well-known/openid-configuration') >= 1);
  });

  test('/metrics: reconcile histograms, queue depth, Tasks by phase and Jobs created', async () => {
    const custom = standin.kubeConfig.makeApiClient(CustomObjectsApi);
    const orka = { group: 'core.orka.ai', version: 'v1alpha1', namespace: TEAM };
    await createAgent(custom, TEAM, 'coder');
    await custom.createNamespacedCustomObject({
      ...orka,
      plural: 'tasks',
      body: {
        apiVersion: 'core.orka.ai/v1alpha1',
        kind: 'Task',
        metadata: { name: 'measured' },
        spec: { type: 'agent', agentRef: { name: 'coder' }, prompt: 'count me' },
      },
    });
    const metrics = await eventually(
      'the Task counted as Running and its reconcile observed',
      async () => {
        const response = await fetch(`http://127.0.0.1:${ports.healthPort}/metrics`);
        const text = await response.text();
        // The status write that makes the Task Running comes before its reconcile returns.
        const counted =
          text.includes('orka_controller_tasks{phase="Running"} 1') &&
          text.includes('orka_controller_reconcile_duration_seconds_count{controller="task"');
        return counted ? { response, text } : undefined;
      },
    );
    assert.match(
      metrics.response.headers.get('content-type') ?? '',
      /^text\/plain; version=0\.0\.4/,
    );
    const { text } = metrics;
    assert.match(text, /# TYPE orka_controller_reconcile_duration_seconds histogram/);
    assert.match(
      text,
      /orka_controller_reconcile_duration_seconds_count\{controller="task",result="[a-zA-Z]+"\} [1-9]/,
    );
    assert.match(
      text,
      /orka_controller_reconcile_duration_seconds_count\{controller="agent",result="done"\} [1-9]/,
    );
    assert.match(text, /orka_controller_workqueue_depth\{controller="task"\} \d+/);
    assert.match(text, /orka_controller_jobs_created_total\{namespace="team-a"\} 1\n/);
  });
});

describe('orka controller: the certificate manager retries instead of stopping the controller', () => {
  let standin: KubeStandin;
  let dir: string;
  let controller: ReturnType<typeof startController>;
  after(async () => {
    if (controller?.child.exitCode === null) {
      const exited = new Promise((resolve) => controller.child.once('exit', resolve));
      controller.child.kill('SIGTERM');
      await exited;
    }
    await standin?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('a missing controller namespace is logged; the Secret appears once the namespace does', async () => {
    standin = await startKubeStandin();
    await installCrds(standin);
    dir = mkdtempSync(join(tmpdir(), 'orka-controller-late-ns-'));
    const kubeconfig = join(dir, 'kubeconfig');
    await standin.writeKubeconfig(kubeconfig, 'kubernetes-admin');
    controller = startController([
      `--kubeconfig=${kubeconfig}`,
      `--store-path=${join(dir, 'orka.db')}`,
      '--api-port=0',
      '--health-port=0',
      '--bind-address=127.0.0.1',
      '--controller-namespace=orka-late',
    ]);
    await controller.ready;
    assert.match(controller.stderr(), /certificate manager failed to start/);
    assert.match(controller.stderr(), /namespaces \\"orka-late\\" not found/);
    const core = standin.kubeConfig.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'orka-late' } } });
    const secret = await eventually('the certificate Secret after a retry', () =>
      core.readNamespacedSecret({ namespace: 'orka-late', name: 'orka-webhook-tls' }),
    );
    assert.ok(secret.data?.['tls.crt']);
  });
});
