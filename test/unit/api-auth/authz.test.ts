import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Identity } from '../../../api/auth/identity.ts';
import { type JsonObject, parseJsonPreservingNumbers } from '../../../api/auth/json-literal.ts';
import {
  authorizeAction,
  authorizeTaskCreate,
  authorizeTaskRead,
  filterListedTasks,
} from '../../../api/authz/authorize.ts';
import { contextDigest, goJsonEncode } from '../../../api/authz/go-json.ts';
import { parseContextTokenAuthzConfig } from '../../../api/authz/scopes.ts';
import { applyProvenanceStamp, provenanceStamp } from '../../../api/authz/stamp.ts';
import { type TaskLike, taskAuthzSubject } from '../../../api/authz/task-subject.ts';
import { taskContextFailures } from '../../../api/authz/tctx.ts';

const json = (text: string) => parseJsonPreservingNumbers(text) as JsonObject;

function contextIdentity(tctxText: string, scope = 'orka:tasks:create'): Identity {
  const tctx = json(tctxText);
  return {
    authType: 'contextToken',
    username: 'svc',
    uid: '',
    groups: [],
    extra: {},
    subject: 'svc',
    issuer: 'https://kontxt.example/',
    email: '',
    roles: scope.split(' '),
    namespace: typeof tctx.namespace === 'string' ? tctx.namespace : '',
    contextToken: {
      profile: 'kontxt',
      type: 'txntoken+jwt',
      issuer: 'https://kontxt.example/',
      subject: 'svc',
      audience: ['orka-api'],
      transactionId: 'Txn/0001 ÄB',
      scope,
      scopes: scope.split(' '),
      requestingWorkload: 'wl',
      tctx,
      rctx: json('{"ip":"10.0.0.1"}'),
      issuedAt: 0,
      expiresAt: 0,
    },
  };
}

const saIdentity: Identity = {
  authType: 'serviceAccount',
  username: 'system:serviceaccount:team-a:orka-client',
  uid: 'u',
  groups: ['system:serviceaccounts'],
  extra: {},
  subject: '',
  issuer: '',
  email: '',
  roles: [],
  namespace: 'team-a',
  contextToken: null,
};

describe('digests (reference §3.6)', () => {
  test('the reference test vector', () => {
    assert.equal(
      contextDigest(
        json('{"namespace":"default","taskType":"agent","allowedTools":["Write","Read"]}'),
      ),
      'sha256:6140e652086a71d8f40a1760b30ca5698f9d1711141d7baada537e4359d37688',
    );
  });
  test('set order does not change the digest; other list order does', () => {
    const a = contextDigest(
      json('{"allowedTools":["Read","Write"],"x":{"allowedAgents":["b","a"]}}'),
    );
    const b = contextDigest(
      json('{"x":{"allowedAgents":["a","b"]},"allowedTools":["Write","Read"]}'),
    );
    assert.equal(a, b);
    assert.notEqual(
      contextDigest(json('{"repos":["a","b"]}')),
      contextDigest(json('{"repos":["b","a"]}')),
    );
  });
  test('absent or empty context has no digest', () => {
    assert.equal(contextDigest(null), '');
    assert.equal(contextDigest(json('{}')), '');
  });
  const encodings: [string, string][] = [
    ['{"b":1,"a":2}', '{"a":2,"b":1}'],
    [
      '{"n":1.0,"e":1e3,"big":12345678901234567890}',
      '{"big":12345678901234567890,"e":1e3,"n":1.0}',
    ],
    ['{"h":"<a&b>"}', '{"h":"\\u003ca\\u0026b\\u003e"}'],
    ['{"s":"line\\u2028sep"}', '{"s":"line\\u2028sep"}'],
    ['{"c":"\\u0001\\b\\f\\n\\t"}', '{"c":"\\u0001\\b\\f\\n\\t"}'],
    ['{"u":"é/é"}', '{"u":"é/é"}'],
  ];
  for (const [input, expected] of encodings) {
    test(`Go encoding of ${input}`, () => assert.equal(goJsonEncode(json(input)), expected));
  }
});

describe('provenance stamp (reference §3.6, DESIGN §5)', () => {
  test('ServiceAccount callers get requestedBy with username and groups, nothing else', () => {
    const stamp = provenanceStamp(saIdentity);
    assert.deepEqual(stamp.requestedBy, {
      username: 'system:serviceaccount:team-a:orka-client',
      groups: ['system:serviceaccounts'],
    });
    assert.equal(stamp.transaction, null);
    assert.deepEqual(stamp.labels, {});
  });

  test('OIDC callers: subject, issuer, username, email, groups, roles', () => {
    const stamp = provenanceStamp({
      ...saIdentity,
      authType: 'oidc',
      username: 'alice',
      subject: 'u-1',
      issuer: 'https://idp',
      email: 'a@x',
      roles: ['r'],
      groups: [],
    });
    assert.deepEqual(stamp.requestedBy, {
      subject: 'u-1',
      issuer: 'https://idp',
      username: 'alice',
      email: 'a@x',
      roles: ['r'],
    });
  });

  test('context-token callers: requestedBy, transaction, labels and annotations', () => {
    const identity = contextIdentity(
      '{"namespace":"default","taskType":"agent","allowedTools":["Write","Read"],"maxDepth":2.0,"e2e":true,"nested":{"a":1},"allowedAgents":[],"purpose":""}',
    );
    const stamp = provenanceStamp(identity);
    assert.deepEqual(stamp.requestedBy, {
      subject: 'svc',
      issuer: 'https://kontxt.example/',
      username: 'svc',
      roles: ['orka:tasks:create'],
    });
    assert.equal(stamp.transaction?.profile, 'kontxt');
    assert.equal(stamp.transaction?.id, 'Txn/0001 ÄB');
    assert.deepEqual(stamp.transaction?.context, {
      namespace: 'default',
      taskType: 'agent',
      allowedAgents: '[]',
      maxDepth: '2.0',
      allowedTools: '["Write","Read"]',
      e2e: 'true',
    });
    assert.match(stamp.transaction?.contextDigest ?? '', /^sha256:[0-9a-f]{64}$/);
    assert.match(stamp.transaction?.requesterContextDigest ?? '', /^sha256:[0-9a-f]{64}$/);
    assert.equal(stamp.labels['orka.ai/auth-profile'], 'kontxt');
    assert.equal(stamp.labels['orka.ai/transaction-id'], 'txn-0001--b');
    assert.equal(stamp.annotations['orka.ai/transaction-id'], 'Txn/0001 ÄB');
    assert.equal(stamp.annotations['orka.ai/transaction-scope'], 'orka:tasks:create');
    const task = applyProvenanceStamp(
      { metadata: { name: 't', labels: { app: 'x' } }, spec: { type: 'agent' } },
      stamp,
    );
    assert.equal(task.metadata?.labels?.app, 'x');
    assert.deepEqual(task.spec?.transaction, stamp.transaction);
  });
});

describe('scopes and modes (reference §3.4)', () => {
  const enforce = parseContextTokenAuthzConfig({ mode: 'enforce' });
  const audit = parseContextTokenAuthzConfig({ mode: 'AUDIT' });
  const off = parseContextTokenAuthzConfig({});
  const caller = contextIdentity('{"namespace":"team-a"}', 'orka:tasks:get');
  const rows = [
    { config: enforce, action: 'getTask', ns: 'team-a', allowed: true, result: 'allowed' },
    {
      config: enforce,
      action: 'createTask',
      ns: 'team-a',
      allowed: false,
      result: 'denied',
      failure: 'missing one of required scopes "orka:tasks:create"',
      reason: 'missing_scope',
    },
    {
      config: enforce,
      action: 'getTask',
      ns: 'team-b',
      allowed: false,
      result: 'denied',
      failure: 'namespace "team-b" does not match token context "team-a"',
      reason: 'namespace_mismatch',
    },
    {
      config: audit,
      action: 'deleteTask',
      ns: 'team-a',
      allowed: true,
      result: 'audit',
      failure: 'missing one of required scopes "orka:tasks:delete"',
      reason: 'missing_scope',
    },
    { config: off, action: 'deleteTask', ns: 'team-b', allowed: true, result: 'notChecked' },
  ] as const;
  for (const row of rows) {
    test(`${row.config.mode} ${row.action} in ${row.ns}`, () => {
      const decision = authorizeAction(row.config, caller, row.action, row.ns);
      assert.equal(decision.allowed, row.allowed);
      assert.equal(decision.result, row.result);
      if ('failure' in row) {
        assert.deepEqual(decision.failures.slice(0, 1), [row.failure]);
        assert.equal(decision.reason, row.reason);
        assert.equal(decision.event?.msg, 'context-token authorization failed');
      }
      if (!row.allowed)
        assert.equal(decision.message, `context token is not authorized for ${row.action}`);
    });
  }
  test('ServiceAccount callers are never scope-checked', () => {
    assert.equal(authorizeAction(enforce, saIdentity, 'createTask', 'x').result, 'notChecked');
  });
  test('configured scopes replace the default; any one suffices', () => {
    const config = parseContextTokenAuthzConfig({
      mode: 'enforce',
      scopes: { taskRead: 'a:read, orka:tasks:get' },
    });
    assert.deepEqual(config.scopes.taskRead, ['a:read', 'orka:tasks:get']);
    assert.equal(authorizeAction(config, caller, 'getTaskLogs', 'team-a').allowed, true);
  });
  test('bad mode and unknown actions fail loudly', () => {
    assert.throws(
      () => parseContextTokenAuthzConfig({ mode: 'strict' }),
      /unsupported context-token authorization mode "strict"/,
    );
    assert.throws(
      () => authorizeAction(enforce, caller, 'launchMissiles', 'x'),
      /unknown context-token action/,
    );
  });
  test('task read checks taskName and task', () => {
    const named = contextIdentity('{"taskName":"t1","task":"team-a/t1"}', 'orka:tasks:get');
    assert.equal(authorizeTaskRead(enforce, named, 'getTaskResult', 'team-a', 't1').allowed, true);
    assert.deepEqual(authorizeTaskRead(enforce, named, 'getTaskResult', 'team-a', 't2').failures, [
      'task name "t2" does not match token context "t1"',
      'task "team-a/t2" does not match token context "team-a/t1"',
    ]);
  });
});

const agentTask = (spec: Record<string, unknown> = {}): TaskLike => ({
  metadata: { name: 'fix-tests' },
  spec: {
    type: 'agent',
    agentRef: { name: 'claude' },
    workspace: { gitRepo: 'https://git/x', branch: 'main' },
    agentRuntime: { allowedTools: ['Read', 'Write'], allowBash: false },
    ...spec,
  },
});

describe('tctx constraints on a Task (reference §3.5)', () => {
  const rows: {
    name: string;
    tctx: string;
    task?: TaskLike;
    namespace?: string;
    failures: string[];
  }[] = [
    {
      name: 'matching constraints',
      tctx: '{"namespace":"team-a","taskType":"agent","agent":"claude","repo":"https://git/x","branch":"main","allowedTools":["Read","Write"]}',
      failures: [],
    },
    {
      name: 'namespace',
      tctx: '{"namespace":"team-b"}',
      failures: [
        'namespace "team-a" does not match token context "team-b"',
        'agent namespace "team-a" does not match token context "team-b"',
      ],
    },
    {
      name: 'taskType',
      tctx: '{"taskType":"ai"}',
      failures: ['task type "agent" does not match token context "ai"'],
    },
    {
      name: 'agent by name',
      tctx: '{"agent":"codex"}',
      failures: ['agent "team-a/claude" does not match token context "codex"'],
    },
    { name: 'agent by ns/name', tctx: '{"agent":"team-a/claude"}', failures: [] },
    {
      name: 'allowedAgents',
      tctx: '{"allowedAgents":["codex","team-b/claude"]}',
      failures: ['agent "team-a/claude" is not allowed by token context'],
    },
    { name: 'allowedAgents as CSV', tctx: '{"allowedAgents":"codex, claude"}', failures: [] },
    {
      name: 'allowedAgents without agentRef',
      tctx: '{"allowedAgents":["claude"]}',
      task: agentTask({ agentRef: undefined }),
      failures: ['task does not specify an agent allowed by token context'],
    },
    {
      name: 'empty allowedAgents allows nothing',
      tctx: '{"allowedAgents":[]}',
      failures: ['agent "team-a/claude" is not allowed by token context'],
    },
    {
      name: 'non-string element voids the list',
      tctx: '{"allowedAgents":["codex",1]}',
      failures: [],
    },
    { name: 'blank string is no constraint', tctx: '{"taskType":"  "}', failures: [] },
    {
      name: 'repo',
      tctx: '{"repo":"https://git/y"}',
      failures: ['workspace repo "https://git/x" does not match token context "https://git/y"'],
    },
    {
      name: 'branch',
      tctx: '{"branch":"dev"}',
      failures: ['workspace branch "main" does not match token context "dev"'],
    },
    {
      name: 'ref',
      tctx: '{"ref":"abc"}',
      failures: ['workspace ref "" does not match token context "abc"'],
    },
    {
      name: 'ref-only workspace satisfies branch+ref',
      tctx: '{"branch":"main","ref":"abc"}',
      task: agentTask({ workspace: { gitRepo: 'https://git/x', ref: 'abc' } }),
      failures: [],
    },
    {
      name: 'agentRuntime.workspace when no top-level workspace',
      tctx: '{"repo":"https://git/z"}',
      task: agentTask({
        workspace: undefined,
        agentRuntime: {
          workspace: { gitRepo: 'https://git/z' },
          allowedTools: ['Read'],
          allowBash: false,
        },
      }),
      failures: [],
    },
    {
      name: 'tool outside allowedTools',
      tctx: '{"allowedTools":["Read"]}',
      failures: ['tool "Write" is not allowed by token context'],
    },
    {
      name: 'Bash counts when allowed',
      tctx: '{"allowedTools":["Read","Write"]}',
      task: agentTask({ agentRuntime: { allowedTools: ['Read', 'Write'] } }),
      failures: ['tool "Bash" is not allowed by token context'],
    },
    {
      name: 'Bash disallowed does not count',
      tctx: '{"allowedTools":["Read","Write"]}',
      task: agentTask({
        agentRuntime: { allowedTools: ['Read', 'Write', 'Bash'], disallowedTools: ['Bash'] },
      }),
      failures: [],
    },
    {
      name: "the ai worker's enabled tools count, disabled ones do not",
      tctx: '{"allowedTools":["Read","Write"]}',
      task: agentTask({ ai: { tools: [{ name: 'shell' }, { name: 'http', enabled: false }] } }),
      failures: ['tool "shell" is not allowed by token context'],
    },
    {
      name: 'unrestricted runtime tools',
      tctx: '{"allowedTools":["Read"]}',
      task: agentTask({ agentRuntime: { allowBash: false } }),
      failures: [
        'agent runtime tools are unrestricted by task or agent while token context restricts allowedTools',
      ],
    },
    {
      name: 'provider type',
      tctx: '{"provider":"openai"}',
      task: agentTask({ ai: { provider: 'anthropic' } }),
      failures: ['provider "anthropic" is not allowed by token context'],
    },
    {
      name: 'model',
      tctx: '{"model":"m2"}',
      task: agentTask({ ai: { model: 'm1' } }),
      failures: ['model "m1" does not match token context "m2"'],
    },
    {
      name: 'allowedModels with provider prefix',
      tctx: '{"allowedModels":["anthropic/m1"]}',
      task: agentTask({ ai: { provider: 'anthropic', model: 'm1' } }),
      failures: [],
    },
    {
      name: 'allowedModels miss',
      tctx: '{"allowedModels":["m2"]}',
      task: agentTask({ ai: { model: 'm1' } }),
      failures: ['model "m1" is not allowed by token context'],
    },
    {
      name: 'taskName',
      tctx: '{"taskName":"other"}',
      failures: ['task name "fix-tests" does not match token context "other"'],
    },
  ];
  for (const row of rows) {
    test(row.name, () => {
      const subject = taskAuthzSubject({
        task: row.task ?? agentTask(),
        namespace: row.namespace ?? 'team-a',
      });
      assert.deepEqual(taskContextFailures(json(row.tctx), subject), row.failures);
    });
  }

  test('createTask combines the scope and the constraints; enforce denies with the action', () => {
    const config = parseContextTokenAuthzConfig({ mode: 'enforce' });
    const subject = taskAuthzSubject({ task: agentTask(), namespace: 'team-a' });
    const allowed = authorizeTaskCreate(config, contextIdentity('{"namespace":"team-a"}'), subject);
    assert.equal(allowed.result, 'allowed');
    const denied = authorizeTaskCreate(
      config,
      contextIdentity('{"repo":"https://git/y"}'),
      subject,
    );
    assert.equal(denied.message, 'context token is not authorized for createTask');
    assert.equal(denied.reason, 'repo_mismatch');
  });

  test('listTasks: enforce drops non-matching Tasks, audit keeps them', () => {
    const identity = contextIdentity('{"taskType":"agent"}');
    const items = ['agent', 'ai'].map((type) => ({
      item: type,
      subject: taskAuthzSubject({ task: agentTask({ type }), namespace: 'team-a' }),
    }));
    const enforced = filterListedTasks(
      parseContextTokenAuthzConfig({ mode: 'enforce' }),
      identity,
      items,
    );
    assert.deepEqual(enforced.items, ['agent']);
    assert.equal(enforced.dropped, 1);
    const audited = filterListedTasks(
      parseContextTokenAuthzConfig({ mode: 'audit' }),
      identity,
      items,
    );
    assert.deepEqual(audited.items, ['agent', 'ai']);
    assert.equal(audited.events.length, 1);
  });
});
