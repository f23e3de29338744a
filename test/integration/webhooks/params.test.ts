// AdmissionPolicy params from the cluster: the webhook (`orka webhook`'s startWebhookProcess over
// real HTTPS) against the Kubernetes API stand-in, driven by client-node. A policy's paramRef names
// a ConfigMap; the webhook watches exactly the ConfigMaps policies name, a changed ConfigMap
// changes decisions, a missing one follows the policy's failurePolicy, and an identity that may
// not read ConfigMaps (the chart without webhook.paramKinds) is reported in the log and recovers
// once the chart's rule grants it.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import {
  ApiextensionsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
} from '@kubernetes/client-node';
import { pino } from 'pino';
import { stringify } from 'yaml';
import { writeCertificateFiles } from '../../../certs/files.ts';
import type { KubeObject } from '../../../policy/chain/request.ts';
import { buildCrd } from '../../../resources/crd.ts';
import { KINDS } from '../../../resources/kinds.ts';
import { startClusterLookups } from '../../../webhooks/cluster.ts';
import { PolicyStore } from '../../../webhooks/policies.ts';
import { type RunningWebhook, startWebhookProcess } from '../../../webhooks/run.ts';
import { eventually } from '../../helpers/eventually.ts';
import {
  type AccessRule,
  type KubeStandin,
  ruleAuthorizer,
  startKubeStandin,
} from '../../kube/index.ts';
import { agent, task } from '../../unit/policy-builtin/harness.ts';
import { find, HELM_UNAVAILABLE, render } from '../chart/chart.ts';
import { reviewOf, servingMaterial } from './fixture.ts';

const GROUP = 'policy.orka.ai';
const WEBHOOK_USER = 'system:serviceaccount:orka-system:orka-webhook';
const LOOKUP_USER = 'params-lookups';

function policy(
  name: string,
  options: { paramRef: { name: string; namespace?: string }; failurePolicy?: 'Fail' | 'Ignore' },
): KubeObject {
  return {
    apiVersion: `${GROUP}/v1alpha1`,
    kind: 'AdmissionPolicy',
    metadata: { name },
    spec: {
      failurePolicy: options.failurePolicy ?? 'Fail',
      validationActions: ['Deny'],
      matchConstraints: {
        resourceRules: [
          {
            apiGroups: ['core.orka.ai'],
            apiVersions: ['*'],
            resources: ['tasks'],
            operations: ['CREATE', 'UPDATE'],
          },
        ],
      },
      paramRef: options.paramRef,
      validations: [
        {
          expression: "object.metadata.labels.tier in params.data.allowedTiers.split(',')",
          messageExpression:
            "'tier ' + object.metadata.labels.tier + ' is not among ' + params.data.allowedTiers",
          reason: 'Forbidden',
        },
      ],
    },
  };
}

interface Decision {
  allowed: boolean;
  message: string;
}

/** Each probe sends an admission review over HTTPS, so probes go 100 ms apart; the deadline
 * outlasts the 300 such polls this file made before it had a deadline. */
const REVIEW_POLL = { timeoutMs: 60_000, intervalMs: 100 };

class Harness {
  readonly logs: Record<string, unknown>[] = [];
  webhook!: RunningWebhook;
  private ca = '';
  private readonly certDir = mkdtempSync(join(tmpdir(), 'orka-params-'));
  private last: Decision | undefined;

  constructor(readonly standin: KubeStandin) {}

  get core(): CoreV1Api {
    return this.standin.kubeConfig.makeApiClient(CoreV1Api);
  }

  get custom(): CustomObjectsApi {
    return this.standin.kubeConfig.makeApiClient(CustomObjectsApi);
  }

  async start(kubeConfig: KubeConfig): Promise<void> {
    const { ca, pair } = await servingMaterial();
    this.ca = ca;
    writeCertificateFiles(this.certDir, { caBundle: ca, serving: pair });
    const sink = new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        for (const line of chunk.toString('utf8').split('\n').filter(Boolean))
          this.logs.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    this.webhook = await startWebhookProcess({
      port: 0,
      host: '127.0.0.1',
      certDir: this.certDir,
      policyPaths: [],
      flags: {},
      kubeConfig,
      logger: pino({}, sink),
    });
  }

  async stop(): Promise<void> {
    await this.webhook?.close();
    rmSync(this.certDir, { recursive: true, force: true });
  }

  async setup(namespaces: string[]): Promise<void> {
    const extensions = this.standin.kubeConfig.makeApiClient(ApiextensionsV1Api);
    for (const info of KINDS) {
      await extensions.createCustomResourceDefinition({ body: buildCrd(info) as never });
    }
    for (const name of namespaces) {
      await this.core.createNamespace({ body: { metadata: { name } } });
      await this.custom.createNamespacedCustomObject({
        group: 'core.orka.ai',
        version: 'v1alpha1',
        namespace: name,
        plural: 'agents',
        body: agent({ metadata: { namespace: name } }),
      });
    }
  }

  createPolicy(body: KubeObject) {
    return this.custom.createClusterCustomObject({
      group: GROUP,
      version: 'v1alpha1',
      plural: 'admissionpolicies',
      body,
    });
  }

  deletePolicy(name: string) {
    return this.custom.deleteClusterCustomObject({
      group: GROUP,
      version: 'v1alpha1',
      plural: 'admissionpolicies',
      name,
    });
  }

  async setParams(namespace: string, name: string, data: Record<string, string>): Promise<void> {
    const body = { metadata: { name, namespace }, data };
    try {
      await this.core.replaceNamespacedConfigMap({ name, namespace, body });
    } catch (error) {
      if ((error as { code?: number }).code !== 404) throw error;
      await this.core.createNamespacedConfigMap({ namespace, body });
    }
  }

  private send(method: string, path: string, body?: string): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      const req = request(
        `${this.webhook.url}${path}`,
        { method, ca: this.ca, headers: { 'content-type': 'application/json' } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  /** /validate for a Task labelled `tier` in `namespace`. */
  async decide(namespace: string, tier: string): Promise<Decision> {
    const review = reviewOf(task({ metadata: { namespace, labels: { tier } } }), { uid: 'p-1' });
    const answer = await this.send('POST', '/validate', JSON.stringify(review));
    const response = (
      JSON.parse(answer) as {
        response: { allowed: boolean; status?: { message?: string } };
      }
    ).response;
    this.last = { allowed: response.allowed, message: response.status?.message ?? '' };
    return this.last;
  }

  /** The webhook's Prometheus metrics. */
  metrics(): Promise<string> {
    return this.send('GET', '/metrics');
  }

  /** Waits until the decision for (namespace, tier) is `expected`. */
  async until(namespace: string, tier: string, expected: Decision): Promise<void> {
    await eventually(
      () => `decision for a ${tier} Task in ${namespace}: ${JSON.stringify(this.last)}`,
      async () => {
        const decision = await this.decide(namespace, tier);
        return decision.allowed === expected.allowed && decision.message === expected.message;
      },
      REVIEW_POLL,
    );
  }
}

const allowed: Decision = { allowed: true, message: '' };
const deniedBy = (policyName: string, message: string): Decision => ({
  allowed: false,
  message: `${policyName}: ${message}`,
});

describe('params from the cluster (admin identity)', () => {
  let harness: Harness;
  before(async () => {
    harness = new Harness(await startKubeStandin());
    await harness.setup(['team-a', 'team-b', 'orka-params']);
    await harness.start(harness.standin.kubeConfig);
  });
  after(async () => {
    await harness?.stop();
    await harness?.standin.stop();
  });

  test('a paramRef by name in the request namespace: the ConfigMap decides', async () => {
    await harness.setParams('team-a', 'task-tiers', { allowedTiers: 'gold' });
    await harness.createPolicy(policy('task-tiers', { paramRef: { name: 'task-tiers' } }));
    await harness.until(
      'team-a',
      'bronze',
      deniedBy('task-tiers', 'tier bronze is not among gold'),
    );
    assert.deepEqual(await harness.decide('team-a', 'gold'), allowed);
  });

  test('a changed ConfigMap changes the decision', async () => {
    await harness.setParams('team-a', 'task-tiers', { allowedTiers: 'gold,bronze' });
    await harness.until('team-a', 'bronze', allowed);
    await harness.setParams('team-a', 'task-tiers', { allowedTiers: 'bronze' });
    await harness.until('team-a', 'gold', deniedBy('task-tiers', 'tier gold is not among bronze'));
  });

  test('missing params: failurePolicy Fail denies naming the ConfigMap, and its creation admits', async () => {
    await harness.until(
      'team-b',
      'gold',
      deniedBy('task-tiers', 'spec.paramRef: params ConfigMap "team-b/task-tiers" not found'),
    );
    await harness.setParams('team-b', 'task-tiers', { allowedTiers: 'gold' });
    await harness.until('team-b', 'gold', allowed);
  });

  test('missing params: failurePolicy Ignore skips the policy', async () => {
    await harness.createPolicy(
      policy('lenient-tiers', { paramRef: { name: 'absent' }, failurePolicy: 'Ignore' }),
    );
    const lenientError =
      /orka_webhook_policy_evaluations_total\{[^}]*policy="lenient-tiers"[^}]*result="error"[^}]*\} [1-9]/;
    let metrics = '';
    const decisions: Decision[] = [];
    await eventually(
      () => `a lenient-tiers evaluation error in the metrics; last scrape:\n${metrics}`,
      async () => {
        decisions.push(await harness.decide('team-b', 'gold'));
        metrics = await harness.metrics();
        return lenientError.test(metrics);
      },
      REVIEW_POLL,
    );
    assert.deepEqual(
      decisions,
      decisions.map(() => allowed),
      'every decision while the policy loaded',
    );
    await harness.deletePolicy('lenient-tiers');
  });

  test('a paramRef with a namespace reads that namespace for requests from any', async () => {
    await harness.deletePolicy('task-tiers');
    await harness.setParams('orka-params', 'shared-tiers', { allowedTiers: 'bronze' });
    await harness.createPolicy(
      policy('shared-tiers', { paramRef: { name: 'shared-tiers', namespace: 'orka-params' } }),
    );
    for (const namespace of ['team-a', 'team-b']) {
      await harness.until(
        namespace,
        'gold',
        deniedBy('shared-tiers', 'tier gold is not among bronze'),
      );
    }
    await harness.deletePolicy('shared-tiers');
    await harness.until('team-a', 'gold', allowed);
  });
});

describe('params watches follow the policies', () => {
  let standin: KubeStandin;
  before(async () => {
    standin = await startKubeStandin();
    await new Harness(standin).setup(['team-a']);
  });
  after(() => standin?.stop());

  test('only the ConfigMaps policies name are watched, by name, and no longer once unnamed', async () => {
    const silent = { info: () => undefined, warn: () => undefined };
    const store = new PolicyStore({ flags: {}, paths: [], logger: silent });
    const harness = new Harness(standin);
    standin.addUser({ username: LOOKUP_USER });
    const cluster = await startClusterLookups(standin.kubeConfigFor(LOOKUP_USER), store, silent);
    try {
      assert.deepEqual(cluster.params.watched(), []);
      await harness.setParams('team-a', 'named', { allowedTiers: 'gold' });
      await harness.setParams('team-a', 'unrelated', { allowedTiers: 'bronze' });
      await harness.createPolicy(policy('p-request-ns', { paramRef: { name: 'named' } }));
      await harness.createPolicy(
        policy('p-fixed-ns', { paramRef: { name: 'named', namespace: 'team-a' } }),
      );
      await eventually(
        () => `two custom policies (have: ${store.policies.validate.custom.map((p) => p.name)})`,
        async () => store.policies.validate.custom.length === 2,
      );
      assert.deepEqual(cluster.params.watched(), ['*/named', 'team-a/named']);
      const named = cluster.lookups.params?.({ name: 'named' }, 'team-a') as
        | { data?: Record<string, string> }
        | undefined;
      assert.deepEqual(named?.data, { allowedTiers: 'gold' });
      assert.equal(cluster.lookups.params?.({ name: 'unrelated' }, 'team-a'), undefined);
      await harness.deletePolicy('p-request-ns');
      await eventually(
        () => `only team-a/named watched (watched: ${cluster.params.watched()})`,
        async () => cluster.params.watched().join() === 'team-a/named',
      );
      const configMapRequests = standin
        .requestsBy(LOOKUP_USER)
        .filter((record) => record.resource === 'configmaps');
      assert.deepEqual(
        [
          ...new Set(configMapRequests.map((record) => `${record.verb} ${record.namespace}`)),
        ].sort(),
        ['list ', 'list team-a', 'watch ', 'watch team-a'],
      );
      await harness.deletePolicy('p-fixed-ns');
    } finally {
      await cluster.stop();
    }
  });
  test('policies from files (--policies) have their ConfigMaps watched too', async () => {
    const silent = { info: () => undefined, warn: () => undefined };
    const dir = mkdtempSync(join(tmpdir(), 'orka-params-files-'));
    writeFileSync(
      join(dir, 'file-tiers.yaml'),
      stringify(policy('file-tiers', { paramRef: { name: 'file-tiers', namespace: 'team-a' } })),
    );
    const store = new PolicyStore({ flags: {}, paths: [dir], logger: silent });
    const cluster = await startClusterLookups(standin.kubeConfig, store, silent);
    try {
      await new Harness(standin).setParams('team-a', 'file-tiers', { allowedTiers: 'gold' });
      assert.deepEqual(cluster.params.watched(), ['team-a/file-tiers']);
      await eventually(
        'the ConfigMap created after the watch started to reach the cache',
        async () =>
          cluster.lookups.params?.({ name: 'file-tiers', namespace: 'team-a' }, 'team-a') !==
          undefined,
      );
    } finally {
      await cluster.stop();
      store.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** The rules the chart's webhook ClusterRole grants, rendered with `values`. */
function chartWebhookRules(values: unknown): AccessRule[] {
  const role = find(render(values), 'ClusterRole', 'orka-webhook') as unknown as {
    rules: AccessRule[];
  };
  return role.rules;
}

describe('params and the chart RBAC (webhook.paramKinds)', { skip: HELM_UNAVAILABLE }, () => {
  const paramKinds = { webhook: { paramKinds: [{ apiGroup: '', resource: 'configmaps' }] } };

  test('the webhook ClusterRole grants read on the listed kinds, and nothing by default', () => {
    const granting = chartWebhookRules(paramKinds);
    assert.ok(
      granting.some(
        (rule) =>
          rule.apiGroups?.join() === '' &&
          rule.resources?.join() === 'configmaps' &&
          rule.verbs.join() === 'list,watch',
      ),
      JSON.stringify(granting),
    );
    const byDefault = chartWebhookRules({});
    assert.equal(JSON.stringify(byDefault).includes('configmaps'), false);
  });

  test('an invalid paramKinds entry is refused by the values schema', () => {
    assert.throws(
      () => render({ webhook: { paramKinds: [{ apiGroup: '', resource: 'ConfigMaps' }] } }),
      /paramKinds/,
    );
    assert.throws(
      () => render({ webhook: { paramKinds: [{ resource: 'configmaps' }] } }),
      /apiGroup/,
    );
  });

  test('without the rule the webhook says why params are unreadable; with it, params decide', async () => {
    const standin = await startKubeStandin();
    const harness = new Harness(standin);
    try {
      standin.addUser({ username: WEBHOOK_USER, groups: ['system:serviceaccounts'] });
      standin.setAuthorizer(ruleAuthorizer({ [WEBHOOK_USER]: chartWebhookRules({}) }));
      await harness.setup(['team-a']);
      await harness.setParams('team-a', 'task-tiers', { allowedTiers: 'gold' });
      await harness.createPolicy(policy('task-tiers', { paramRef: { name: 'task-tiers' } }));
      await harness.start(standin.kubeConfigFor(WEBHOOK_USER));

      await harness.until(
        'team-a',
        'gold',
        deniedBy('task-tiers', 'spec.paramRef: params ConfigMap "team-a/task-tiers" not found'),
      );
      const warning = harness.logs.find((line) => line.paramRef === '*/task-tiers');
      assert.ok(warning, JSON.stringify(harness.logs.map((line) => line.msg)));
      assert.equal(warning.status, 403);
      assert.match(
        String(warning.msg),
        /^cannot read params ConfigMap "task-tiers" in any namespace: forbidden; .*webhook\.paramKinds/,
      );
      assert.match(
        String(warning.error),
        /configmaps.* is forbidden: User "system:serviceaccount:orka-system:orka-webhook"/,
      );

      standin.setAuthorizer(ruleAuthorizer({ [WEBHOOK_USER]: chartWebhookRules(paramKinds) }));
      await harness.until(
        'team-a',
        'bronze',
        deniedBy('task-tiers', 'tier bronze is not among gold'),
      );
      assert.deepEqual(await harness.decide('team-a', 'gold'), allowed);
      // the list fills the cache before the watch is up, and the line is written once both are
      await eventually(
        () =>
          `"readable again" in the log: ${JSON.stringify(harness.logs.map((line) => line.msg))}`,
        () => harness.logs.some((line) => line.msg === 'params ConfigMap readable again'),
        REVIEW_POLL,
      );
    } finally {
      await harness.stop();
      await standin.stop();
    }
  });
});
