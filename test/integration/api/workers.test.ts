// Internal endpoints and delegation: a worker is bound to its own Task through the pod claim of its
// ServiceAccount token, and can never write another Task's result, artifacts or session.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Harness, startHarness, type Worker } from './harness.ts';

describe('internal worker endpoints', () => {
  let h: Harness;
  let worker: Worker;
  let other: Worker;
  let foreign: Worker;
  before(async () => {
    h = await startHarness();
    worker = await h.startWorker('team-a', 'mine', {
      type: 'agent',
      agentRef: { name: 'claude-agent' },
      prompt: 'p',
      sessionRef: { name: 'chat' },
    });
    other = await h.startWorker('team-a', 'theirs');
    foreign = await h.startWorker('team-b', 'elsewhere');
  });
  after(() => h.close());

  const expectError = (
    response: { status: number; json: unknown },
    status: number,
    message: string,
  ) => {
    assert.equal(response.status, status, JSON.stringify(response.json));
    assert.deepEqual(response.json, { error: { code: status, message } });
  };

  test('a worker stores its own result verbatim (any content type), replacing an earlier one', async () => {
    const bytes = Buffer.from([0xff, 0x00, 0x7b]);
    const first = await h.request('POST', '/internal/v1/results/team-a/mine', {
      token: worker.token,
      raw: bytes,
    });
    assert.equal(first.status, 204);
    assert.deepEqual(h.store.results.get('team-a', 'mine')!.data, bytes);
    const json = await h.request('POST', '/internal/v1/results/team-a/mine', {
      token: worker.token,
      raw: '{"version":1, "summary":"ok"}',
      contentType: 'application/json',
    });
    assert.equal(json.status, 204);
    assert.equal(
      h.store.results.get('team-a', 'mine')!.data.toString(),
      '{"version":1, "summary":"ok"}',
    );
  });

  const refusals: [string, () => [string, string | undefined], number, string][] = [
    [
      "another Task's result in the same namespace",
      () => ['/internal/v1/results/team-a/theirs', worker.token],
      403,
      'cross-namespace access denied',
    ],
    [
      'a result in another namespace',
      () => ['/internal/v1/results/team-b/elsewhere', worker.token],
      403,
      'cross-namespace access denied',
    ],
    [
      'a token without a pod claim',
      () => ['/internal/v1/results/team-a/mine', h.tokens.client['team-a']],
      403,
      'cross-namespace access denied',
    ],
    [
      'no token',
      () => ['/internal/v1/results/team-a/mine', undefined],
      401,
      'missing authorization header',
    ],
    [
      'a non-existent Task',
      () => ['/internal/v1/results/team-a/ghost', worker.token],
      403,
      'cross-namespace access denied',
    ],
  ];
  for (const [what, target, status, message] of refusals) {
    test(`refuses ${what} (${status})`, async () => {
      const [path, token] = target();
      const before = h.store.results.get('team-a', 'theirs');
      expectError(await h.request('POST', path, { token, raw: 'forged' }), status, message);
      assert.deepEqual(h.store.results.get('team-a', 'theirs'), before);
      assert.equal(h.store.results.get('team-b', 'elsewhere'), undefined);
    });
  }

  test('refusals are logged with identity and IP', () => {
    const denied = h.logs.filter(
      (line) =>
        line.msg === 'worker binding denied' || line.msg === 'cross-namespace access denied',
    );
    assert.ok(denied.length >= 3);
    for (const line of denied) {
      assert.equal(line.ip, '127.0.0.1');
      assert.equal(typeof line.username, 'string');
    }
  });

  test("a Pod that no longer belongs to the Task's current Job is refused", async () => {
    await h.custom.patchNamespacedCustomObjectStatus({
      group: 'core.orka.ai',
      version: 'v1alpha1',
      plural: 'tasks',
      namespace: 'team-a',
      name: 'theirs',
      body: [{ op: 'replace', path: '/status/jobName', value: 'theirs-job-1' }],
    });
    expectError(
      await h.request('POST', '/internal/v1/results/team-a/theirs', {
        token: other.token,
        raw: 'x',
      }),
      403,
      'cross-namespace access denied',
    );
  });

  test('result bodies: empty → 400, over 10 MiB → 413, over 15 MiB → 413', async () => {
    expectError(
      await h.request('POST', '/internal/v1/results/team-a/mine', { token: worker.token, raw: '' }),
      400,
      'empty request body',
    );
    expectError(
      await h.request('POST', '/internal/v1/results/team-a/mine', {
        token: worker.token,
        raw: Buffer.alloc(10 * 1024 * 1024 + 1),
      }),
      413,
      'result exceeds 10MB limit',
    );
    expectError(
      await h.request('POST', '/internal/v1/results/team-a/mine', {
        token: worker.token,
        raw: Buffer.alloc(15 * 1024 * 1024 + 1),
      }),
      413,
      'request body exceeds the 15 MiB limit',
    );
  });

  test('artifacts: 201 with the content type stored, filename rules, size limit', async () => {
    const stored = await h.request('POST', '/internal/v1/artifacts/team-a/mine/report.md', {
      token: worker.token,
      raw: '# hi',
      contentType: 'text/markdown',
    });
    assert.equal(stored.status, 201);
    assert.equal(
      h.store.artifacts.get('team-a', 'mine', 'report.md')!.contentType,
      'text/markdown',
    );
    expectError(
      await h.request('POST', `/internal/v1/artifacts/team-a/mine/${'a'.repeat(256)}`, {
        token: worker.token,
        raw: 'x',
      }),
      400,
      'filename exceeds 255 character limit',
    );
    expectError(
      await h.request('POST', '/internal/v1/artifacts/team-a/mine/a%01b', {
        token: worker.token,
        raw: 'x',
      }),
      400,
      'filename contains invalid characters',
    );
    // '.' and '..' never reach the server from fetch: URL parsing removes such segments.
    expectError(
      await h.request('POST', '/internal/v1/artifacts/team-a/mine/e.txt', {
        token: worker.token,
        raw: '',
      }),
      400,
      'empty request body',
    );
    expectError(
      await h.request('POST', '/internal/v1/artifacts/team-a/mine/big.bin', {
        token: worker.token,
        raw: Buffer.alloc(10 * 1024 * 1024 + 1),
      }),
      413,
      'artifact exceeds 10MB limit',
    );
    expectError(
      await h.request('POST', '/internal/v1/artifacts/team-a/theirs/x.txt', {
        token: worker.token,
        raw: 'x',
      }),
      403,
      'cross-namespace access denied',
    );
  });

  test("transcript: newest N in order as JSONL, only for the session of the worker's Task", async () => {
    h.store.sessions.getOrCreate('team-a', 'chat', { create: true });
    h.store.sessions.appendMessages(
      'team-a',
      'chat',
      ['one', 'two', 'three'].map((content) => ({ role: 'user' as const, content })),
    );
    const all = await h.request('GET', '/internal/v1/sessions/team-a/chat/transcript', {
      token: worker.token,
    });
    assert.equal(all.status, 200);
    assert.match(all.headers.get('content-type') ?? '', /^application\/x-ndjson/);
    assert.deepEqual(
      all.text
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l).content),
      ['one', 'two', 'three'],
    );
    const newest = await h.request(
      'GET',
      '/internal/v1/sessions/team-a/chat/transcript?maxMessages=2',
      { token: worker.token },
    );
    assert.deepEqual(
      newest.text
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l).content),
      ['two', 'three'],
    );
    assert.ok(newest.text.endsWith('\n'));
    expectError(
      await h.request('GET', '/internal/v1/sessions/team-a/chat/transcript?maxMessages=0', {
        token: worker.token,
      }),
      400,
      'maxMessages must be a positive integer, got "0"',
    );
    expectError(
      await h.request('GET', '/internal/v1/sessions/team-a/other/transcript', {
        token: worker.token,
      }),
      403,
      'task "mine" does not use session "other"',
    );
    expectError(
      await h.request('GET', '/internal/v1/sessions/team-a/chat/transcript', {
        token: other.token,
      }),
      403,
      'cross-namespace access denied',
    );
  });

  test("append messages: only while the worker's Task holds the session lock", async () => {
    const body = { messages: [{ role: 'assistant', content: 'done' }] };
    expectError(
      await h.request('POST', '/internal/v1/sessions/team-a/chat/messages', {
        token: worker.token,
        body,
      }),
      409,
      'session "chat" is not locked by task "mine"',
    );
    h.store.locks.acquire('team-a', 'chat', 'mine');
    const appended = await h.request('POST', '/internal/v1/sessions/team-a/chat/messages', {
      token: worker.token,
      body,
    });
    assert.deepEqual(appended.json, { messageCount: 4 });
    const last = h.store.sessions.loadTranscript('team-a', 'chat', { maxMessages: 1 })[0]!;
    assert.equal(last.taskName, 'mine');
    expectError(
      await h.request('POST', '/internal/v1/sessions/team-a/chat/messages', {
        token: worker.token,
        body: { messages: [{ role: 'robot', content: 'x' }] },
      }),
      400,
      'invalid request body: messages[0].role must be one of "system", "user", "assistant", "tool"',
    );
  });

  test('internal endpoints refuse OIDC/context tokens: TokenReview only', async () => {
    const contextToken = await h.contextToken({});
    expectError(
      await h.request('POST', '/internal/v1/results/team-a/mine', {
        token: contextToken,
        raw: 'x',
      }),
      401,
      'invalid token',
    );
    expectError(
      await h.request('POST', '/internal/v1/results/team-b/elsewhere', {
        token: worker.token,
        raw: 'x',
      }),
      403,
      'cross-namespace access denied',
    );
    assert.equal(foreign.podName, 'elsewhere-job-0-pod');
  });
});
