// The webhook's cluster access as its own ServiceAccount under the chart's RBAC: its informers
// (Agents, Namespaces, AdmissionPolicies) list and watch, and its Warn/Audit Events are written.
// No other test runs the webhook against the stand-in as orka-webhook, so without this file the
// RBAC audit could not tell whether the chart's webhook grants are needed or enough.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { startClusterLookups } from '../../../webhooks/cluster.ts';
import { clientNodeEventRecorder } from '../../../webhooks/events.ts';
import { PolicyStore } from '../../../webhooks/policies.ts';
import { componentKubeConfig, startStandinWithChartRbac } from '../../helpers/chart-rbac.ts';
import { eventually } from '../../helpers/eventually.ts';
import { componentUsername, type KubeStandin } from '../../kube/index.ts';
import { createAgent, installCrds } from '../reconcilers/harness.ts';
import { HELM_UNAVAILABLE } from './chart.ts';

const WEBHOOK = componentUsername('webhook');

describe('the webhook as orka-webhook under the chart RBAC', { skip: HELM_UNAVAILABLE }, () => {
  let standin: KubeStandin;
  let lookups: Awaited<ReturnType<typeof startClusterLookups>>;
  const warnings: string[] = [];
  const logger = {
    info: () => undefined,
    warn: (fields: Record<string, unknown>, message: string) =>
      warnings.push(`${message} ${JSON.stringify(fields)}`),
  };

  before(async () => {
    standin = await startStandinWithChartRbac();
    await installCrds(standin);
    await standin.kubeConfig
      .makeApiClient(CoreV1Api)
      .createNamespace({ body: { metadata: { name: 'team-a' } } });
    await createAgent(standin.kubeConfig.makeApiClient(CustomObjectsApi), 'team-a', 'coder');
    const store = new PolicyStore({ flags: {}, paths: [], logger });
    lookups = await startClusterLookups(componentKubeConfig(standin, 'webhook'), store, logger);
  });

  after(async () => {
    await lookups?.stop();
    await standin?.stop();
  });

  test('its informers list and watch Agents, Namespaces and AdmissionPolicies', async () => {
    await eventually('the webhook informers synced', () => lookups.lookups.ready());
    const agent = lookups.lookups.agent('team-a', 'coder');
    assert.equal((agent?.metadata as { name?: string } | undefined)?.name, 'coder');
    assert.ok(lookups.lookups.namespace('team-a'), 'the namespace is cached');
    const calls = standin
      .requestsBy(WEBHOOK)
      .map((r) => `${r.verb} ${r.group}/${r.resource} ${r.code ?? ''}`);
    for (const resource of [
      'core.orka.ai/agents',
      '/namespaces',
      'policy.orka.ai/admissionpolicies',
    ]) {
      assert.ok(calls.includes(`list ${resource} 200`), `${resource} listed: ${calls.join(', ')}`);
      assert.ok(
        calls.some((c) => c.startsWith(`watch ${resource} `)),
        `${resource} watched: ${calls.join(', ')}`,
      );
    }
    assert.deepEqual(warnings, []);
  });

  test('a policy Event is written in the subject namespace', async () => {
    const failures: string[] = [];
    clientNodeEventRecorder(componentKubeConfig(standin, 'webhook'), {
      component: 'orka-webhook',
      onError: (message) => failures.push(message),
    }).record({
      subject: {
        apiVersion: 'core.orka.ai/v1alpha1',
        kind: 'Task',
        name: 'fix',
        namespace: 'team-a',
      },
      reason: 'PolicyWarning',
      message: 'a Warn policy matched',
    });
    const core = standin.kubeConfig.makeApiClient(CoreV1Api);
    const event = await eventually('the webhook Event exists', async () => {
      const events = await core.listNamespacedEvent({ namespace: 'team-a' });
      return events.items.find((e) => e.source?.component === 'orka-webhook');
    });
    assert.equal(event.reason, 'PolicyWarning');
    assert.deepEqual(failures, []);
  });
});
