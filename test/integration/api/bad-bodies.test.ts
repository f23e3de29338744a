// Random bodies on every write route: whatever arrives, the answer is a 4xx (or a success) in the
// error shape with a reason, never a 500 (fast-check, a few hundred bodies per route).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { type Harness, startHarness, type Worker } from './harness.ts';

const RUNS = 200;

/** Bodies near the Task shape (so validation goes deep) and arbitrary JSON. */
const taskish = fc.record(
  {
    name: fc.oneof(fc.string(), fc.constantFrom('fuzz-task', ''), fc.integer()),
    namespace: fc.oneof(fc.string(), fc.constant('team-a')),
    type: fc.oneof(fc.constantFrom('agent', 'ai', 'container'), fc.anything()),
    prompt: fc.anything(),
    timeout: fc.oneof(fc.constantFrom('30m', '1h30m', '-1s', '3d'), fc.string()),
    priority: fc.oneof(fc.integer(), fc.double(), fc.string()),
    agentRef: fc.oneof(fc.record({ name: fc.string(), namespace: fc.string() }), fc.anything()),
    agentRuntime: fc.record(
      { maxTurns: fc.anything(), allowedTools: fc.anything(), allowBash: fc.anything() },
      { requiredKeys: [] },
    ),
    sessionRef: fc.anything(),
    env: fc.anything(),
    execution: fc.anything(),
  },
  { requiredKeys: [] },
);
const anyJson = fc.oneof(taskish, fc.jsonValue(), fc.dictionary(fc.string(), fc.jsonValue()));

function assertHandled(
  response: { status: number; json: unknown; text: string },
  body: string,
): void {
  assert.ok(response.status < 500, `${response.status} for ${body}: ${response.text}`);
  if (response.status >= 400) {
    const error = (response.json as { error?: { code?: unknown; message?: unknown } })?.error;
    assert.equal(error?.code, response.status, response.text);
    assert.equal(typeof error?.message, 'string');
    assert.ok((error.message as string).length > 0);
  }
}

describe('random bodies never cause a 500', () => {
  let h: Harness;
  let worker: Worker;
  before(async () => {
    h = await startHarness();
    worker = await h.startWorker('team-a', 'fuzz-parent', {
      type: 'agent',
      agentRef: { name: 'a' },
      prompt: 'p',
      sessionRef: { name: 'fuzz' },
    });
    h.store.sessions.getOrCreate('team-a', 'fuzz', { create: true });
    h.store.locks.acquire('team-a', 'fuzz', 'fuzz-parent');
  });
  after(() => h.close());

  const routes: [string, string, () => string, (body: unknown) => unknown][] = [
    ['POST /api/v1/tasks', '/api/v1/tasks', () => h.tokens.client['team-a']!, (b) => b],
    [
      'POST delegation',
      '/internal/v1/tasks/team-a/fuzz-parent/children',
      () => worker.token,
      (b) => ({ task: b }),
    ],
    [
      'POST delegation (any body)',
      '/internal/v1/tasks/team-a/fuzz-parent/children',
      () => worker.token,
      (b) => b,
    ],
    [
      'POST messages',
      '/internal/v1/sessions/team-a/fuzz/messages',
      () => worker.token,
      (b) => ({ messages: [b] }),
    ],
  ];
  for (const [name, path, token, wrap] of routes) {
    test(`${name}: ${RUNS} random JSON bodies`, async () => {
      await fc.assert(
        fc.asyncProperty(anyJson, async (body) => {
          const text = JSON.stringify(wrap(body)) ?? 'null';
          const response = await h.request('POST', path, {
            token: token(),
            raw: text,
            contentType: 'application/json',
          });
          assertHandled(response, text);
        }),
        { numRuns: RUNS },
      );
    });
  }

  test('raw garbage, wrong content types and proto keys: 4xx with a reason', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 300 }),
        fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded'),
        async (bytes, type) => {
          for (const path of ['/api/v1/tasks', '/internal/v1/tasks/team-a/fuzz-parent/children']) {
            const token = path.startsWith('/api') ? h.tokens.client['team-a']! : worker.token;
            const response = await h.request('POST', path, {
              token,
              raw: Buffer.from(bytes),
              contentType: type,
            });
            assertHandled(response, Buffer.from(bytes).toString('hex'));
            assert.ok(response.status >= 400);
          }
        },
      ),
      { numRuns: RUNS },
    );
    const proto = await h.request('POST', '/api/v1/tasks', {
      token: h.tokens.client['team-a']!,
      raw: '{"name":"p","type":"agent","__proto__":{"polluted":true}}',
      contentType: 'application/json',
    });
    assert.equal(proto.status, 400);
    assert.equal(({} as { polluted?: boolean }).polluted, undefined);
  });

  test('an oversized task body is 413 with the limit named', async () => {
    const response = await h.request('POST', '/api/v1/tasks', {
      token: h.tokens.client['team-a']!,
      raw: JSON.stringify({ name: 'big', type: 'agent', prompt: 'x'.repeat(15 * 1024 * 1024) }),
      contentType: 'application/json',
    });
    assert.equal(response.status, 413);
    assert.equal(response.json.error.message, 'request body exceeds the 15 MiB limit');
  });
});
