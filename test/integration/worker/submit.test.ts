// Result submission against a local HTTP server: the ServiceAccount token, retries on transient
// failures only, redaction of every known secret (the canary), artifacts; and the session init
// container with the transcript given to the runtime.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  podDirs,
  podEnv,
  RecordingServer,
  type Reply,
  runOrka,
  SA_TOKEN,
  standInRuns,
} from './helpers.ts';

const server = new RecordingServer();
let url = '';
before(async () => {
  url = await server.start();
});
after(() => server.stop());

/** A separate server per test, so retries of one test do not mix with another's. */
async function scriptedServer(replies: Reply[]): Promise<{ server: RecordingServer; url: string }> {
  const scripted = new RecordingServer();
  let next = 0;
  scripted.reply = () => replies[Math.min(next++, replies.length - 1)]!;
  return { server: scripted, url: await scripted.start() };
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe('result submission', () => {
  test('POSTs the output as octet-stream with the ServiceAccount token', async () => {
    const dirs = podDirs();
    const before = server.requests.length;
    const run = await runOrka(
      ['worker', '--runtime', 'claude'],
      podEnv(dirs, url, { STANDIN_OUTPUT: 'all good\n' }),
    );
    assert.equal(run.code, 0, run.stderr);
    const [posted] = server.requests.slice(before);
    assert.equal(posted!.url, '/internal/v1/results/team-a/task-1');
    assert.equal(posted!.headers.authorization, `Bearer ${SA_TOKEN}`);
    assert.equal(posted!.headers['content-type'], 'application/octet-stream');
    assert.equal(posted!.body.toString(), 'all good\n');
    assert.match(run.stderr, /Task team-a\/task-1 completed successfully/);
  });

  test('without a token file, ORKA_SA_TOKEN is used; the endpoint defaults from the controller URL', async () => {
    const dirs = podDirs();
    const before = server.requests.length;
    const env = podEnv(dirs, url, {
      ORKA_SA_TOKEN_PATH: join(dirs.root, 'absent'),
      ORKA_SA_TOKEN: 'env-token-0123456789',
      ORKA_RESULT_ENDPOINT: '',
      STANDIN_OUTPUT: 'answer',
    });
    const run = await runOrka(['worker', '--runtime', 'claude'], env);
    assert.equal(run.code, 0, run.stderr);
    const [posted] = server.requests.slice(before);
    assert.equal(posted!.url, '/internal/v1/results/team-a/task-1');
    assert.equal(posted!.headers.authorization, 'Bearer env-token-0123456789');
  });

  const retryRows: { name: string; replies: Reply[]; posts: number; code: number }[] = [
    {
      name: '503 then 204: retried',
      replies: [{ status: 503 }, { status: 204 }],
      posts: 2,
      code: 0,
    },
    {
      name: '500, 502, 429 then 204: retried each time',
      replies: [{ status: 500 }, { status: 502 }, { status: 429 }, { status: 204 }],
      posts: 4,
      code: 0,
    },
    { name: '403: final, not retried', replies: [{ status: 403 }], posts: 1, code: 1 },
    { name: '413: final, not retried', replies: [{ status: 413 }], posts: 1, code: 1 },
    {
      name: 'always 503: five attempts, then failure',
      replies: [{ status: 503 }],
      posts: 5,
      code: 1,
    },
  ];
  for (const row of retryRows) {
    test(row.name, async () => {
      const scripted = await scriptedServer(row.replies);
      try {
        const dirs = podDirs();
        const env = podEnv(dirs, scripted.url, { STANDIN_OUTPUT: 'answer' });
        const run = await runOrka(['worker', '--runtime', 'claude'], env);
        assert.equal(run.code, row.code, run.stderr);
        assert.equal(scripted.server.posted('/internal/v1/results/').length, row.posts);
      } finally {
        await scripted.server.stop();
      }
    });
  }

  test('an empty output submits nothing (the API refuses empty results) and succeeds', async () => {
    const dirs = podDirs();
    const before = server.requests.length;
    const run = await runOrka(['worker', '--runtime', 'claude'], podEnv(dirs, url));
    assert.equal(run.code, 0, run.stderr);
    assert.equal(server.requests.length, before);
    assert.match(run.stderr, /the agent produced no output: no result submitted/);
  });

  test('connection refused is retried until the attempts are spent', async () => {
    const dirs = podDirs();
    const port = await closedPort();
    const run = await runOrka(
      ['worker', '--runtime', 'claude'],
      podEnv(dirs, `http://127.0.0.1:${port}`, { STANDIN_OUTPUT: 'answer' }),
    );
    assert.equal(run.code, 1);
    assert.equal(run.stderr.match(/ECONNREFUSED; attempt \d of 5, retrying/g)?.length, 4);
    assert.match(run.stderr, /result not submitted: POST .*: ECONNREFUSED/);
  });
});

describe('redaction canary', () => {
  test('every known secret is redacted from the result, the artifacts and the logs', async () => {
    const dirs = podDirs();
    const secrets = {
      agentFile: 'sk-ant-agent-secret-file-0001',
      envKey: 'sk-openai-env-key-0002',
      gitToken: 'ghp_git_token_0003_abcdef',
    };
    mkdirSync(join(dirs.secrets, 'agent'), { recursive: true });
    writeFileSync(join(dirs.secrets, 'agent', 'ANTHROPIC_API_KEY'), secrets.agentFile);
    writeFileSync(join(dirs.secrets, 'agent', 'CLAUDE_CODE_USE_FOUNDRY'), '1');
    mkdirSync(join(dirs.secrets, 'git'), { recursive: true });
    writeFileSync(join(dirs.secrets, 'git', 'token'), secrets.gitToken);
    const all = [...Object.values(secrets), SA_TOKEN];
    const leak = `leaking ${all.join(' and ')} plus "${secrets.envKey}" with 1 switch\n`;
    const before = server.requests.length;
    const env = podEnv(dirs, url, {
      OPENAI_API_KEY: secrets.envKey,
      STANDIN_OUTPUT: leak,
      STANDIN_STDERR: leak,
      // written through the workspace's .orka-artifacts link
      STANDIN_ARTIFACT: `report.md=${leak}`,
    });
    const run = await runOrka(['worker', '--runtime', 'claude'], env);
    assert.equal(run.code, 0, run.stderr);
    const requests = server.requests.slice(before);
    const result = requests.find((r) => r.url === '/internal/v1/results/team-a/task-1')!;
    const artifact = requests.find(
      (r) => r.url === '/internal/v1/artifacts/team-a/task-1/report.md',
    )!;
    const redacted =
      'leaking [REDACTED] and [REDACTED] and [REDACTED] and [REDACTED] plus "[REDACTED]" with 1 switch\n';
    assert.equal(result.body.toString(), redacted);
    assert.equal(artifact.body.toString(), redacted);
    assert.equal(artifact.headers['content-type'], 'text/markdown; charset=utf-8');
    for (const secret of [...all, secrets.envKey]) {
      assert.ok(!run.stdout.includes(secret), `stdout leaks ${secret}`);
      assert.ok(!run.stderr.includes(secret), `stderr leaks ${secret}`);
    }
  });
});

describe('sessions', () => {
  const transcript = [
    { role: 'user', content: 'Write a parser', ts: '2026-01-01T00:00:00Z' },
    { role: 'assistant', content: 'Done: parser.ts', ts: '2026-01-01T00:00:01Z' },
  ]
    .map((message) => JSON.stringify(message))
    .join('\n');

  test('fetch-session writes the newest N messages; the worker gives them to the runtime', async () => {
    const scripted = await scriptedServer([
      { status: 200, body: `${transcript}\n`, contentType: 'application/x-ndjson' },
      { status: 204 },
    ]);
    try {
      const dirs = podDirs();
      const env = podEnv(dirs, scripted.url, {
        ORKA_SESSION_NAME: 'my-session',
        ORKA_SESSION_MAX_MESSAGES: '20',
        ORKA_PROMPT: 'Now add error handling',
      });
      const fetched = await runOrka(['worker', 'fetch-session'], env);
      assert.equal(fetched.code, 0, fetched.stderr);
      const [get] = scripted.server.requests;
      assert.equal(get!.method, 'GET');
      assert.equal(
        get!.url,
        '/internal/v1/sessions/team-a/my-session/transcript?task=task-1&maxMessages=20',
      );
      assert.equal(get!.headers.authorization, `Bearer ${SA_TOKEN}`);
      assert.equal(readFileSync(join(dirs.session, 'transcript.jsonl'), 'utf8'), `${transcript}\n`);

      const run = await runOrka(['worker', '--runtime', 'claude'], env);
      assert.equal(run.code, 0, run.stderr);
      const argv = standInRuns(dirs)[0]!.argv;
      assert.equal(
        argv[argv.length - 1],
        [
          '<conversation-history>',
          '<message role="user">',
          'Write a parser',
          '</message>',
          '<message role="assistant">',
          'Done: parser.ts',
          '</message>',
          '</conversation-history>',
          '',
          'Continue this conversation. The current request:',
          '',
          'Now add error handling',
        ].join('\n'),
      );
    } finally {
      await scripted.server.stop();
    }
  });

  test('a transcript that cannot be fetched leaves an empty file and a warning', async () => {
    const scripted = await scriptedServer([{ status: 403, body: 'cross-namespace access denied' }]);
    try {
      const dirs = podDirs();
      const env = podEnv(dirs, scripted.url, {
        ORKA_SESSION_NAME: 'my-session',
        ORKA_SESSION_MAX_MESSAGES: '0',
      });
      const fetched = await runOrka(['worker', 'fetch-session'], env);
      assert.equal(fetched.code, 0);
      assert.match(fetched.stderr, /warning: session team-a\/my-session: GET .*HTTP 403/);
      assert.equal(readFileSync(join(dirs.session, 'transcript.jsonl'), 'utf8'), '');
      // 0 means all messages: the API takes only positive limits, so none is sent
      assert.equal(
        scripted.server.requests[0]!.url,
        '/internal/v1/sessions/team-a/my-session/transcript?task=task-1',
      );
    } finally {
      await scripted.server.stop();
    }
  });

  test('fetch-session without a session name is a config error', async () => {
    const dirs = podDirs();
    const fetched = await runOrka(['worker', 'fetch-session'], podEnv(dirs, url));
    assert.equal(fetched.code, 2);
    assert.match(fetched.stderr, /ORKA_SESSION_NAME is required/);
  });
});
