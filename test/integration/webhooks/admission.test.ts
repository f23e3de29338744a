import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { KubeObject } from '../../../policy/chain/request.ts';
import { applyPatch, type PatchOperation } from '../../../policy/json-patch/apply.ts';
import { admitRequest, agent, stamped, task } from '../../unit/policy-builtin/harness.ts';
import { reviewOf, startTestWebhook, type TestWebhook } from './fixture.ts';

const response = (json: Record<string, unknown>) => json.response as Record<string, unknown>;
const statusOf = (json: Record<string, unknown>) =>
  response(json).status as { code: number; reason: string; message: string } | undefined;

interface BuiltinCase {
  name: string;
  object: KubeObject;
  flags?: Record<string, unknown>;
  agents?: KubeObject[];
  /** `<policy>: <message>` parts of the denial, in order; empty when admitted */
  want: string[];
  /** text the denial must not contain */
  absent?: string[];
  code?: number;
}

const TXN = {
  profile: 'kontxt',
  id: 'txn-1',
  issuer: 'https://tts.example.com',
  subject: 'ci-bot',
};

const builtinCases: BuiltinCase[] = [
  { name: 'a plain Task with its Agent is admitted', object: task(), agents: [agent()], want: [] },
  {
    name: 'provenance: spec.transaction on CREATE',
    object: task({ spec: { transaction: TXN } }),
    agents: [agent()],
    want: [
      'orka-task-provenance: direct Task create cannot set Orka-managed provenance fields: spec.transaction',
    ],
    code: 403,
  },
  {
    name: 'namespace isolation: a cross-namespace agentRef',
    object: task({ spec: { agentRef: { name: 'claude-agent', namespace: 'shared' } } }),
    flags: { 'enforce-namespace-isolation': true },
    want: [
      'orka-namespace-isolation: cross-namespace agent reference not allowed when namespace isolation is enforced: agent "claude-agent" in namespace "shared", task in "team-a"',
    ],
  },
  {
    name: 'sandbox workspace: a request without the sandbox enabled',
    object: task({
      spec: { execution: { workspace: { enabled: true, templateRef: { name: 'x' } } } },
    }),
    agents: [agent()],
    want: ['orka-sandbox-workspace: execution workspace requires agent sandbox to be enabled'],
  },
  {
    name: 'sandbox workspace: admitted with the sandbox enabled',
    object: task({ spec: { execution: { workspace: { enabled: true } } } }),
    agents: [agent()],
    flags: { 'agent-sandbox-enabled': true, 'agent-sandbox-default-template': 'coding-agent' },
    want: [],
  },
  {
    name: 'a missing agentRef is the schema’s answer alone, not repeated by task semantics',
    object: task({ spec: { agentRef: undefined } }),
    want: ['schema: spec.agentRef: Required value: type: agent tasks require an agentRef'],
    absent: ['orka-task-semantics'],
  },
  {
    name: 'agent semantics: runtime and providerRef are exclusive',
    object: agent({ spec: { providerRef: { name: 'openai' } } }),
    want: ['orka-agent-semantics: runtime and providerRef are mutually exclusive'],
  },
  {
    name: 'schema: an unknown runtime is worded as the apiserver words it',
    object: agent({ spec: { runtime: { type: 'gemini' } } }),
    want: ['spec.runtime.type: Unsupported value: "gemini"'],
  },
];

describe('built-in policies through /validate over HTTPS', () => {
  for (const c of builtinCases) {
    test(c.name, async () => {
      const webhook = await startTestWebhook({ flags: c.flags ?? {}, agents: c.agents ?? [] });
      try {
        const answer = await webhook.post('/validate', reviewOf(c.object, { uid: 'case-uid' }));
        assert.equal(answer.status, 200);
        assert.equal(answer.json.apiVersion, 'admission.k8s.io/v1');
        assert.equal(answer.json.kind, 'AdmissionReview');
        assert.equal(response(answer.json).uid, 'case-uid');
        const offline = admitRequest({
          object: c.object,
          flags: c.flags ?? {},
          agent: c.agents?.[0] ?? null,
        });
        assert.equal(response(answer.json).allowed, c.want.length === 0);
        assert.equal(response(answer.json).allowed, offline.allowed, 'same decision as offline');
        if (c.want.length === 0) {
          assert.equal(statusOf(answer.json), undefined);
          return;
        }
        const status = statusOf(answer.json)!;
        for (const part of c.want)
          assert.ok(status.message.includes(part), `${status.message} ⊇ ${part}`);
        for (const part of c.absent ?? [])
          assert.ok(!status.message.includes(part), `${status.message} ⊉ ${part}`);
        assert.equal(
          status.message,
          offline.denials.map((d) => `${d.policy}: ${d.message}`).join('; '),
        );
        assert.equal(status.code, offline.code);
        if (c.code) assert.equal(status.code, c.code);
      } finally {
        await webhook.close();
      }
    });
  }
});

describe('one server: mutation, Warn, Audit, policy admission, bad input', () => {
  let webhook: TestWebhook;
  const dir = mkdtempSync(join(tmpdir(), 'orka-webhook-'));
  before(async () => {
    writeFileSync(
      join(dir, 'policies.yaml'),
      `apiVersion: policy.orka.ai/v1alpha1
kind: AdmissionPolicy
metadata: { name: max-turns-warn }
spec:
  validationActions: [Warn]
  matchConstraints:
    resourceRules: [{ apiGroups: [core.orka.ai], apiVersions: ["*"], resources: [tasks], operations: [CREATE] }]
  validations:
  - expression: "effective.maxTurns <= 20"
    messageExpression: "'maxTurns ' + string(effective.maxTurns) + ' is above 20'"
---
apiVersion: policy.orka.ai/v1alpha1
kind: AdmissionPolicy
metadata: { name: tools-audit }
spec:
  validationActions: [Audit]
  matchConstraints:
    resourceRules: [{ apiGroups: [core.orka.ai], apiVersions: ["*"], resources: [tasks], operations: [CREATE] }]
  validations:
  - expression: "false"
    message: audited
  auditAnnotations: [{ key: prompt-length, valueExpression: "string(size(object.spec.prompt))" }]
---
apiVersion: policy.orka.ai/v1alpha1
kind: AdmissionPolicy
metadata: { name: gvisor }
spec:
  matchConstraints:
    resourceRules: [{ apiGroups: [core.orka.ai], apiVersions: ["*"], resources: [tasks], operations: [CREATE] }]
  mutations:
  - expression: >-
      has(object.spec.execution)
        ? [{'op': 'add', 'path': '/spec/execution/runtimeClassName', 'value': 'gvisor'}]
        : [{'op': 'add', 'path': '/spec/execution', 'value': {'runtimeClassName': 'gvisor'}}]
`,
    );
    webhook = await startTestWebhook({ policyPaths: [dir], agents: [agent()] });
  });
  after(() => webhook.close());

  test('/mutate returns a base64 JSONPatch that defaults, mutates and stamps the Task', async () => {
    const object = task({ spec: { agentRuntime: { maxTurns: 5 } } });
    const answer = await webhook.post('/mutate', reviewOf(object, { uid: 'm-1' }));
    const res = response(answer.json);
    assert.equal(res.uid, 'm-1');
    assert.equal(res.allowed, true);
    assert.equal(res.patchType, 'JSONPatch');
    const patch = JSON.parse(
      Buffer.from(String(res.patch), 'base64').toString('utf8'),
    ) as PatchOperation[];
    const patched = applyPatch(object, patch) as KubeObject;
    const expected = stamped(
      task({ spec: { agentRuntime: { maxTurns: 5 }, execution: { runtimeClassName: 'gvisor' } } }),
    );
    const offline = admitRequest({ object, agent: agent() });
    assert.deepEqual((patched.spec as Record<string, unknown>).execution, {
      runtimeClassName: 'gvisor',
    });
    assert.deepEqual(
      (patched.spec as Record<string, unknown>).requestedBy,
      (expected.spec as Record<string, unknown>).requestedBy,
    );
    assert.ok(patch.some((op) => op.path === '/spec/requestedBy'));
    assert.equal(res.warnings, undefined, 'validation warnings belong to /validate');
    assert.notDeepEqual(offline.patch, [], 'built-in defaults patch too');
  });

  test('Warn and Audit are reported, counted and recorded as Events', async () => {
    const object = stamped(task({ spec: { agentRuntime: { maxTurns: 40 } } }));
    const before = webhook.events.length;
    const answer = await webhook.post('/validate', reviewOf(object, { uid: 'w-1' }));
    const res = response(answer.json);
    assert.equal(res.allowed, true);
    assert.deepEqual(res.warnings, ['max-turns-warn: maxTurns 40 is above 20']);
    assert.deepEqual(res.auditAnnotations, {
      'tools-audit/prompt-length': '26',
      'tools-audit/validation_failure': (res.auditAnnotations as Record<string, string>)[
        'tools-audit/validation_failure'
      ],
    });
    const recorded = webhook.events.slice(before);
    assert.deepEqual(
      recorded.map((e) => e.reason),
      ['PolicyWarning', 'PolicyAudit', 'PolicyAudit'],
    );
    assert.equal(recorded[0]!.subject.name, 'fix-tests');
    assert.equal(
      webhook.metrics.policyOutcomes.get({ policy: 'max-turns-warn', action: 'warn' }),
      1,
    );
  });

  test('dry-run requests get the same answer and no Events', async () => {
    const object = stamped(task({ spec: { agentRuntime: { maxTurns: 40 } } }));
    const before = webhook.events.length;
    const answer = await webhook.post('/validate', reviewOf(object, { uid: 'd-1', dryRun: true }));
    assert.deepEqual(response(answer.json).warnings, ['max-turns-warn: maxTurns 40 is above 20']);
    assert.equal(webhook.events.length, before);
  });

  test('an AdmissionPolicy that does not compile is refused with its path and position', async () => {
    const policy = {
      apiVersion: 'policy.orka.ai/v1alpha1',
      kind: 'AdmissionPolicy',
      metadata: { name: 'broken' },
      spec: {
        matchConstraints: {
          resourceRules: [
            {
              apiGroups: ['core.orka.ai'],
              apiVersions: ['*'],
              resources: ['tasks'],
              operations: ['CREATE'],
            },
          ],
        },
        validations: [{ expression: 'object.spec.prompt ==' }],
      },
    };
    const answer = await webhook.post('/validate', reviewOf(policy, { uid: 'p-1' }));
    const status = statusOf(answer.json)!;
    assert.equal(response(answer.json).allowed, false);
    assert.equal(status.code, 422);
    assert.match(
      status.message,
      /^orka-policy-admission: spec\.validations\[0\]\.expression: .*line 1, column \d+/,
    );
  });

  test('integers beyond 2^53 reach the chain without losing digits', async () => {
    const text = JSON.stringify(reviewOf(task(), { uid: 'big' })).replace(
      '"prompt":"Fix the failing unit tests"',
      '"prompt":"Fix the failing unit tests","priority":9007199254740993',
    );
    const answer = await webhook.post('/validate', text);
    assert.equal(answer.status, 200);
    assert.equal(response(answer.json).uid, 'big');
    assert.equal(
      response(answer.json).allowed,
      false,
      'out of range priority is refused, not crashed',
    );
  });

  const badBodies: [string, string, RegExp][] = [
    ['not JSON', '{"apiVersion":', /^request body is not valid JSON/],
    ['empty', '', /^request body is empty/],
    ['a list', '[]', /must be an AdmissionReview object, got a list/],
    [
      'wrong apiVersion',
      '{"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview","request":{"uid":"x"}}',
      /apiVersion must be admission\.k8s\.io\/v1, got "admission\.k8s\.io\/v1beta1"/,
    ],
    [
      'wrong kind',
      '{"apiVersion":"admission.k8s.io/v1","kind":"Pod"}',
      /kind must be AdmissionReview, got "Pod"/,
    ],
    [
      'missing request',
      '{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}',
      /request must be an object/,
    ],
    [
      'missing uid',
      '{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{}}',
      /request\.uid is required/,
    ],
  ];
  for (const [name, body, message] of badBodies) {
    test(`400 for a body that is ${name}`, async () => {
      const answer = await webhook.post('/validate', body);
      assert.equal(answer.status, 400);
      assert.equal(answer.json.kind, 'Status');
      assert.match(String(answer.json.message), message);
    });
  }

  const deniedRequests: [string, Record<string, unknown>, RegExp][] = [
    ['a missing object on CREATE', { object: null }, /request\.object is required for CREATE/],
    ['an unknown operation', { operation: 'PATCH' }, /request\.operation must be one of/],
    [
      'a non-string username',
      { userInfo: { username: 7 } },
      /request\.userInfo\.username must be a string/,
    ],
    [
      'a kind this webhook does not admit',
      { kind: { group: '', version: 'v1', kind: 'Pod' } },
      /admits core\.orka\.ai Tasks/,
    ],
  ];
  for (const [name, override, message] of deniedRequests) {
    test(`a well-formed denial for ${name}`, async () => {
      const review = reviewOf(task(), { uid: 'bad-1' });
      Object.assign(review.request as object, override);
      const answer = await webhook.post('/validate', review);
      assert.equal(answer.status, 200);
      assert.equal(response(answer.json).uid, 'bad-1');
      assert.equal(response(answer.json).allowed, false);
      assert.equal(statusOf(answer.json)!.code, 400);
      assert.match(statusOf(answer.json)!.message, message);
    });
  }

  test('a body over 3 MiB gets a 400 naming the limit', async () => {
    const answer = await webhook.post('/validate', `{"pad":"${'x'.repeat(3 * 1024 * 1024)}"}`);
    assert.equal(answer.status, 400);
    assert.match(String(answer.json.message), /exceeds the 3145728 byte limit/);
  });

  test('health, readiness and metrics', async () => {
    assert.equal((await webhook.get('/healthz')).status, 200);
    assert.equal((await webhook.get('/readyz')).status, 200);
    const metrics = (await webhook.get('/metrics')).text;
    assert.match(metrics, /# TYPE orka_webhook_review_duration_seconds histogram/);
    assert.match(
      metrics,
      /orka_webhook_review_duration_seconds_bucket\{endpoint="validate",operation="CREATE",kind="Task",decision="allowed",le="\+Inf"\} [1-9]\d*/,
    );
    assert.match(
      metrics,
      /orka_webhook_policy_outcomes_total\{policy="max-turns-warn",action="warn"\} \d+/,
    );
    assert.match(metrics, /orka_webhook_policies_loaded\{kind="custom"\} 3/);
    const cpuSeconds = /^process_cpu_seconds_total (\S+)$/m.exec(metrics)?.[1];
    assert.ok(Number(cpuSeconds) > 0, `process_cpu_seconds_total: ${cpuSeconds}`);
    assert.match(metrics, /^# TYPE nodejs_gc_duration_seconds histogram$/m);
  });

  test('one log line per decision, without object content', async () => {
    const secretish = stamped(task({ spec: { prompt: 'token=hunter2-do-not-log' } }));
    await webhook.post('/validate', reviewOf(secretish, { uid: 'log-1' }));
    const line = webhook.logs.find((entry) => entry.uid === 'log-1')!;
    assert.equal(line.decision, 'allowed');
    assert.equal(line.user, 'alice@example.com');
    assert.equal(line.operation, 'CREATE');
    assert.equal(typeof line.latencyMs, 'number');
    assert.doesNotMatch(JSON.stringify(webhook.logs), /hunter2/);
  });
});

describe('concurrent reviews', () => {
  test('40 reviews in flight on 8 connections: each answer carries its own uid and decision', async () => {
    const webhook = await startTestWebhook({ agents: [agent()] });
    try {
      const denied = task({ spec: { transaction: TXN } });
      const sent = Array.from({ length: 40 }, (_, index) => ({
        uid: `concurrent-${index}`,
        // provenance is a validation: /mutate gets only admitted Tasks
        path: index % 4 === 0 ? '/mutate' : '/validate',
        allowed: index % 2 === 0,
      }));
      const answers = await Promise.all(
        sent.map(({ uid, path, allowed }) =>
          webhook.post(path, reviewOf(allowed ? task() : denied, { uid })),
        ),
      );
      answers.forEach((answer, index) => {
        const { uid, allowed } = sent[index]!;
        assert.equal(answer.status, 200);
        assert.equal(response(answer.json).uid, uid);
        assert.equal(response(answer.json).allowed, allowed, uid);
        if (!allowed) assert.match(statusOf(answer.json)!.message, /^orka-task-provenance: /);
      });
      const decisions = webhook.logs.filter((line) => typeof line.uid === 'string');
      assert.deepEqual(
        decisions.map((line) => line.uid).sort(),
        sent.map(({ uid }) => uid).sort(),
        'one decision line per review',
      );
    } finally {
      await webhook.close();
    }
  });
});
