// The later routes of reference §5.1 over real HTTP: Task children and plan, Agent writes, Secret
// names, and log streaming, with their status codes, messages, scopes, RBAC and namespaces.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CoreV1Api } from '@kubernetes/client-node';
import { LABEL_PARENT_TASK, selectorValue } from '../../../resources/labels.ts';
import { type Harness, type Response, startHarness } from './harness.ts';

const AGENTS = {
  group: 'core.orka.ai',
  version: 'v1alpha1',
  plural: 'agents',
};

const CANARY = 'canary-secret-value-5f1c9e';

describe('REST API: children, plan, agent writes, secrets, log streaming', () => {
  let h: Harness;
  let tokenA: string;
  before(async () => {
    h = await startHarness({ authzMode: 'enforce' });
    tokenA = h.tokens.client['team-a']!;
  });
  after(() => h.close());

  const expectError = (response: Response, status: number, message: string) => {
    assert.equal(response.status, status, response.text);
    assert.deepEqual(response.json, { error: { code: status, message } });
  };
  const names = (response: Response) =>
    (response.json.items as { metadata: { name: string } }[]).map((item) => item.metadata.name);
  const agentInCluster = async (namespace: string, name: string) => {
    try {
      return (await h.custom.getNamespacedCustomObject({ ...AGENTS, namespace, name })) as {
        metadata: { resourceVersion: string; labels?: Record<string, string> };
        spec: Record<string, unknown>;
      };
    } catch {
      return null;
    }
  };

  test('children: Tasks labelled with the parent, in the namespace only; 404 for an unknown parent', async () => {
    const parent = 'parent';
    const label = { labels: { [LABEL_PARENT_TASK]: selectorValue(parent) } };
    await h.putTask('team-a', parent);
    await h.putTask('team-a', 'child-2', undefined, undefined, label);
    await h.putTask('team-a', 'child-1', undefined, undefined, label);
    await h.putTask('team-a', 'unrelated');
    await h.putTask('team-b', 'child-elsewhere', undefined, undefined, label);
    const children = await h.request('GET', `/api/v1/tasks/${parent}/children`, { token: tokenA });
    assert.equal(children.status, 200, children.text);
    assert.deepEqual(names(children).sort(), ['child-1', 'child-2']);
    assert.deepEqual(children.json.metadata, {});
    assert.deepEqual(
      names(await h.request('GET', '/api/v1/tasks/child-1/children', { token: tokenA })),
      [],
    );
    expectError(
      await h.request('GET', '/api/v1/tasks/nope/children', { token: tokenA }),
      404,
      'task not found',
    );
  });

  test('children of a parent whose name is too long for a label value: found by its selector value', async () => {
    const parent = `p-${'x'.repeat(70)}`;
    const value = selectorValue(parent);
    assert.notEqual(value, parent);
    await h.putTask('team-a', parent);
    await h.putTask('team-a', 'long-child', undefined, undefined, {
      labels: { [LABEL_PARENT_TASK]: value },
    });
    assert.deepEqual(
      names(await h.request('GET', `/api/v1/tasks/${parent}/children`, { token: tokenA })),
      ['long-child'],
    );
  });

  test('children and plan need orka:tasks:get from a context token (getTaskChildren, getTaskPlan)', async () => {
    const listOnly = await h.contextToken({ scope: 'orka:tasks:list' });
    expectError(
      await h.request('GET', '/api/v1/tasks/parent/children?namespace=team-a', {
        contextToken: listOnly,
      }),
      403,
      'context token is not authorized for getTaskChildren',
    );
    expectError(
      await h.request('GET', '/api/v1/tasks/parent/plan?namespace=team-a', {
        contextToken: listOnly,
      }),
      403,
      'context token is not authorized for getTaskPlan',
    );
    const reader = await h.contextToken({ scope: 'orka:tasks:get' });
    const children = await h.request('GET', '/api/v1/tasks/parent/children?namespace=team-a', {
      contextToken: reader,
    });
    assert.deepEqual(names(children).sort(), ['child-1', 'child-2']);
  });

  test('plan: 404 for an unknown Task first, then 501 task plans are not supported yet', async () => {
    expectError(
      await h.request('GET', '/api/v1/tasks/nope/plan', { token: tokenA }),
      404,
      'task not found',
    );
    expectError(
      await h.request('GET', '/api/v1/tasks/parent/plan', { token: tokenA }),
      501,
      'task plans are not supported yet',
    );
  });

  test('create Agent: 201 from a Kubernetes-style or a flat body, 409 when it exists', async () => {
    const created = await h.request('POST', '/api/v1/agents', {
      token: tokenA,
      body: {
        apiVersion: 'core.orka.ai/v1alpha1',
        kind: 'Agent',
        metadata: { name: 'writer', labels: { team: 'a' } },
        spec: { runtime: { type: 'claude' } },
      },
    });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.json.metadata.namespace, 'team-a');
    assert.equal(created.json.spec.runtime.type, 'claude');
    const stored = await agentInCluster('team-a', 'writer');
    assert.deepEqual(stored?.metadata.labels, { team: 'a' });

    const flat = await h.request('POST', '/api/v1/agents', {
      token: tokenA,
      body: { name: 'flat', namespace: 'team-a', spec: { runtime: { type: 'codex' } } },
    });
    assert.equal(flat.status, 201, flat.text);
    assert.equal((await agentInCluster('team-a', 'flat'))?.spec.runtime !== undefined, true);

    expectError(
      await h.request('POST', '/api/v1/agents', {
        token: tokenA,
        body: { name: 'writer', spec: { runtime: { type: 'claude' } } },
      }),
      409,
      'agent already exists',
    );
  });

  test('create Agent: bad bodies are 400 naming what is wrong, never 500', async () => {
    const cases: [string, unknown, string][] = [
      ['no name', { spec: { runtime: { type: 'claude' } } }, 'name is required'],
      [
        'names that differ',
        { name: 'a', metadata: { name: 'b' }, spec: {} },
        'name "a" and metadata.name "b" differ',
      ],
      ['no spec', { name: 'a' }, 'invalid request body: spec is required'],
      [
        'unknown field',
        { name: 'a', status: {}, spec: {} },
        'invalid request body: unknown field "status"',
      ],
      [
        'wrong kind',
        { kind: 'Task', name: 'a', spec: {} },
        'invalid request body: kind must be one of "Agent"',
      ],
      ['spec not an object', { name: 'a', spec: 'x' }, 'invalid request body: spec must be object'],
    ];
    for (const [what, body, message] of cases) {
      const response = await h.request('POST', '/api/v1/agents', { token: tokenA, body });
      expectError(response, 400, message);
      assert.ok(what);
    }
    const invalid = await h.request('POST', '/api/v1/agents', {
      token: tokenA,
      body: { name: 'Bad_Name', spec: { runtime: { type: 'gpt' } } },
    });
    assert.equal(invalid.status, 400, invalid.text);
    assert.match(invalid.json.error.message, /^invalid agent: /);
    assert.match(invalid.json.error.message, /metadata\.name/);
    assert.match(invalid.json.error.message, /spec\.runtime\.type/);
    assert.equal(await agentInCluster('team-a', 'Bad_Name'), null);
  });

  test('Agent writes need the caller’s RBAC (SubjectAccessReview) and the agent-write scope', async () => {
    expectError(
      await h.request('POST', '/api/v1/agents', {
        token: h.tokens.noRbac,
        body: { name: 'sneaky', spec: { runtime: { type: 'claude' } } },
      }),
      403,
      'user "system:serviceaccount:team-a:no-rbac" cannot create agents in namespace "team-a"',
    );
    expectError(
      await h.request('PUT', '/api/v1/agents/writer', {
        token: h.tokens.noRbac,
        body: { spec: { runtime: { type: 'codex' } } },
      }),
      403,
      'user "system:serviceaccount:team-a:no-rbac" cannot update agents in namespace "team-a"',
    );
    expectError(
      await h.request('DELETE', '/api/v1/agents/writer', { token: h.tokens.noRbac }),
      403,
      'user "system:serviceaccount:team-a:no-rbac" cannot delete agents in namespace "team-a"',
    );
    const denied = h.logs.filter((line) => line.msg === 'request denied by RBAC');
    assert.ok(denied.some((line) => line.verb === 'delete' && line.resource === 'agents'));
    assert.equal(await agentInCluster('team-a', 'sneaky'), null);

    const readOnly = await h.contextToken({ scope: 'orka:agents:read' });
    for (const [method, path, action] of [
      ['POST', '/api/v1/agents', 'createAgent'],
      ['PUT', '/api/v1/agents/writer?namespace=team-a', 'updateAgent'],
      ['DELETE', '/api/v1/agents/writer?namespace=team-a', 'deleteAgent'],
    ] as const) {
      expectError(
        await h.request(method, path, {
          contextToken: readOnly,
          ...(method === 'DELETE'
            ? {}
            : {
                body: { name: 'ctx', namespace: 'team-a', spec: { runtime: { type: 'claude' } } },
              }),
        }),
        method === 'PUT' ? 400 : 403,
        method === 'PUT'
          ? 'invalid request body: unknown field "name"'
          : `context token is not authorized for ${action}`,
      );
    }
    const writer = await h.contextToken({ scope: 'orka:agents:write', tctx: { agent: 'ctx-ok' } });
    expectError(
      await h.request('POST', '/api/v1/agents', {
        contextToken: writer,
        body: { name: 'ctx-other', namespace: 'team-a', spec: { runtime: { type: 'claude' } } },
      }),
      403,
      'context token is not authorized for createAgent',
    );
    const allowed = await h.request('POST', '/api/v1/agents', {
      contextToken: writer,
      body: { name: 'ctx-ok', namespace: 'team-a', spec: { runtime: { type: 'claude' } } },
    });
    assert.equal(allowed.status, 201, allowed.text);
    expectError(
      await h.request('DELETE', '/api/v1/agents/writer?namespace=team-a', { contextToken: writer }),
      404,
      'agent not found',
    );
  });

  test('update Agent: the body’s spec replaces the old one; 404 unknown; 400 invalid', async () => {
    await h.custom.patchNamespacedCustomObject({
      ...AGENTS,
      namespace: 'team-a',
      name: 'writer',
      body: [{ op: 'add', path: '/spec/systemPrompt', value: { inline: 'be brief' } }],
    });
    assert.ok((await agentInCluster('team-a', 'writer'))?.spec.systemPrompt);
    const updated = await h.request('PUT', '/api/v1/agents/writer', {
      token: tokenA,
      body: { spec: { runtime: { type: 'codex' } } },
    });
    assert.equal(updated.status, 200, updated.text);
    assert.equal(updated.json.spec.runtime.type, 'codex');
    const stored = await agentInCluster('team-a', 'writer');
    assert.equal((stored!.spec.runtime as { type: string }).type, 'codex');
    assert.equal(stored?.spec.systemPrompt, undefined, 'fields absent from the body are removed');
    assert.deepEqual(stored?.metadata.labels, { team: 'a' }, 'metadata is kept');

    expectError(
      await h.request('PUT', '/api/v1/agents/nobody', {
        token: tokenA,
        body: { spec: { runtime: { type: 'codex' } } },
      }),
      404,
      'agent not found',
    );
    const invalid = await h.request('PUT', '/api/v1/agents/writer', {
      token: tokenA,
      body: { spec: { runtime: { type: 'gpt' } } },
    });
    assert.equal(invalid.status, 400, invalid.text);
    assert.match(invalid.json.error.message, /^invalid agent: spec\.runtime\.type/);
    expectError(
      await h.request('PUT', '/api/v1/agents/writer', { token: tokenA, body: {} }),
      400,
      'invalid request body: spec is required',
    );
  });

  test('update Agent: conflicts are retried on a fresh read; 409 once the retries run out', async () => {
    h.standin.failNext({ verb: 'patch', resource: 'agents', name: 'writer', code: 409, count: 2 });
    const retried = await h.request('PUT', '/api/v1/agents/writer', {
      token: tokenA,
      body: { spec: { runtime: { type: 'claude' } } },
    });
    assert.equal(retried.status, 200, retried.text);
    assert.equal(retried.json.spec.runtime.type, 'claude');

    h.standin.failNext({ verb: 'patch', resource: 'agents', name: 'writer', code: 409, count: 5 });
    expectError(
      await h.request('PUT', '/api/v1/agents/writer', {
        token: tokenA,
        body: { spec: { runtime: { type: 'copilot' } } },
      }),
      409,
      'agent was modified concurrently',
    );
    const stored = await agentInCluster('team-a', 'writer');
    assert.equal((stored!.spec.runtime as { type: string }).type, 'claude');
  });

  test('update Agent without a conflict: exactly one patch, and a new resourceVersion', async () => {
    const before = await agentInCluster('team-a', 'writer');
    const logStart = h.standin.requestLog.length;
    const updated = await h.request('PUT', '/api/v1/agents/writer', {
      token: tokenA,
      body: { spec: { runtime: { type: 'codex' } } },
    });
    assert.equal(updated.status, 200, updated.text);
    const patches = h.standin.requestLog
      .slice(logStart)
      .filter((record) => record.verb === 'patch' && record.resource === 'agents');
    assert.equal(patches.length, 1);
    assert.notEqual(updated.json.metadata.resourceVersion, before?.metadata.resourceVersion);
  });

  test('delete Agent: 204, then 404', async () => {
    const deleted = await h.request('DELETE', '/api/v1/agents/flat', { token: tokenA });
    assert.equal(deleted.status, 204, deleted.text);
    assert.equal(await agentInCluster('team-a', 'flat'), null);
    expectError(
      await h.request('DELETE', '/api/v1/agents/flat', { token: tokenA }),
      404,
      'agent not found',
    );
  });

  test('secrets: names and types only, ServiceAccount tokens left out, values never returned', async () => {
    const core = h.standin.kubeConfig.makeApiClient(CoreV1Api);
    await core.createNamespacedSecret({
      namespace: 'team-a',
      body: {
        metadata: { name: 'anthropic-key' },
        type: 'Opaque',
        stringData: { apiKey: CANARY },
      },
    });
    await core.createNamespacedSecret({
      namespace: 'team-a',
      body: {
        metadata: { name: 'registry', annotations: { note: CANARY } },
        type: 'kubernetes.io/dockerconfigjson',
        data: {
          '.dockerconfigjson': Buffer.from(`{"auths":{"x":"${CANARY}"}}`).toString('base64'),
        },
      },
    });
    await core.createNamespacedSecret({
      namespace: 'team-a',
      body: {
        metadata: {
          name: 'orka-worker-token',
          annotations: { 'kubernetes.io/service-account.name': 'orka-worker' },
        },
        type: 'kubernetes.io/service-account-token',
        stringData: { token: CANARY },
      },
    });
    await core.createNamespacedSecret({
      namespace: 'team-b',
      body: { metadata: { name: 'elsewhere' }, stringData: { k: CANARY } },
    });
    const response = await h.request('GET', '/api/v1/secrets', { token: tokenA });
    assert.equal(response.status, 200, response.text);
    assert.deepEqual(response.json, {
      items: [
        { name: 'anthropic-key', namespace: 'team-a', type: 'Opaque' },
        { name: 'registry', namespace: 'team-a', type: 'kubernetes.io/dockerconfigjson' },
      ],
    });
    assert.ok(!response.text.includes(CANARY));
    assert.ok(!response.text.includes(Buffer.from(CANARY).toString('base64')));
    assert.ok(!h.logText().includes(CANARY));
  });

  test('secrets: the caller’s RBAC must allow list secrets; a context token needs orka:secrets:read', async () => {
    expectError(
      await h.request('GET', '/api/v1/secrets', { token: h.tokens.noRbac }),
      403,
      'user "system:serviceaccount:team-a:no-rbac" cannot list secrets in namespace "team-a"',
    );
    expectError(
      await h.request('GET', '/api/v1/secrets?namespace=team-a', {
        contextToken: await h.contextToken({ scope: 'orka:tasks:get' }),
      }),
      403,
      'context token is not authorized for listSecrets',
    );
    const reader = await h.request('GET', '/api/v1/secrets?namespace=team-a', {
      contextToken: await h.contextToken({ scope: 'orka:secrets:read' }),
    });
    assert.equal(reader.status, 200, reader.text);
    assert.equal(reader.json.items.length, 2);
  });

  test('logs?follow=true: the worker’s lines as server-sent events, and the stream ends with the log', async () => {
    const logStart = h.logs.length;
    const worker = await h.startWorker('team-a', 'streaming');
    h.standin.setPodLog(
      'team-a',
      worker.podName,
      'step 1\r\nprogress 10%\rprogress 90%\nnon-ascii ✓\nno newline at the end',
      'worker',
    );
    const response = await h.request('GET', '/api/v1/tasks/streaming/logs?follow=true', {
      token: tokenA,
    });
    assert.equal(response.status, 200, response.text);
    assert.equal(response.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    assert.equal(response.headers.get('cache-control'), 'no-cache');
    assert.equal(
      response.text,
      [
        ': following the worker log\n\n',
        'data: step 1\n\n',
        'data: progress 10%\n\n',
        'data: progress 90%\n\n',
        'data: non-ascii ✓\n\n',
        'data: no newline at the end\n\n',
      ].join(''),
    );
    const logRequest = h.standin.requestLog.filter(
      (record) => record.subresource === 'log' && record.name === worker.podName,
    );
    assert.equal(logRequest.length, 1);
    assert.deepEqual(
      (await h.request('GET', '/api/v1/tasks/streaming/logs?follow=false', { token: tokenA })).json,
      { logs: 'step 1\r\nprogress 10%\rprogress 90%\nnon-ascii ✓\nno newline at the end' },
    );
    assert.ok(!h.logs.slice(logStart).some((line) => line.msg === 'request failed'));
  });

  test('logs?follow=true: the JSON answers before a stream: stored result, pending, no pods, bad follow', async () => {
    await h.putTask('team-a', 'finished', undefined, {
      phase: 'Succeeded',
      resultRef: { available: true },
    });
    h.store.results.put('team-a', 'finished', Buffer.from('final output'));
    assert.deepEqual(
      (await h.request('GET', '/api/v1/tasks/finished/logs?follow=true', { token: tokenA })).json,
      { logs: 'final output' },
    );
    await h.putTask('team-a', 'waiting', undefined, { phase: 'Pending' });
    expectError(
      await h.request('GET', '/api/v1/tasks/waiting/logs?follow=true', { token: tokenA }),
      404,
      'task is pending, no logs available yet',
    );
    expectError(
      await h.request('GET', '/api/v1/tasks/nope/logs?follow=true', { token: tokenA }),
      404,
      'task not found',
    );
    expectError(
      await h.request('GET', '/api/v1/tasks/waiting/logs?follow=yes', { token: tokenA }),
      400,
      'invalid query parameter: follow must be one of "true", "false"',
    );
  });

  test('OpenAPI lists the new routes', async () => {
    const doc = (await h.request('GET', '/api/v1/openapi.json')).json;
    for (const [path, method] of [
      ['/api/v1/tasks/{id}/children', 'get'],
      ['/api/v1/tasks/{id}/plan', 'get'],
      ['/api/v1/agents', 'post'],
      ['/api/v1/agents/{name}', 'put'],
      ['/api/v1/agents/{name}', 'delete'],
      ['/api/v1/secrets', 'get'],
    ] as const) {
      assert.ok(doc.paths[path]?.[method], `${method} ${path}`);
    }
    const put = doc.paths['/api/v1/agents/{name}'].put;
    assert.deepEqual(put.requestBody.content['application/json'].schema.required, ['spec']);
    assert.ok(put.responses['409']);
    assert.ok(doc.paths['/api/v1/tasks/{id}/plan'].get.responses['501']);
  });
});
