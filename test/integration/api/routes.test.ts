// Every route of reference §5.1 over real HTTP: success shapes, status codes and messages.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Harness, startHarness } from './harness.ts';

const TASK_BODY = {
  name: 'fix-tests',
  type: 'agent',
  agentRef: { name: 'claude-agent' },
  prompt: 'Fix tests',
  timeout: '30m',
};

describe('REST API routes', () => {
  let h: Harness;
  let tokenA: string;
  before(async () => {
    h = await startHarness({ authzMode: 'enforce' });
    tokenA = h.tokens.client['team-a']!;
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

  test('health and readiness need no credentials', async () => {
    assert.deepEqual((await h.request('GET', '/healthz')).json, { status: 'ok' });
    const ready = await h.request('GET', '/readyz');
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.json, { status: 'ok', checks: { store: 'ok', kubernetes: 'ok' } });
  });

  test('auth/validate: 200 with a token, 401 with the reference messages otherwise', async () => {
    assert.deepEqual((await h.request('GET', '/api/v1/auth/validate', { token: tokenA })).json, {
      authenticated: true,
    });
    expectError(
      await h.request('GET', '/api/v1/auth/validate'),
      401,
      'missing authorization header',
    );
    expectError(
      await h.request('GET', '/api/v1/auth/validate', { headers: { authorization: 'Basic abc' } }),
      401,
      'invalid authorization header format',
    );
    expectError(
      await h.request('GET', '/api/v1/auth/validate', { token: 'unknown' }),
      401,
      'invalid token',
    );
    const apiKey = await h.request('GET', '/api/v1/auth/validate', {
      headers: { 'x-api-key': tokenA },
    });
    assert.equal(apiKey.status, 200);
  });

  test('POST /api/v1/tasks creates the Task as the controller, stamped with the caller (reference §5.2 example)', async () => {
    const created = await h.request('POST', '/api/v1/tasks', { token: tokenA, body: TASK_BODY });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.json.metadata.namespace, 'team-a');
    assert.equal(created.json.metadata.name, 'fix-tests');
    assert.equal(created.json.spec.timeout, '30m');
    assert.equal(
      created.json.spec.requestedBy.username,
      'system:serviceaccount:team-a:orka-client',
    );
    const stored = await h.getTask('team-a', 'fix-tests');
    assert.deepEqual((stored as { spec: unknown }).spec, created.json.spec);
    const writers = h.standin.requestsBy('system:serviceaccount:orka-system:orka');
    assert.ok(writers.some((r) => r.verb === 'create' && r.resource === 'tasks'));
    assert.ok(
      !h.standin
        .requestsBy('system:serviceaccount:team-a:orka-client')
        .some((r) => r.verb === 'create' && r.resource === 'tasks'),
    );
    expectError(
      await h.request('POST', '/api/v1/tasks', { token: tokenA, body: TASK_BODY }),
      409,
      'task already exists',
    );
  });

  const createErrors: [string, unknown, number, string][] = [
    [
      'top-level requestedBy',
      { ...TASK_BODY, requestedBy: { username: 'x' } },
      400,
      'requestedBy cannot be set by clients',
    ],
    [
      'top-level transaction',
      { ...TASK_BODY, transaction: {} },
      400,
      'transaction cannot be set by clients',
    ],
    [
      'spec.requestedBy',
      { ...TASK_BODY, spec: { requestedBy: {} } },
      400,
      'spec.requestedBy cannot be set by clients',
    ],
    [
      'spec.transaction',
      { ...TASK_BODY, spec: { transaction: {} } },
      400,
      'spec.transaction cannot be set by clients',
    ],
    ['an array body', [1, 2], 400, 'invalid request body'],
    ['no name', { type: 'agent' }, 400, 'invalid request body: name is required'],
    ['no type', { name: 'x' }, 400, 'invalid request body: type is required'],
    [
      'a wrong type',
      { name: 'x', type: 'container' },
      400,
      'invalid request body: type must be one of "agent", "ai"',
    ],
    [
      'an unknown field',
      { ...TASK_BODY, image: 'busybox' },
      400,
      'invalid request body: unknown field "image"',
    ],
    [
      'a nested wrong type',
      { ...TASK_BODY, agentRuntime: { maxTurns: 'ten' } },
      400,
      'invalid request body: agentRuntime.maxTurns must be integer',
    ],
    [
      'a bad timeout',
      { ...TASK_BODY, name: 'bad-timeout', timeout: '30 minutes' },
      400,
      'invalid timeout: invalid duration "30 minutes": expected Go syntax such as 30m, 10m0s or 1h30m',
    ],
    [
      'a bad name',
      { ...TASK_BODY, name: 'Not_A_Name' },
      400,
      "invalid task: metadata.name: Invalid value: \"Not_A_Name\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    ],
    [
      'a missing namespace',
      { ...TASK_BODY, namespace: 'ghost' },
      403,
      'user "system:serviceaccount:team-a:orka-client" cannot create tasks in namespace "ghost"',
    ],
  ];
  for (const [what, body, status, message] of createErrors) {
    test(`POST /api/v1/tasks with ${what} → ${status}`, async () => {
      expectError(
        await h.request('POST', '/api/v1/tasks', { token: tokenA, body }),
        status,
        message,
      );
    });
  }

  test('POST /api/v1/tasks: not JSON → 400; RBAC denial (SubjectAccessReview) → 403', async () => {
    expectError(
      await h.request('POST', '/api/v1/tasks', {
        token: tokenA,
        raw: '{"name":',
        contentType: 'application/json',
      }),
      400,
      'invalid request body: not valid JSON',
    );
    expectError(
      await h.request('POST', '/api/v1/tasks', {
        token: h.tokens.noRbac,
        body: { ...TASK_BODY, name: 'no-rbac' },
      }),
      403,
      'user "system:serviceaccount:team-a:no-rbac" cannot create tasks in namespace "team-a"',
    );
    assert.equal(await h.getTask('team-a', 'no-rbac'), null);
    assert.ok(
      h.logs.some(
        (line) =>
          line.msg === 'task create denied by RBAC' &&
          line.username === 'system:serviceaccount:team-a:no-rbac',
      ),
    );
  });

  test('GET /api/v1/tasks paginates with limit/continue and checks limit', async () => {
    for (const name of ['page-a', 'page-b', 'page-c']) await h.putTask('team-b', name);
    const tokenB = h.tokens.client['team-b']!;
    const first = await h.request('GET', '/api/v1/tasks?namespace=team-b&limit=2', {
      token: tokenB,
    });
    assert.equal(first.status, 200);
    assert.deepEqual(
      first.json.items.map((t: { metadata: { name: string } }) => t.metadata.name),
      ['page-a', 'page-b'],
    );
    assert.equal(first.json.metadata.remainingItemCount, 1);
    const next = await h.request(
      'GET',
      `/api/v1/tasks?namespace=team-b&limit=2&continue=${encodeURIComponent(first.json.metadata.continue)}`,
      { token: tokenB },
    );
    assert.deepEqual(
      next.json.items.map((t: { metadata: { name: string } }) => t.metadata.name),
      ['page-c'],
    );
    assert.deepEqual(next.json.metadata, {});
    expectError(
      await h.request('GET', '/api/v1/tasks?limit=0', { token: tokenB }),
      400,
      'limit must be at least 1',
    );
    expectError(
      await h.request('GET', '/api/v1/tasks?limit=ten', { token: tokenB }),
      400,
      'invalid limit parameter: "ten" is not an integer',
    );
    expectError(
      await h.request('GET', '/api/v1/tasks?bogus=1', { token: tokenB }),
      400,
      'invalid query parameter: unknown field "bogus"',
    );
  });

  test('GET and DELETE /api/v1/tasks/:id', async () => {
    await h.putTask('team-a', 'to-delete');
    const got = await h.request('GET', '/api/v1/tasks/to-delete', { token: tokenA });
    assert.equal(got.status, 200);
    assert.equal(got.json.metadata.name, 'to-delete');
    expectError(
      await h.request('GET', '/api/v1/tasks/missing', { token: tokenA }),
      404,
      'task not found',
    );
    const deleted = await h.request('DELETE', '/api/v1/tasks/to-delete', { token: tokenA });
    assert.equal(deleted.status, 204);
    assert.equal(deleted.text, '');
    assert.equal(await h.getTask('team-a', 'to-delete'), null);
    expectError(
      await h.request('DELETE', '/api/v1/tasks/to-delete', { token: tokenA }),
      404,
      'task not found',
    );
  });

  test('DELETE of a Task that is already gone removes the data it left in the store', async () => {
    h.store.results.put('team-a', 'gone', 'old result');
    h.store.artifacts.put('team-a', 'gone', 'a.txt', 'x');
    expectError(
      await h.request('DELETE', '/api/v1/tasks/gone', { token: tokenA }),
      404,
      'task not found',
    );
    assert.equal(h.store.results.get('team-a', 'gone'), undefined);
    assert.deepEqual(h.store.artifacts.list('team-a', 'gone'), []);
  });

  test('GET result: 404 task has no result / result not found, 200 with the stored bytes', async () => {
    await h.putTask('team-a', 'no-result', undefined, { phase: 'Running' });
    expectError(
      await h.request('GET', '/api/v1/tasks/no-result/result', { token: tokenA }),
      404,
      'task has no result',
    );
    await h.putTask('team-a', 'lost-result', undefined, {
      phase: 'Succeeded',
      resultRef: { available: true },
    });
    expectError(
      await h.request('GET', '/api/v1/tasks/lost-result/result', { token: tokenA }),
      404,
      'result not found',
    );
    await h.putTask('team-a', 'done', undefined, {
      phase: 'Succeeded',
      resultRef: { available: true },
    });
    h.store.results.put('team-a', 'done', 'all tests pass ✓');
    assert.deepEqual(
      (await h.request('GET', '/api/v1/tasks/done/result', { token: tokenA })).json,
      {
        result: 'all tests pass ✓',
      },
    );
    expectError(
      await h.request('GET', '/api/v1/tasks/nope/result', { token: tokenA }),
      404,
      'task not found',
    );
  });

  test('GET logs: stored result, pending, no pods, the worker container of the newest pod', async () => {
    assert.deepEqual((await h.request('GET', '/api/v1/tasks/done/logs', { token: tokenA })).json, {
      logs: 'all tests pass ✓',
    });
    expectError(
      await h.request('GET', '/api/v1/tasks/lost-result/logs', { token: tokenA }),
      404,
      'logs not found in result store',
    );
    await h.putTask('team-a', 'pending', undefined, { phase: 'Pending' });
    expectError(
      await h.request('GET', '/api/v1/tasks/pending/logs', { token: tokenA }),
      404,
      'task is pending, no logs available yet',
    );
    await h.putTask('team-a', 'podless', undefined, { phase: 'Running', jobName: 'podless-job-0' });
    expectError(
      await h.request('GET', '/api/v1/tasks/podless/logs', { token: tokenA }),
      404,
      'no pods found for task job',
    );
    const worker = await h.startWorker('team-a', 'running');
    h.standin.setPodLog('team-a', worker.podName, 'line 1\nline 2\n', 'worker');
    assert.deepEqual(
      (await h.request('GET', '/api/v1/tasks/running/logs', { token: tokenA })).json,
      {
        logs: 'line 1\nline 2\n',
      },
    );
  });

  test('artifacts: list (empty, then ordered), download with type and safe disposition, 404s', async () => {
    assert.deepEqual(
      (await h.request('GET', '/api/v1/tasks/done/artifacts', { token: tokenA })).json,
      { artifacts: [] },
    );
    h.store.artifacts.put('team-a', 'done', 'report "final".md', '# Report', 'text/markdown');
    h.store.artifacts.put('team-a', 'done', 'a.bin', Buffer.from([0, 1, 2]));
    const listed = await h.request('GET', '/api/v1/tasks/done/artifacts', { token: tokenA });
    assert.deepEqual(
      listed.json.artifacts.map((a: { filename: string; size: number; contentType: string }) => [
        a.filename,
        a.size,
        a.contentType,
      ]),
      [
        ['a.bin', 3, 'application/octet-stream'],
        ['report "final".md', 8, 'text/markdown'],
      ],
    );
    const download = await h.request(
      'GET',
      `/api/v1/tasks/done/artifacts/${encodeURIComponent('report "final".md')}`,
      { token: tokenA },
    );
    assert.equal(download.status, 200);
    assert.equal(download.text, '# Report');
    assert.equal(download.headers.get('content-type'), 'text/markdown');
    assert.equal(
      download.headers.get('content-disposition'),
      'attachment; filename="report _final_.md"',
    );
    expectError(
      await h.request('GET', '/api/v1/tasks/done/artifacts/none.txt', { token: tokenA }),
      404,
      'artifact not found',
    );
    expectError(
      await h.request('GET', '/api/v1/tasks/nope/artifacts', { token: tokenA }),
      404,
      'task not found',
    );
  });

  test('sessions: list, get with the JSONL transcript, delete (204 even when missing)', async () => {
    h.store.sessions.getOrCreate('team-a', 'review', { create: true });
    h.store.sessions.appendMessages('team-a', 'review', [
      { role: 'user', content: 'hi <b>' },
      { role: 'assistant', content: 'hello', toolCallId: 'c1' },
    ]);
    const list = await h.request('GET', '/api/v1/sessions', { token: tokenA });
    assert.equal(list.status, 200);
    const [item] = list.json.items;
    assert.equal(item.name, 'review');
    assert.equal(item.id, 'review');
    assert.equal(item.messageCount, 2);
    assert.equal(item.activeTask, '');
    assert.deepEqual(list.json.metadata, {});
    const got = await h.request('GET', '/api/v1/sessions/review', { token: tokenA });
    const lines = got.json.transcript.split('\n').map((l: string) => JSON.parse(l));
    assert.deepEqual(
      lines.map((l: { role: string; content: string }) => [l.role, l.content]),
      [
        ['user', 'hi <b>'],
        ['assistant', 'hello'],
      ],
    );
    assert.equal(lines[1].toolCallID, 'c1');
    assert.ok(!got.json.transcript.endsWith('\n'));
    expectError(
      await h.request('GET', '/api/v1/sessions/none', { token: tokenA }),
      404,
      'session not found',
    );
    assert.equal(
      (await h.request('DELETE', '/api/v1/sessions/review', { token: tokenA })).status,
      204,
    );
    assert.equal(
      (await h.request('DELETE', '/api/v1/sessions/review', { token: tokenA })).status,
      204,
    );
    assert.equal(h.store.sessions.get('team-a', 'review'), undefined);
  });

  test('agents: list and get, 404 agent not found', async () => {
    await h.custom.createNamespacedCustomObject({
      group: 'core.orka.ai',
      version: 'v1alpha1',
      plural: 'agents',
      namespace: 'team-a',
      body: {
        apiVersion: 'core.orka.ai/v1alpha1',
        kind: 'Agent',
        metadata: { name: 'claude-agent' },
        spec: { runtime: { type: 'claude' } },
      },
    });
    const list = await h.request('GET', '/api/v1/agents', { token: tokenA });
    assert.deepEqual(
      list.json.items.map((a: { metadata: { name: string } }) => a.metadata.name),
      ['claude-agent'],
    );
    const got = await h.request('GET', '/api/v1/agents/claude-agent', { token: tokenA });
    assert.equal(got.json.spec.runtime.type, 'claude');
    expectError(
      await h.request('GET', '/api/v1/agents/other', { token: tokenA }),
      404,
      'agent not found',
    );
  });

  test('unknown routes get the error shape', async () => {
    expectError(
      await h.request('GET', '/api/v1/nothing', { token: tokenA }),
      404,
      'no route for GET /api/v1/nothing',
    );
  });

  test('OpenAPI 3.1 lists every route with its schemas', async () => {
    const doc = (await h.request('GET', '/api/v1/openapi.json')).json;
    assert.equal(doc.openapi, '3.1.0');
    const expected: [string, string][] = [
      ['/healthz', 'get'],
      ['/readyz', 'get'],
      ['/metrics', 'get'],
      ['/api/v1/auth/validate', 'get'],
      ['/api/v1/tasks', 'post'],
      ['/api/v1/tasks', 'get'],
      ['/api/v1/tasks/{id}', 'get'],
      ['/api/v1/tasks/{id}', 'delete'],
      ['/api/v1/tasks/{id}/result', 'get'],
      ['/api/v1/tasks/{id}/logs', 'get'],
      ['/api/v1/tasks/{id}/artifacts', 'get'],
      ['/api/v1/tasks/{id}/artifacts/{filename}', 'get'],
      ['/api/v1/sessions', 'get'],
      ['/api/v1/sessions/{id}', 'get'],
      ['/api/v1/sessions/{id}', 'delete'],
      ['/api/v1/agents', 'get'],
      ['/api/v1/agents/{name}', 'get'],
      ['/internal/v1/results/{namespace}/{taskName}', 'post'],
      ['/internal/v1/artifacts/{namespace}/{taskName}/{filename}', 'post'],
      ['/internal/v1/sessions/{namespace}/{name}/transcript', 'get'],
      ['/internal/v1/sessions/{namespace}/{name}/messages', 'post'],
      ['/internal/v1/tasks/{namespace}/{taskName}/children', 'post'],
    ];
    for (const [path, method] of expected)
      assert.ok(doc.paths[path]?.[method], `${method} ${path}`);
    const create = doc.paths['/api/v1/tasks'].post;
    const schema = create.requestBody.content['application/json'].schema;
    assert.deepEqual(schema.required, ['name', 'type']);
    assert.equal(schema.properties.requestedBy, undefined);
    assert.ok(schema.properties.agentRuntime.properties.maxTurns);
    assert.deepEqual(create.responses['409'].content['application/json'].schema.required, [
      'error',
    ]);
  });
});
