// Rollout evidence through the real webhook server over HTTPS: per-policy evaluation counters by
// action and result on /metrics, and an Event per Warn and Audit outcome, none for dry-run.
// (The test webhook has no Namespace lookups, so per-namespace overrides are asserted at the chain
// level in test/unit/policy-ops/overrides.test.ts.)
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { KubeObject } from '../../../policy/chain/request.ts';
import { reviewOf, startTestWebhook, type TestWebhook } from '../webhooks/fixture.ts';

const maxTurnsPolicy = (
  name: string,
  actions: string,
  extra = '',
) => `apiVersion: policy.orka.ai/v1alpha1
kind: AdmissionPolicy
metadata: { name: ${name} }
spec:
  validationActions: ${actions}
${extra}  matchConstraints:
    resourceRules:
    - { apiGroups: [core.orka.ai], apiVersions: ["*"], resources: [tasks], operations: [CREATE] }
  validations:
  - expression: "effective.maxTurns <= 20"
    messageExpression: "'maxTurns ' + string(effective.maxTurns) + ' is above 20'"
`;

const agent: KubeObject = {
  apiVersion: 'core.orka.ai/v1alpha1',
  kind: 'Agent',
  metadata: { name: 'claude', namespace: 'team-a' },
  spec: { runtime: { type: 'claude' } },
};

const task = (name: string, maxTurns: number): KubeObject => ({
  apiVersion: 'core.orka.ai/v1alpha1',
  kind: 'Task',
  metadata: { name, namespace: 'team-a', uid: `uid-${name}` },
  spec: { type: 'agent', agentRef: { name: 'claude' }, prompt: 'go', agentRuntime: { maxTurns } },
});

function counter(metrics: string, policy: string, action: string, result: string): number {
  const line = metrics
    .split('\n')
    .find((l) =>
      l.startsWith(
        `orka_webhook_policy_evaluations_total{policy="${policy}",action="${action}",result="${result}"} `,
      ),
    );
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('rollout evidence from the webhook', () => {
  let webhook: TestWebhook;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'orka-rollout-'));
    writeFileSync(join(dir, 'turns-audit.yaml'), maxTurnsPolicy('turns-audit', '[Audit]'));
    writeFileSync(join(dir, 'turns-warn.yaml'), maxTurnsPolicy('turns-warn', '[Warn, Audit]'));
    writeFileSync(
      join(dir, 'turns-broken.yaml'),
      maxTurnsPolicy('turns-broken', '[Deny]', '  failurePolicy: Ignore\n').replace(
        'effective.maxTurns <= 20',
        "object.metadata.labels.tier == 'gold'",
      ),
    );
    webhook = await startTestWebhook({
      flags: { 'task-provenance-admission-enabled': false },
      policyPaths: [dir],
      agents: [agent],
    });
  });
  after(async () => {
    await webhook.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('counters by policy, action and result; an Event per Warn and Audit outcome', async () => {
    const before = webhook.events.length;
    for (const [name, turns] of [
      ['over-1', 40],
      ['over-2', 50],
      ['under', 10],
    ] as const) {
      const answer = await webhook.post('/validate', reviewOf(task(name, turns), { uid: name }));
      assert.equal((answer.json.response as { allowed: boolean }).allowed, true);
    }
    const metrics = (await webhook.get('/metrics')).text;
    assert.equal(counter(metrics, 'turns-audit', 'audit', 'fail'), 2);
    assert.equal(counter(metrics, 'turns-audit', 'audit', 'pass'), 1);
    assert.equal(counter(metrics, 'turns-warn', 'warn+audit', 'fail'), 2);
    assert.equal(counter(metrics, 'turns-warn', 'warn+audit', 'pass'), 1);
    // an error under failurePolicy Ignore admits, but the metric shows it
    assert.equal(counter(metrics, 'turns-broken', 'deny', 'error'), 3);
    assert.equal(counter(metrics, 'orka-task-semantics', 'deny', 'pass'), 3);

    const recorded = webhook.events.slice(before);
    const over1 = recorded.filter((event) => event.subject.name === 'over-1');
    assert.deepEqual(over1.map((event) => event.reason).sort(), [
      'PolicyAudit',
      'PolicyAudit',
      'PolicyWarning',
    ]);
    assert.ok(
      over1.every((event) => event.subject.kind === 'Task' && event.subject.uid === 'uid-over-1'),
    );
    assert.ok(over1.some((event) => event.message === 'turns-warn: maxTurns 40 is above 20'));
    assert.ok(
      over1.some(
        (event) =>
          event.reason === 'PolicyAudit' &&
          event.message.startsWith('turns-audit/validation_failure: ') &&
          event.message.includes('maxTurns 40 is above 20'),
      ),
    );
    assert.equal(recorded.filter((event) => event.subject.name === 'under').length, 0);
  });

  test('dry-run requests are counted but record no Event', async () => {
    const before = webhook.events.length;
    const metricsBefore = (await webhook.get('/metrics')).text;
    const answer = await webhook.post(
      '/validate',
      reviewOf(task('dry', 40), { uid: 'dry', dryRun: true }),
    );
    assert.deepEqual((answer.json.response as { warnings: string[] }).warnings, [
      'turns-warn: maxTurns 40 is above 20',
    ]);
    assert.equal(webhook.events.length, before);
    const metrics = (await webhook.get('/metrics')).text;
    assert.equal(
      counter(metrics, 'turns-audit', 'audit', 'fail'),
      counter(metricsBefore, 'turns-audit', 'audit', 'fail') + 1,
    );
  });

  test('/mutate counts no validations', async () => {
    const metricsBefore = (await webhook.get('/metrics')).text;
    await webhook.post('/mutate', reviewOf(task('mutated', 40), { uid: 'm' }));
    const metrics = (await webhook.get('/metrics')).text;
    assert.equal(
      counter(metrics, 'turns-audit', 'audit', 'fail'),
      counter(metricsBefore, 'turns-audit', 'audit', 'fail'),
    );
  });
});
