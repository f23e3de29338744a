// `orka worker delegate` against the real API: a child of the worker's own Task, with the parent's
// provenance; with a token service, the RFC 8693 exchange (checked field by field by a local TTS
// stand-in) and a verified child token kept in a Secret; worker-side refusals before any request.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CoreV1Api } from '@kubernetes/client-node';
import { type Harness, startHarness, type Worker } from '../api/harness.ts';
import { podDirs, podEnv, RecordingServer, runOrka } from './helpers.ts';

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
    context: { namespace: 'team-a', taskType: 'agent' },
  },
};
const INCOMING_TOKEN = 'incoming-txn-token-0123456789abcdef';

describe('orka worker delegate', () => {
  let h: Harness;
  let parent: Worker;
  const tts = new RecordingServer();
  let ttsUrl = '';
  let childToken = '';

  before(async () => {
    h = await startHarness();
    parent = await h.startWorker('team-a', 'parent');
    await h.custom.deleteNamespacedCustomObject({
      group: 'core.orka.ai',
      version: 'v1alpha1',
      plural: 'tasks',
      namespace: 'team-a',
      name: 'parent',
    });
    await h.putTask('team-a', 'parent', PARENT_SPEC, { phase: 'Running', jobName: parent.jobName });
    childToken = await h.contextToken({ txn: 'txn-1', scope: 'orka:tasks:get' });
    tts.reply = () => ({
      status: 200,
      contentType: 'application/json',
      body: JSON.stringify({
        access_token: childToken,
        issued_token_type: 'urn:ietf:params:oauth:token-type:txn_token',
        token_type: 'N_A',
      }),
    });
    ttsUrl = await tts.start();
  });
  after(async () => {
    await tts.stop();
    await h.close();
  });

  /** The parent worker's env, as the Job builder writes it for a Task with a transaction. */
  const workerEnv = (extra: Record<string, string> = {}) => {
    const dirs = podDirs();
    writeFileSync(dirs.saTokenPath, `${parent.token}\n`);
    const tokenFile = join(dirs.root, 'txn-token');
    writeFileSync(tokenFile, `${INCOMING_TOKEN}\n`);
    return podEnv(dirs, h.url, {
      ORKA_TASK_NAME: 'parent',
      ORKA_PROMPT: 'Coordinate',
      ORKA_TRANSACTION_ID: 'txn-1',
      ORKA_TRANSACTION_SCOPE: 'orka:tasks:create orka:tasks:get',
      ORKA_TRANSACTION_SCOPES: 'orka:tasks:create,orka:tasks:get',
      ORKA_TRANSACTION_TOKEN_FILE: tokenFile,
      ...extra,
    });
  };

  test('creates a child of its own Task with the inherited provenance; the name on stdout', async () => {
    const run = await runOrka(
      ['worker', 'delegate', '--agent', 'reviewer', '--name', 'review-1', 'Review', 'the diff'],
      workerEnv(),
    );
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'review-1\n');
    // biome-ignore lint/suspicious/noExplicitAny: the stored Task is read field by field
    const child = (await h.getTask('team-a', 'review-1')) as any;
    assert.equal(child.spec.prompt, 'Review the diff', 'not the parent prompt from ORKA_PROMPT');
    assert.deepEqual(child.spec.agentRef, { name: 'reviewer' });
    assert.deepEqual(child.spec.requestedBy, PARENT_SPEC.requestedBy);
    assert.equal(child.spec.transaction.id, 'txn-1');
    assert.equal(child.metadata.labels['orka.ai/parent-task'], 'parent');
  });

  test('with a token service: the RFC 8693 exchange, and the child token kept in a Secret', async () => {
    const before = tts.requests.length;
    const run = await runOrka(
      ['worker', 'delegate', '--agent', 'reviewer', '--name', 'review-2', '-o', 'json', 'Check'],
      workerEnv({
        ORKA_CONTEXT_TOKEN_TTS_URL: `${ttsUrl}/`,
        ORKA_CONTEXT_TOKEN_TTS_AUDIENCE: 'orka-api',
        ORKA_CONTEXT_TOKEN_TTS_TOKEN_SOURCE: 'incoming',
        ORKA_CONTEXT_TOKEN_CHILD_SCOPE: 'orka:tasks:get',
        ORKA_CONTEXT_TOKEN_CHILD_TOKEN_TTL: '90500ms',
      }),
    );
    assert.equal(run.code, 0, run.stderr);
    const [exchange] = tts.requests.slice(before);
    assert.ok(exchange);
    assert.equal(exchange.url, '/token_endpoint');
    assert.equal(exchange.headers['content-type'], 'application/x-www-form-urlencoded');
    const form = Object.fromEntries(new URLSearchParams(exchange.body.toString()));
    assert.deepEqual(form, {
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      requested_token_type: 'urn:ietf:params:oauth:token-type:txn_token',
      subject_token: INCOMING_TOKEN,
      subject_token_type: 'urn:ietf:params:oauth:token-type:txn_token',
      scope: 'orka:tasks:get',
      audience: 'orka-api',
      requested_expires_in: '91',
      request_details: JSON.stringify({
        operation: 'delegateTask',
        parentTask: 'parent',
        namespace: 'team-a',
        agent: 'reviewer',
        txn: 'txn-1',
      }),
    });
    const created = JSON.parse(run.stdout);
    assert.equal(created.metadata.name, 'review-2');
    const secretName = created.metadata.annotations['orka.ai/transaction-token-secret'];
    assert.ok(secretName);
    assert.deepEqual(created.spec.transaction.scopes, ['orka:tasks:get']);
    const secret = await h.standin.kubeConfig
      .makeApiClient(CoreV1Api)
      .readNamespacedSecret({ namespace: 'team-a', name: secretName });
    assert.equal(Buffer.from(secret.data!.token!, 'base64').toString(), childToken);
    assert.ok(!run.stderr.includes(INCOMING_TOKEN) && !run.stderr.includes(childToken));
    assert.ok(!JSON.stringify(created).includes(childToken));
  });

  const refusals: [string, Record<string, string>, number, RegExp][] = [
    [
      'a child scope the parent lacks (no exchange attempted)',
      { ORKA_CONTEXT_TOKEN_TTS_URL: 'TTS', ORKA_CONTEXT_TOKEN_CHILD_SCOPE: 'orka:tasks:delete' },
      1,
      /delegation refused: child transaction scope "orka:tasks:delete" is not present in parent transaction scopes/,
    ],
    [
      'a token service without a child scope',
      { ORKA_CONTEXT_TOKEN_TTS_URL: 'TTS' },
      2,
      /ORKA_CONTEXT_TOKEN_CHILD_SCOPE is required when ORKA_CONTEXT_TOKEN_TTS_URL is set for child task tokens/,
    ],
    [
      'an unreadable incoming token',
      {
        ORKA_CONTEXT_TOKEN_TTS_URL: 'TTS',
        ORKA_CONTEXT_TOKEN_CHILD_SCOPE: 'orka:tasks:get',
        ORKA_TRANSACTION_TOKEN_FILE: '/nonexistent/token',
      },
      2,
      /ORKA_TRANSACTION_TOKEN_FILE \/nonexistent\/token: the token file is unreadable or empty/,
    ],
  ];
  for (const [what, extra, code, message] of refusals) {
    test(`refuses ${what}; nothing is created`, async () => {
      const before = tts.requests.length;
      const env = Object.fromEntries(
        Object.entries(extra).map(([key, value]) => [key, value === 'TTS' ? ttsUrl : value]),
      );
      const run = await runOrka(
        ['worker', 'delegate', '--agent', 'reviewer', '--name', 'refused', 'Nope'],
        workerEnv(env),
      );
      assert.equal(run.code, code, run.stderr);
      assert.match(run.stderr, message);
      assert.equal(tts.requests.length, before);
      assert.equal(await h.getTask('team-a', 'refused'), null);
    });
  }

  test('the API refuses a child outside the transaction context: exit 1 with its reason', async () => {
    const dirs = podDirs();
    const file = join(dirs.root, 'child.yaml');
    writeFileSync(file, 'type: ai\nai:\n  prompt: p\n');
    const run = await runOrka(
      ['worker', 'delegate', '--name', 'wrong-type', '--file', file, '--agent', 'x', 'p'],
      workerEnv(),
    );
    assert.equal(run.code, 1, run.stderr);
    assert.match(
      run.stderr,
      /HTTP 403: .*child task task type \\"ai\\" does not match transaction context/,
    );
    assert.equal(await h.getTask('team-a', 'wrong-type'), null);
  });
});
