// Canary: unique values planted in every token and secret input (ServiceAccount tokens, bound
// worker tokens, context tokens, the delegated child token, bad tokens) must never show up in
// stdout, stderr, the server's logs, any response, the SQLite file or the Task objects created.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { CONTEXT_SUBJECT, clientOf, type Harness, startHarness } from './harness.ts';

describe('canary: secrets never leak', () => {
  let h: Harness;
  const secrets: string[] = [];
  const responses: string[] = [];
  const output: string[] = [];
  const writes = { stdout: process.stdout.write, stderr: process.stderr.write };

  before(async () => {
    h = await startHarness({ authzMode: 'enforce' });
    for (const stream of ['stdout', 'stderr'] as const) {
      const original = writes[stream].bind(process[stream]);
      process[stream].write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
        output.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
        return (original as (...args: unknown[]) => boolean)(chunk, ...rest);
      }) as typeof process.stdout.write;
    }
  });
  after(async () => {
    process.stdout.write = writes.stdout;
    process.stderr.write = writes.stderr;
    await h.close();
  });

  const call = async (...args: Parameters<Harness['request']>) => {
    const response = await h.request(...args);
    responses.push(response.text, JSON.stringify([...response.headers]));
    return response;
  };

  test('exercise every credential path with planted values', async () => {
    const canary = `canary-${randomUUID()}`;
    const saToken = h.standin.addUser(
      { username: clientOf('team-a'), groups: ['system:serviceaccounts'] },
      `${canary}-sa-token`,
    );
    secrets.push(saToken, `${canary}-unknown-token`, `${canary}-api-key`);
    assert.equal(
      (
        await call('POST', '/api/v1/tasks', {
          token: saToken,
          body: { name: 'canary', type: 'agent', agentRef: { name: 'a' }, prompt: 'p' },
        })
      ).status,
      201,
    );
    assert.equal(
      (await call('GET', '/api/v1/tasks', { token: `${canary}-unknown-token` })).status,
      401,
    );
    assert.equal(
      (await call('GET', '/api/v1/tasks', { headers: { 'x-api-key': `${canary}-api-key` } }))
        .status,
      401,
    );
    assert.equal(
      (await call('GET', '/api/v1/tasks', { headers: { authorization: `Basic ${canary}` } }))
        .status,
      401,
    );
    secrets.push(`Basic ${canary}`);

    const contextToken = await h.contextToken({
      jti: `${canary}-jti`,
      scope: 'orka:tasks:create orka:tasks:get orka:tasks:list',
    });
    secrets.push(contextToken);
    const created = await call('POST', '/api/v1/tasks', {
      contextToken,
      body: {
        name: 'ctx-canary',
        namespace: 'team-a',
        type: 'agent',
        agentRef: { name: 'a' },
        prompt: 'p',
      },
    });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.json.spec.requestedBy.username, CONTEXT_SUBJECT);
    const forged = `${contextToken.slice(0, -4)}AAAA`;
    secrets.push(forged);
    assert.equal((await call('GET', '/api/v1/tasks', { contextToken: forged })).status, 401);
    const denied = await h.contextToken({ scope: 'orka:tasks:get', tctx: { namespace: 'team-b' } });
    secrets.push(denied);
    assert.equal(
      (await call('GET', '/api/v1/tasks?namespace=team-a', { contextToken: denied })).status,
      403,
    );

    const worker = await h.startWorker('team-a', 'canary-worker', {
      type: 'agent',
      agentRef: { name: 'a' },
      prompt: 'p',
      transaction: { id: 'txn-1', scope: 'orka:tasks:get', scopes: ['orka:tasks:get'] },
    });
    secrets.push(worker.token);
    assert.equal(
      (
        await call('POST', '/internal/v1/results/team-a/canary-worker', {
          token: worker.token,
          raw: 'result',
        })
      ).status,
      204,
    );
    assert.equal(
      (await call('POST', '/internal/v1/results/team-a/canary', { token: worker.token, raw: 'x' }))
        .status,
      403,
    );
    const childToken = await h.contextToken({
      jti: `${canary}-child`,
      txn: 'txn-1',
      scope: 'orka:tasks:get',
    });
    secrets.push(childToken);
    const delegated = await call('POST', '/internal/v1/tasks/team-a/canary-worker/children', {
      token: worker.token,
      body: {
        task: { name: 'canary-child', type: 'agent', agentRef: { name: 'a' }, prompt: 'p' },
        childScope: 'orka:tasks:get',
        transactionToken: childToken,
      },
    });
    assert.equal(delegated.status, 201, delegated.text.replaceAll(canary, 'CANARY'));
    const badChild = await call('POST', '/internal/v1/tasks/team-a/canary-worker/children', {
      token: worker.token,
      body: {
        task: { name: 'canary-child-2', type: 'agent', agentRef: { name: 'a' }, prompt: 'p' },
        childScope: 'orka:tasks:get',
        transactionToken: `${canary}-not-a-jwt`,
      },
    });
    assert.equal(badChild.status, 403);
    secrets.push(`${canary}-not-a-jwt`);
  });

  test('no planted value appears anywhere it must not', async () => {
    h.store.close();
    const database = await readFile(h.storePath);
    const wal = await readFile(`${h.storePath}-wal`).catch(() => Buffer.alloc(0));
    const tasks = await h.custom.listClusterCustomObject({
      group: 'core.orka.ai',
      version: 'v1alpha1',
      plural: 'tasks',
    });
    const places: [string, string][] = [
      ['logs', h.logText()],
      ['stdout/stderr', output.join('')],
      ['responses', responses.join('\n')],
      ['sqlite', database.toString('latin1') + wal.toString('latin1')],
      ['task objects', JSON.stringify(tasks)],
    ];
    assert.ok(h.logs.length > 10, 'the server logged');
    assert.ok(secrets.length >= 8);
    for (const secret of secrets) {
      for (const [where, text] of places) {
        assert.ok(
          !text.includes(secret),
          `a planted secret (${secret.slice(0, 16)}…) appears in ${where}`,
        );
      }
      // The unique part alone must not leak either (e.g. a token echoed in pieces).
      const unique = secret.match(/canary-[0-9a-f-]{36}/)?.[0];
      if (unique !== undefined) {
        for (const [where, text] of places) assert.ok(!text.includes(unique), `canary in ${where}`);
      }
    }
  });
});
