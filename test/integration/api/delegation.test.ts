// Delegation (DESIGN §8): a worker asks for a child of its own Task; the API checks the binding,
// the parent's transaction context and the child-scope subset rule, verifies the exchanged child
// token, and writes the child (and its token Secret) as the controller.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CoreV1Api } from '@kubernetes/client-node';
import { CONTROLLER, type Harness, startHarness, type Worker } from './harness.ts';

const PARENT_SPEC = {
  type: 'agent',
  agentRef: { name: 'claude-agent' },
  prompt: 'Coordinate',
  requestedBy: { subject: 'workload-a', username: 'workload-a' },
  transaction: {
    profile: 'kontxt',
    id: 'txn-1',
    scope: 'orka:tasks:create orka:tasks:get',
    scopes: ['orka:tasks:create', 'orka:tasks:get'],
    context: { namespace: 'team-a', taskType: 'agent', allowedTools: '["Read","Write"]' },
  },
};
const PARENT_METADATA = {
  labels: { 'orka.ai/transaction-id': 'txn-1', 'orka.ai/auth-profile': 'kontxt' },
  annotations: { 'orka.ai/transaction-id': 'txn-1' },
};

// biome-ignore lint/suspicious/noExplicitAny: assertions walk the stored object field by field
type StoredTask = any;

const child = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  type: 'agent',
  agentRef: { name: 'claude-agent' },
  prompt: 'Sub-task',
  agentRuntime: { allowedTools: ['Read'], allowBash: false },
  ...extra,
});

describe('delegation endpoint', () => {
  let h: Harness;
  let parent: Worker;
  let stranger: Worker;
  before(async () => {
    h = await startHarness();
    parent = await h.startWorker('team-a', 'parent');
    // startWorker creates the Task with a plain spec; the parent needs its provenance.
    await h.custom.deleteNamespacedCustomObject({
      group: 'core.orka.ai',
      version: 'v1alpha1',
      plural: 'tasks',
      namespace: 'team-a',
      name: 'parent',
    });
    await h.putTask(
      'team-a',
      'parent',
      PARENT_SPEC,
      { phase: 'Running', jobName: parent.jobName },
      PARENT_METADATA,
    );
    stranger = await h.startWorker('team-a', 'stranger');
  });
  after(() => h.close());

  const delegate = (worker: Worker, body: unknown, parentName = 'parent') =>
    h.request('POST', `/internal/v1/tasks/team-a/${parentName}/children`, {
      token: worker.token,
      body,
    });

  test('a child within the parent context is created as the controller, with inherited provenance', async () => {
    const response = await delegate(parent, { task: child('child-1') });
    assert.equal(response.status, 201, response.text);
    const created = (await h.getTask('team-a', 'child-1')) as StoredTask;
    assert.deepEqual(created.spec.requestedBy, PARENT_SPEC.requestedBy);
    assert.deepEqual(created.spec.transaction, PARENT_SPEC.transaction);
    assert.equal(created.metadata.labels['orka.ai/parent-task'], 'parent');
    assert.equal(created.metadata.labels['orka.ai/transaction-id'], 'txn-1');
    assert.equal(created.metadata.annotations['orka.ai/parent-task-name'], 'parent');
    assert.ok(
      h.standin.requestsBy(CONTROLLER).some((r) => r.verb === 'create' && r.resource === 'tasks'),
    );
  });

  const refusals: [string, () => Promise<unknown>, number, string][] = [
    [
      'another worker',
      () => delegate(stranger, { task: child('c-x') }),
      403,
      'cross-namespace access denied',
    ],
    [
      'a child of another task type',
      () => delegate(parent, { task: { name: 'c-ai', type: 'ai', ai: { prompt: 'p' } } }),
      403,
      'child task task type "ai" does not match transaction context "agent"',
    ],
    [
      'a tool outside allowedTools',
      () =>
        delegate(parent, { task: child('c-tool', { agentRuntime: { allowedTools: ['Bash'] } }) }),
      403,
      'child task tool "Bash" is not allowed by transaction context',
    ],
    [
      'another namespace',
      () => delegate(parent, { task: child('c-ns', { namespace: 'team-b' }) }),
      403,
      'child task namespace "team-b" does not match the parent\'s namespace "team-a"',
    ],
    [
      'a scope the parent lacks',
      () => delegate(parent, { task: child('c-scope'), childScope: 'orka:tasks:delete' }),
      403,
      'child transaction scope "orka:tasks:delete" is not present in parent transaction scopes',
    ],
    [
      'client provenance',
      () => delegate(parent, { task: { ...child('c-prov'), requestedBy: {} } }),
      400,
      'requestedBy cannot be set by clients',
    ],
    [
      'a token without a scope',
      () => delegate(parent, { task: child('c-noscope'), transactionToken: 'x' }),
      400,
      'childScope is required with transactionToken',
    ],
  ];
  for (const [what, call, status, message] of refusals) {
    test(`refuses ${what}`, async () => {
      const response = (await call()) as { status: number; json: unknown };
      assert.equal(response.status, status, JSON.stringify(response.json));
      assert.deepEqual(response.json, { error: { code: status, message } });
    });
  }

  test('an exchanged child token is verified, kept in a Secret owned by the child, never on the Task', async () => {
    const wrongTxn = await h.contextToken({ txn: 'txn-other', scope: 'orka:tasks:get' });
    const refused = await delegate(parent, {
      task: child('c-wrong'),
      childScope: 'orka:tasks:get',
      transactionToken: wrongTxn,
    });
    assert.equal(refused.status, 403);
    assert.equal(
      refused.json.error.message,
      'child transaction token belongs to another transaction',
    );
    const token = await h.contextToken({ txn: 'txn-1', scope: 'orka:tasks:get' });
    const response = await delegate(parent, {
      task: child('c-token'),
      childScope: 'orka:tasks:get',
      transactionToken: token,
    });
    assert.equal(response.status, 201, response.text);
    const created = (await h.getTask('team-a', 'c-token')) as StoredTask;
    assert.deepEqual(created.spec.transaction.scopes, ['orka:tasks:get']);
    const secretName = created.metadata.annotations['orka.ai/transaction-token-secret'];
    assert.match(secretName, /^parent-txn-[0-9a-f]+-[0-9a-f]{10}$/);
    assert.equal(created.metadata.annotations['orka.ai/transaction-token-pending'], undefined);
    assert.ok(!JSON.stringify(created).includes(token));
    const secret = await h.standin.kubeConfig
      .makeApiClient(CoreV1Api)
      .readNamespacedSecret({ namespace: 'team-a', name: secretName });
    assert.equal(Buffer.from(secret.data!.token!, 'base64').toString(), token);
    assert.equal(secret.metadata!.ownerReferences![0]!.name, 'c-token');
    assert.equal(secret.metadata!.ownerReferences![0]!.uid, created.metadata.uid);
  });

  test('a finished parent cannot delegate', async () => {
    await h.custom.patchNamespacedCustomObjectStatus({
      group: 'core.orka.ai',
      version: 'v1alpha1',
      plural: 'tasks',
      namespace: 'team-a',
      name: 'parent',
      body: [{ op: 'replace', path: '/status/phase', value: 'Succeeded' }],
    });
    const response = await delegate(parent, { task: child('c-late') });
    assert.equal(response.status, 409);
    assert.equal(response.json.error.message, 'parent task "parent" has finished (Succeeded)');
  });
});
