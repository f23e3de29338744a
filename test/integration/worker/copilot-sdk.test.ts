// `orka worker --runtime copilot` with ORKA_COPILOT_MODE=sdk: the real @github/copilot-sdk starts
// a stand-in of the Copilot CLI's server mode (test/helpers/copilot-cli-standin.ts) and drives one
// session over JSON-RPC. The stand-in records what reached it: how it was started, the session
// (model, tools, system message, working directory), the prompt and the permission decision.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { CopilotClient, RuntimeConnection } from '@github/copilot-sdk';
import { type AgentCli, copilotCli } from '../../helpers/agent-cli.ts';
import {
  installCopilotCliStandin,
  STANDIN_INTERMEDIATE,
  STANDIN_PERMISSION_REQUEST_ID,
  STANDIN_PROTOCOL_VERSION,
  type StandinCall,
  type StandinStart,
} from '../../helpers/copilot-cli-standin.ts';
import { eventually } from '../../helpers/eventually.ts';
import {
  type OrkaRun,
  type PodDirs,
  podDirs,
  podEnv,
  processGone,
  REPO_ROOT,
  RecordingServer,
  runOrka,
} from './helpers.ts';

const run = promisify(execFile);

const GITHUB_TOKEN = 'ghp_copilotsdkcanary0123456789abcdef';
const REPLY = 'All 12 tests pass now.';
const RESULTS = '/internal/v1/results/team-a/task-1';

const server = new RecordingServer();
let url = '';
before(async () => {
  url = await server.start();
});
after(() => server.stop());

function standinLog(dirs: PodDirs): { start: StandinStart; calls: StandinCall[] } {
  const [first, ...rest] = readFileSync(join(dirs.root, 'copilot-standin.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as unknown);
  assert.ok(first, 'the stand-in CLI was started');
  return { start: first as StandinStart, calls: rest as StandinCall[] };
}

function call(calls: StandinCall[], method: string): Record<string, unknown> {
  const found = calls.find((entry) => entry.method === method);
  assert.ok(found, `no ${method} call: ${calls.map((entry) => entry.method).join(', ')}`);
  return found.params;
}

function sdkEnv(dirs: PodDirs, extra: Record<string, string>): Record<string, string> {
  return podEnv(dirs, url, {
    ORKA_COPILOT_MODE: 'sdk',
    COPILOT_STANDIN_RECORD: join(dirs.root, 'copilot-standin.jsonl'),
    COPILOT_STANDIN_REPLY: REPLY,
    ...extra,
  });
}

function postedResult(since: number): string {
  const posted = server.requests.slice(since).filter((r) => r.method === 'POST');
  const result = posted.find((r) => r.url === RESULTS);
  assert.ok(result, `no result posted: ${posted.map((r) => r.url).join(', ')}`);
  return result.body.toString();
}

describe('the Copilot SDK runtime against a stand-in CLI', () => {
  test('model, tools, appended system message, working directory and prompt reach the CLI; the reply is the result', async () => {
    const dirs = podDirs();
    mkdirSync(join(dirs.workspace, 'services', 'api'), { recursive: true });
    const cli = installCopilotCliStandin(dirs.root, 'copilot-server');
    const since = server.requests.length;
    const run = await runOrka(
      ['worker', '--runtime', 'copilot'],
      sdkEnv(dirs, {
        COPILOT_CLI_PATH: cli,
        GITHUB_TOKEN,
        // the CLI's stderr is copied by the SDK itself; it must still be redacted
        COPILOT_STANDIN_STDERR: `debug: authenticating with ${GITHUB_TOKEN}`,
        ORKA_MODEL: 'gpt-5.2',
        ORKA_SYSTEM_PROMPT: 'You are the ORKA-SYSTEM-MARKER reviewer.',
        ORKA_ALLOWED_TOOLS: 'view, edit ,shell',
        ORKA_DISALLOWED_TOOLS: 'web_fetch,shell',
        ORKA_MAX_TURNS: '9',
        ORKA_WORKSPACE_SUBPATH: 'services/api',
      }),
    );
    assert.equal(run.code, 0, run.stderr);

    const { start, calls } = standinLog(dirs);
    for (const flag of ['--headless', '--stdio', '--no-auto-login']) {
      assert.ok(start.argv.includes(flag), `${flag} in ${start.argv.join(' ')}`);
    }
    const tokenEnv = start.argv[start.argv.indexOf('--auth-token-env') + 1];
    assert.equal(tokenEnv, 'COPILOT_SDK_AUTH_TOKEN');
    assert.equal(start.env[tokenEnv], GITHUB_TOKEN, 'GITHUB_TOKEN is the CLI credential');
    assert.equal(start.cwd, dirs.workspace, 'the CLI runs in the workspace root');
    assert.equal(start.env.HOME, dirs.home);

    assert.equal(call(calls, 'connect').token, undefined);
    const session = call(calls, 'session.create');
    assert.equal(session.model, 'gpt-5.2');
    assert.equal(session.workingDirectory, join(dirs.workspace, 'services', 'api'));
    assert.deepEqual(session.systemMessage, {
      mode: 'append',
      content: 'You are the ORKA-SYSTEM-MARKER reviewer.',
    });
    // disallowed wins, as the worker's effective permissions say; Bash not allowed adds `shell`
    assert.deepEqual(session.availableTools, ['view', 'edit']);
    assert.deepEqual(session.excludedTools, ['web_fetch', 'shell']);
    assert.equal(session.requestPermission, true);
    const send = call(calls, 'session.send');
    assert.equal(send.prompt, 'Fix the tests');
    assert.equal(send.sessionId, session.sessionId);
    assert.deepEqual(call(calls, 'session.permissions.handlePendingPermissionRequest'), {
      sessionId: session.sessionId,
      requestId: STANDIN_PERMISSION_REQUEST_ID,
      result: { kind: 'approve-once' },
    });
    assert.ok(
      calls.some((entry) => entry.method === 'runtime.shutdown'),
      'the CLI was shut down',
    );

    assert.equal(postedResult(since), REPLY, 'the last assistant message is the result');
    assert.ok(run.stdout.includes(STANDIN_INTERMEDIATE), 'assistant messages are in the Pod log');
    assert.match(run.stderr, /copilot: max turns 9 \(Copilot has no turn limit\)/);
    assert.match(run.stderr, /debug: authenticating with \[REDACTED\]/);
    assert.ok(!run.stdout.includes(GITHUB_TOKEN) && !run.stderr.includes(GITHUB_TOKEN));
  });

  test('defaults: `copilot` from PATH, no model, system message or tool lists; Bash allowed', async () => {
    const dirs = podDirs();
    installCopilotCliStandin(dirs.bin, 'copilot');
    const since = server.requests.length;
    const run = await runOrka(
      ['worker', '--runtime', 'copilot'],
      sdkEnv(dirs, { ORKA_ALLOW_BASH: 'true' }),
    );
    assert.equal(run.code, 0, run.stderr);
    const { start, calls } = standinLog(dirs);
    assert.ok(!start.argv.includes('--auth-token-env'), 'no token, no token flag');
    const session = call(calls, 'session.create');
    for (const absent of ['model', 'systemMessage', 'availableTools', 'excludedTools']) {
      assert.equal(session[absent], undefined, absent);
    }
    assert.equal(session.workingDirectory, dirs.workspace);
    assert.equal(postedResult(since), REPLY);
  });

  const failures: { name: string; env: Record<string, string>; error: RegExp }[] = [
    {
      name: 'a session.error event',
      env: { COPILOT_STANDIN_FAIL: 'session-error' },
      error: /^Error: copilot failed: stand-in: premium request quota exhausted/,
    },
    {
      name: 'session.create refused',
      env: { COPILOT_STANDIN_FAIL: 'create-error' },
      error: /^Error: copilot failed: .*stand-in: not authenticated to GitHub Copilot/,
    },
    {
      name: 'the CLI exiting in the middle of the turn',
      env: { COPILOT_STANDIN_FAIL: 'exit-mid-turn' },
      error: /^Error: copilot failed: the Copilot CLI stopped answering/,
    },
    {
      name: 'a turn that outlives ORKA_TIMEOUT_SECONDS',
      env: { COPILOT_STANDIN_FAIL: 'hang', ORKA_TIMEOUT_SECONDS: '2' },
      error: /^Error: copilot timed out after 2s/,
    },
    {
      name: 'no CLI at COPILOT_CLI_PATH',
      env: { COPILOT_CLI_PATH: '/nonexistent/copilot' },
      error:
        /^Error: copilot could not be started: no executable Copilot CLI at "\/nonexistent\/copilot"/,
    },
  ];
  for (const failure of failures) {
    test(`${failure.name}: the worker exits 1 and submits the error`, async () => {
      const dirs = podDirs();
      const cli = installCopilotCliStandin(dirs.root, 'copilot-server');
      const since = server.requests.length;
      const run = await runOrka(
        ['worker', '--runtime', 'copilot'],
        sdkEnv(dirs, { COPILOT_CLI_PATH: cli, GITHUB_TOKEN, ...failure.env }),
      );
      assert.equal(run.code, 1, run.stderr);
      const result = postedResult(since);
      assert.match(result, failure.error);
      assert.match(run.stderr, new RegExp(failure.error.source.replace('^Error: ', '')));
      assert.ok(!run.stdout.includes(GITHUB_TOKEN) && !run.stderr.includes(GITHUB_TOKEN));
    });
  }
});

test('SIGTERM during a turn stops the session and the CLI; the worker exits 1 with the reason', async () => {
  const dirs = podDirs();
  const cli = installCopilotCliStandin(dirs.root, 'copilot-server');
  const since = server.requests.length;
  const child = spawn(
    process.execPath,
    [join(REPO_ROOT, 'bin', 'orka'), 'worker', '--runtime', 'copilot'],
    {
      cwd: REPO_ROOT,
      env: sdkEnv(dirs, { COPILOT_CLI_PATH: cli, COPILOT_STANDIN_FAIL: 'hang' }),
    },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  // the turn is under way once the stand-in has recorded the prompt
  const record = join(dirs.root, 'copilot-standin.jsonl');
  const prompted = () =>
    existsSync(record) && readFileSync(record, 'utf8').includes('"method":"session.send"');
  // The worker compiles TypeScript as it starts: generous on a loaded machine.
  await eventually(
    'the prompt sent, or the worker ended',
    () => prompted() || child.exitCode !== null,
    {
      timeoutMs: 120_000,
      intervalMs: 100,
    },
  );
  assert.ok(prompted(), `the worker ended before the turn began: ${stderr}`);
  const cliPid = standinLog(dirs).start.pid;
  child.kill('SIGTERM');
  assert.equal(await exited, 1, stderr);
  assert.match(
    postedResult(since),
    /^Error: copilot was stopped: the worker received a termination signal/,
  );
  await eventually(`the CLI process ${cliPid} gone`, () => processGone(cliPid), {
    timeoutMs: 15_000,
    intervalMs: 100,
  });
});

describe('the worker bundle', () => {
  let dir: string;
  let bundle: string;
  before(async () => {
    // outside the repository: the SDK must be inside the bundle, with no node_modules to fall back on
    dir = mkdtempSync(join(tmpdir(), 'orka-copilot-bundle-'));
    bundle = join(dir, 'orka-worker.mjs');
    await run(process.execPath, ['scripts/build-worker.mjs', '--outfile', bundle], {
      cwd: REPO_ROOT,
    });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('runs the Copilot SDK session', async () => {
    const dirs = podDirs();
    const cli = installCopilotCliStandin(dirs.root, 'copilot-server');
    const since = server.requests.length;
    const outcome: OrkaRun = await run(
      process.execPath,
      [bundle, 'worker', '--runtime', 'copilot'],
      { cwd: dir, env: sdkEnv(dirs, { COPILOT_CLI_PATH: cli, ORKA_MODEL: 'gpt-5.2' }) },
    ).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    assert.equal(outcome.code, 0, outcome.stderr);
    assert.equal(call(standinLog(dirs).calls, 'session.create').model, 'gpt-5.2');
    assert.equal(postedResult(since), REPLY);
  });
});

const realCli: AgentCli = copilotCli();
const required = process.env.ORKA_REQUIRE_AGENT_CLI === 'true';
const skipReal =
  'skip' in realCli && !required ? `real Copilot CLI unavailable: ${realCli.skip}` : false;
if (skipReal) process.stderr.write(`SKIPPED real Copilot CLI test: ${skipReal}\n`);

describe(`the real Copilot CLI under Node ${process.versions.node}`, { skip: skipReal }, () => {
  let home: string;
  before(() => {
    if ('skip' in realCli) throw new Error(`ORKA_REQUIRE_AGENT_CLI=true but ${realCli.skip}`);
    home = mkdtempSync(join(tmpdir(), 'orka-copilot-home-'));
  });
  after(() => rmSync(home, { recursive: true, force: true }));

  test('--version prints the pinned version', async () => {
    assert.ok('path' in realCli);
    const { stdout } = await run(process.execPath, [realCli.path, '--version'], {
      env: { ...process.env, HOME: home },
    });
    assert.match(
      stdout,
      new RegExp(`^GitHub Copilot CLI ${realCli.version.replaceAll('.', '\\.')}\\.?$`, 'm'),
    );
  });

  test('the SDK starts it over stdio and agrees on the protocol (no credentials needed)', async () => {
    assert.ok('path' in realCli);
    const client = new CopilotClient({
      connection: RuntimeConnection.forStdio({ path: realCli.path }),
      workingDirectory: home,
      env: { ...process.env, HOME: home },
      useLoggedInUser: false,
    });
    try {
      await client.start();
      const status = await client.getStatus();
      assert.equal(status.version, realCli.version);
      assert.equal(status.protocolVersion, STANDIN_PROTOCOL_VERSION);
      assert.equal((await client.getAuthStatus()).isAuthenticated, false);
    } finally {
      assert.deepEqual(await client.stop(), []);
    }
  });
});
