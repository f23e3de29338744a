// /metrics on the API (reference §3.3, §3.5): request durations by route template, method and
// status; context-token authentication results by profile; context-token authorization decisions
// by action, result and reason.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Harness, startHarness } from './harness.ts';

/** The value of one sample line, or 0 when the series does not exist yet. */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

describe('API metrics', () => {
  let h: Harness;
  const scrape = async () => {
    const response = await h.request('GET', '/metrics');
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    return response.text;
  };
  before(async () => {
    h = await startHarness({ authzMode: 'enforce' });
    await h.putTask('team-a', 't1');
  });
  after(() => h.close());

  test('request durations are labelled by route template, never by the Task name', async () => {
    const token = h.tokens.client['team-a']!;
    await h.request('GET', '/api/v1/tasks/t1?namespace=team-a', { token });
    await h.request('GET', '/api/v1/tasks/missing?namespace=team-a', { token });
    await h.request('GET', '/no/such/route');
    const text = await scrape();
    const series = (status: number) =>
      `orka_api_request_duration_seconds_count{route="/api/v1/tasks/:id",method="GET",status="${status}"}`;
    assert.equal(sample(text, series(200)), 1);
    assert.equal(sample(text, series(404)), 1);
    assert.equal(
      sample(
        text,
        'orka_api_request_duration_seconds_count{route="(unmatched)",method="GET",status="404"}',
      ),
      1,
    );
    assert.ok(!text.includes('missing'), 'no concrete path in a label');
    assert.match(text, /# TYPE orka_api_request_duration_seconds histogram/);
    assert.match(
      text,
      /orka_api_request_duration_seconds_bucket\{route="\/api\/v1\/tasks\/:id",method="GET",status="200",le="\+Inf"\} 1/,
    );
  });

  test('context-token authentication: success and failure by profile; other callers not counted', async () => {
    const success = 'orka_context_token_auth_total{profile="kontxt",result="success"}';
    const failure = 'orka_context_token_auth_total{profile="kontxt",result="failure"}';
    const before = await scrape();
    const good = await h.contextToken({ tctx: { namespace: 'team-a' } });
    await h.request('GET', '/api/v1/auth/validate', { contextToken: good });
    await h.request('GET', '/api/v1/auth/validate', { contextToken: `${good}x` });
    await h.request('GET', '/api/v1/auth/validate', { token: h.tokens.client['team-a']! });
    await h.request('GET', '/api/v1/auth/validate', { token: 'not-a-token' });
    const text = await scrape();
    assert.equal(sample(text, success) - sample(before, success), 1);
    assert.equal(sample(text, failure) - sample(before, failure), 1);
  });

  test('context-token authorization: allowed and denied with their action and reason', async () => {
    const allowedList =
      'orka_context_token_authorization_total{action="listTasks",result="allowed",reason="ok"}';
    const deniedScope =
      'orka_context_token_authorization_total{action="getTask",result="denied",reason="missing_scope"}';
    const deniedNamespace =
      'orka_context_token_authorization_total{action="listTasks",result="denied",reason="namespace_mismatch"}';
    const before = await scrape();
    const lister = await h.contextToken({
      scope: 'orka:tasks:list',
      tctx: { namespace: 'team-a' },
    });
    const listed = await h.request('GET', '/api/v1/tasks?namespace=team-a', {
      contextToken: lister,
    });
    assert.equal(listed.status, 200, listed.text);
    const noScope = await h.request('GET', '/api/v1/tasks/t1?namespace=team-a', {
      contextToken: lister,
    });
    assert.equal(noScope.status, 403);
    const elsewhere = await h.request('GET', '/api/v1/tasks?namespace=team-b', {
      contextToken: lister,
    });
    assert.equal(elsewhere.status, 403);
    const text = await scrape();
    // The route check and one per listed Task (t1).
    assert.equal(sample(text, allowedList) - sample(before, allowedList), 2);
    assert.equal(sample(text, deniedScope) - sample(before, deniedScope), 1);
    assert.equal(sample(text, deniedNamespace) - sample(before, deniedNamespace), 1);
  });
});
