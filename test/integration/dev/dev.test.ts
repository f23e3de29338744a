// `orka dev` as a child process against the Kubernetes API stand-in: CRDs installed and
// Established, webhook configurations with url and CA, the ready line only after the apiserver
// called the webhook, denials and the requester stamp through the apiserver's admission calls,
// the controller at work, cleanup on SIGTERM and after a SIGKILL on the next start.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  AdmissionregistrationV1Api,
  ApiException,
  ApiextensionsV1Api,
  CustomObjectsApi,
} from '@kubernetes/client-node';
import { eventually } from '../../helpers/eventually.ts';
import { type KubeStandin, startKubeStandin } from '../../kube/index.ts';
import { type DevChild, localDevArgs, READY_LINE, startDevChild } from './child.ts';

const ALICE = 'alice@example.com';
const TASKS = { group: 'core.orka.ai', version: 'v1alpha1', plural: 'tasks' };
const CRDS = [
  'tasks.core.orka.ai',
  'agents.core.orka.ai',
  'admissionpolicies.policy.orka.ai',
] as const;

function task(name: string, spec: Record<string, unknown> = {}) {
  return {
    apiVersion: 'core.orka.ai/v1alpha1',
    kind: 'Task',
    metadata: { name },
    spec: { type: 'agent', agentRef: { name: 'claude-agent' }, prompt: 'Fix the tests', ...spec },
  };
}

/** The apiserver's error text of a refused client-node call. */
async function refusal(call: Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await call;
  } catch (error) {
    assert.ok(error instanceof ApiException, `expected an ApiException, got ${String(error)}`);
    const body = (typeof error.body === 'string' ? JSON.parse(error.body) : error.body) as {
      message: string;
    };
    return { code: error.code, message: body.message };
  }
  assert.fail('expected the request to be refused');
}

async function devConfigurationNames(standin: KubeStandin): Promise<string[]> {
  const api = standin.kubeConfig.makeApiClient(AdmissionregistrationV1Api);
  const selector = { labelSelector: 'app.kubernetes.io/managed-by=orka-dev' };
  const mutating = await api.listMutatingWebhookConfiguration(selector);
  const validating = await api.listValidatingWebhookConfiguration(selector);
  return [...mutating.items, ...validating.items].map((item) => item.metadata!.name!).sort();
}

describe('orka dev against the Kubernetes API stand-in', () => {
  let standin: KubeStandin;
  let dir: string;
  let kubeconfig: string;
  let dev: DevChild;
  const devArgs = () => [...localDevArgs(kubeconfig, dir), '--cert-dir', join(dir, 'certs')];

  before(async () => {
    standin = await startKubeStandin();
    standin.addUser({ username: ALICE, groups: ['platform', 'system:authenticated'] });
    dir = await mkdtemp(join(tmpdir(), 'orka-dev-'));
    kubeconfig = join(dir, 'kubeconfig');
    await standin.writeKubeconfig(kubeconfig, 'kubernetes-admin');
    dev = startDevChild(devArgs());
    await dev.ready;
  });
  after(async () => {
    await dev?.stop('SIGKILL');
    await standin?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('installs the CRDs, Established, with their CEL rules and enums kept', async () => {
    const api = standin.kubeConfig.makeApiClient(ApiextensionsV1Api);
    for (const name of CRDS) {
      const crd = await api.readCustomResourceDefinition({ name });
      const established = crd.status?.conditions?.find((c) => c.type === 'Established');
      assert.equal(established?.status, 'True', name);
    }
    const stored = standin.cluster.store.list('apiextensions.k8s.io/customresourcedefinitions');
    const tasks = stored.find((crd) => crd.metadata.name === 'tasks.core.orka.ai');
    const text = JSON.stringify(tasks);
    assert.match(text, /"x-kubernetes-validations"/);
    assert.match(text, /requestedBy is immutable/);
    assert.match(text, /"enum"/);
  });

  test('registers both configurations with url, CA and the required settings', async () => {
    assert.deepEqual(await devConfigurationNames(standin), [
      'orka-dev-mutating',
      'orka-dev-validating',
    ]);
    const api = standin.kubeConfig.makeApiClient(AdmissionregistrationV1Api);
    const mutating = await api.readMutatingWebhookConfiguration({ name: 'orka-dev-mutating' });
    const validating = await api.readValidatingWebhookConfiguration({
      name: 'orka-dev-validating',
    });
    for (const [configuration, path] of [
      [mutating, '/mutate'],
      [validating, '/validate'],
    ] as const) {
      const hooks = configuration.webhooks ?? [];
      assert.deepEqual(
        hooks.flatMap((hook) => hook.rules!.map((rule) => `${rule.apiGroups}/${rule.resources}`)),
        ['core.orka.ai/tasks', 'core.orka.ai/agents', 'policy.orka.ai/admissionpolicies'],
      );
      for (const hook of hooks) {
        assert.match(
          hook.clientConfig.url ?? '',
          new RegExp(`^https://127\\.0\\.0\\.1:\\d+${path}$`),
        );
        assert.match(
          Buffer.from(hook.clientConfig.caBundle ?? '', 'base64').toString(),
          /^-----BEGIN CERTIFICATE-----/,
        );
        assert.equal(hook.failurePolicy, 'Fail');
        assert.equal(hook.timeoutSeconds, 5);
        assert.equal(hook.sideEffects, 'NoneOnDryRun');
        assert.equal(hook.matchPolicy, 'Equivalent');
        assert.deepEqual(hook.admissionReviewVersions, ['v1']);
      }
    }
  });

  test('printed exactly the ready line on stdout, after the apiserver called the webhook', () => {
    assert.equal(dev.stdout(), `${READY_LINE}\n`);
    const probe = standin.admissionCalls.find(
      (call) =>
        call.configuration === 'orka-dev-mutating' &&
        String((call.request as { name?: string }).name).startsWith('orka-dev-probe-'),
    );
    assert.ok(probe, 'the stand-in called the dev webhook for the self-probe');
    assert.equal((probe.request as { dryRun?: boolean }).dryRun, true);
    assert.equal(probe.error, undefined);
    assert.match(dev.stderr(), /self-probe reached the webhook/);
  });

  test('a kubectl user setting spec.transaction is denied with the policy message', async () => {
    const custom = standin.kubeConfigFor(ALICE).makeApiClient(CustomObjectsApi);
    const { code, message } = await refusal(
      custom.createNamespacedCustomObject({
        ...TASKS,
        namespace: 'default',
        body: task('forged', { transaction: { id: 'txn-1' } }),
      }),
    );
    assert.equal(code, 403);
    assert.match(
      message,
      /admission webhook "validating\.tasks\.core\.orka\.ai" denied the request/,
    );
    assert.match(message, /orka-task-provenance: /);
    assert.match(message, /spec\.transaction/);
  });

  test('a sandbox Task is denied while the sandbox is disabled', async () => {
    const custom = standin.kubeConfigFor(ALICE).makeApiClient(CustomObjectsApi);
    const { message } = await refusal(
      custom.createNamespacedCustomObject({
        ...TASKS,
        namespace: 'default',
        body: task('sandboxed', {
          execution: { workspace: { enabled: true, templateRef: { name: 'coding-agent' } } },
        }),
      }),
    );
    assert.match(message, /orka-sandbox-workspace: /);
  });

  test('an allowed Task gets spec.requestedBy from the mutating webhook, and the controller picks it up', async () => {
    const custom = standin.kubeConfigFor(ALICE).makeApiClient(CustomObjectsApi);
    const created = (await custom.createNamespacedCustomObject({
      ...TASKS,
      namespace: 'default',
      body: task('allowed'),
    })) as { spec: { requestedBy?: { username: string; groups: string[] } } };
    assert.deepEqual(created.spec.requestedBy, {
      username: ALICE,
      groups: ['platform', 'system:authenticated'],
    });
    const admin = standin.kubeConfig.makeApiClient(CustomObjectsApi);
    const status = await eventually('a status phase on the allowed Task', async () => {
      const stored = (await admin.getNamespacedCustomObject({
        ...TASKS,
        namespace: 'default',
        name: 'allowed',
      })) as { status?: { phase?: string } };
      return stored.status?.phase ? stored.status : undefined;
    });
    assert.equal(status.phase, 'Pending', 'the controller wrote a status (agent not found yet)');
  });

  test('SIGTERM removes the configurations and exits 0; a SIGKILLed run is cleaned up on the next start', async () => {
    assert.deepEqual(await dev.stop('SIGTERM'), { code: 0, signal: null });
    assert.deepEqual(await devConfigurationNames(standin), []);
    assert.match(dev.stderr(), /dev webhook configurations removed/);

    const killed = startDevChild(devArgs());
    await killed.ready;
    assert.equal((await killed.stop('SIGKILL')).signal, 'SIGKILL');
    assert.deepEqual(await devConfigurationNames(standin), [
      'orka-dev-mutating',
      'orka-dev-validating',
    ]);

    dev = startDevChild(devArgs());
    await dev.ready;
    assert.match(dev.stderr(), /stale dev webhook configurations removed/);
    const api = standin.kubeConfig.makeApiClient(AdmissionregistrationV1Api);
    const fresh = await api.readMutatingWebhookConfiguration({ name: 'orka-dev-mutating' });
    const freshUrl = fresh.webhooks![0]!.clientConfig.url;
    const calls = standin.admissionCalls.filter((call) => call.url.split('?')[0] === freshUrl);
    assert.ok(calls.length > 0, 'the new run registered its own URL and was called there');
    assert.deepEqual(await dev.stop('SIGTERM'), { code: 0, signal: null });
    assert.deepEqual(await devConfigurationNames(standin), []);
  });
});
