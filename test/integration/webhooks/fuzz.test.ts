// 10,000+ malformed and hostile bodies against a real HTTPS webhook: every one is answered with a
// 400 Status or a well-formed AdmissionReview (uid echoed), the server never crashes or hangs, and
// nothing hostile is ever allowed without a policy decision.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { agent, task } from '../../unit/policy-builtin/harness.ts';
import { reviewOf, startTestWebhook, type TestWebhook } from './fixture.ts';

let webhook: TestWebhook;
before(async () => {
  webhook = await startTestWebhook({ agents: [agent()], requestTimeoutMs: 5000 });
});
after(() => webhook.close());

const HOSTILE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'];
const anyJson = fc.jsonValue({ maxDepth: 4 });
const wrongType = fc.oneof(
  fc.constant(null),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.string(),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.constantFrom(...HOSTILE_KEYS), fc.jsonValue({ maxDepth: 2 })),
);
const requestFields = [
  'uid',
  'kind',
  'resource',
  'operation',
  'userInfo',
  'object',
  'oldObject',
  'dryRun',
  'name',
  'namespace',
  'subResource',
];

/** A valid review with one field, at the top or in the request, replaced by a wrong value. */
const wrongField = fc
  .tuple(fc.constantFrom(...requestFields, 'apiVersion', 'kind', 'request'), wrongType)
  .map(([field, value]) => {
    const review = reviewOf(task(), { uid: 'fuzz-uid' });
    if (field in review && !requestFields.includes(field))
      (review as Record<string, unknown>)[field] = value;
    else (review.request as Record<string, unknown>)[field] = value;
    return JSON.stringify(review);
  });

const truncated = fc.tuple(anyJson, fc.nat()).map(([value, cut]) => {
  const text = JSON.stringify(reviewOf(task(), { uid: 'fuzz-uid' })).replace(
    '"fix-tests"',
    JSON.stringify(value),
  );
  return text.slice(0, cut % (text.length + 1));
});

const deep = fc
  .integer({ min: 500, max: 5000 })
  .map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`);
const deepObject = fc.integer({ min: 100, max: 3000 }).map((depth) => {
  const review = JSON.stringify(reviewOf(task(), { uid: 'fuzz-uid' }));
  return review.replace(
    '"prompt":"Fix the failing unit tests"',
    `"prompt":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`,
  );
});
const huge = fc
  .integer({ min: 100_000, max: 1_000_000 })
  .map((size) =>
    JSON.stringify(reviewOf(task({ spec: { prompt: 'p'.repeat(size) } }), { uid: 'fuzz-uid' })),
  );
const pollution = fc.constantFrom(...HOSTILE_KEYS).map((key) => {
  const review = JSON.stringify(reviewOf(task(), { uid: 'fuzz-uid' }));
  return review.replace(
    '"spec":{',
    `"${key}":{"polluted":true},"spec":{"${key}":{"allowBash":true},`,
  );
});
const bigNumbers = fc
  .bigInt()
  .map((n) =>
    JSON.stringify(reviewOf(task(), { uid: 'fuzz-uid' })).replace(
      '"type":"agent"',
      `"type":"agent","priority":${n}`,
    ),
  );

const body = fc.oneof(
  { weight: 3, arbitrary: anyJson.map((v) => JSON.stringify(v)) },
  { weight: 2, arbitrary: fc.string({ maxLength: 200 }) },
  { weight: 4, arbitrary: wrongField },
  { weight: 3, arbitrary: truncated },
  { weight: 1, arbitrary: deep },
  { weight: 1, arbitrary: deepObject },
  { weight: 1, arbitrary: pollution },
  { weight: 1, arbitrary: bigNumbers },
);

function checkAnswer(status: number, json: Record<string, unknown>, sent: string): void {
  if (status === 400) {
    assert.equal(json.kind, 'Status', `400 without a Status for ${sent.slice(0, 120)}`);
    assert.equal(typeof json.message, 'string');
    return;
  }
  assert.equal(status, 200, `status ${status} for ${sent.slice(0, 120)}`);
  assert.equal(json.apiVersion, 'admission.k8s.io/v1');
  assert.equal(json.kind, 'AdmissionReview');
  const response = json.response as Record<string, unknown>;
  assert.equal(typeof response.uid, 'string');
  assert.equal(typeof response.allowed, 'boolean');
  if (!response.allowed) {
    const status = response.status as { code: number; message: string };
    assert.ok(status.code >= 400 && status.message.length > 0);
  }
}

test('10,000 malformed and hostile bodies: every one a 400 or a well-formed review', {
  timeout: 600_000,
}, async () => {
  const bodies = fc.sample(body, { numRuns: 10_000, seed: 20_260_101 });
  bodies.push(...fc.sample(huge, { numRuns: 5, seed: 7 }));
  const counts = { status400: 0, reviews: 0, allowed: 0 };
  const endpoints = ['/validate', '/mutate'];
  const concurrency = 8;
  let next = 0;
  const worker = async () => {
    while (next < bodies.length) {
      const i = next++;
      const sent = bodies[i]!;
      const answer = await webhook.post(endpoints[i % 2]!, sent);
      checkAnswer(answer.status, answer.json, sent);
      if (answer.status === 400) counts.status400++;
      else {
        counts.reviews++;
        if ((answer.json.response as { allowed: boolean }).allowed) counts.allowed++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  assert.equal(counts.status400 + counts.reviews, bodies.length);
  assert.ok(counts.status400 > 0 && counts.reviews > 0, JSON.stringify(counts));
  assert.equal(Object.hasOwn(Object.prototype, 'polluted'), false);
  assert.equal(({} as Record<string, unknown>).allowBash, undefined);
  assert.equal((await webhook.get('/healthz')).status, 200, 'still serving');
});
