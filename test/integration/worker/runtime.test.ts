// `orka worker` as a real child process with stand-in runtime CLIs on PATH: the exact argv, stdin
// and env each runtime receives for each permission combination, timeouts, and the paths that
// must fail loudly.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { eventually } from '../../helpers/eventually.ts';
import {
  makeRemote,
  podDirs,
  podEnv,
  processGone,
  RecordingServer,
  runOrka,
  standInRuns,
} from './helpers.ts';

const server = new RecordingServer();
let url = '';
before(async () => {
  url = await server.start();
});
after(() => server.stop());

interface ArgvCase {
  name: string;
  runtime: 'claude' | 'codex' | 'copilot';
  env: Record<string, string>;
  /** `<tmp>` stands for the worker's tmp dir */
  argv: string[];
  stdin?: string;
}

const codexHead = [
  'exec',
  '--skip-git-repo-check',
  '--ephemeral',
  '--color',
  'never',
  '--output-last-message',
  '<tmp>/orka-codex-last-message.txt',
  '--config',
  'approval_policy=never',
];

const cases: ArgvCase[] = [
  {
    name: 'claude, defaults, Bash not allowed',
    runtime: 'claude',
    env: {},
    argv: ['--print', '--verbose', '--max-turns', '50', '-p', 'Fix the tests'],
  },
  {
    name: 'claude, everything set',
    runtime: 'claude',
    env: {
      ORKA_MODEL: 'claude-sonnet-4-20250514',
      ORKA_SYSTEM_PROMPT: 'You are careful.',
      ORKA_MAX_TURNS: '7',
      ORKA_ALLOW_BASH: 'true',
      ORKA_ALLOWED_TOOLS: 'Read, Bash ,Edit',
      ORKA_DISALLOWED_TOOLS: 'WebFetch',
    },
    argv: [
      '--print',
      '--verbose',
      '--model',
      'claude-sonnet-4-20250514',
      '--append-system-prompt',
      'You are careful.',
      '--max-turns',
      '7',
      '--dangerously-skip-permissions',
      '--allowedTools',
      'Read',
      '--allowedTools',
      'Bash',
      '--allowedTools',
      'Edit',
      '--disallowedTools',
      'WebFetch',
      '-p',
      'Fix the tests',
    ],
  },
  {
    name: 'claude, Bash disallowed wins over ORKA_ALLOW_BASH and the allowlist',
    runtime: 'claude',
    env: {
      ORKA_ALLOW_BASH: 'true',
      ORKA_ALLOWED_TOOLS: 'Read,Bash',
      ORKA_DISALLOWED_TOOLS: 'Bash',
    },
    argv: [
      '--print',
      '--verbose',
      '--max-turns',
      '50',
      '--allowedTools',
      'Read',
      '--disallowedTools',
      'Bash',
      '-p',
      'Fix the tests',
    ],
  },
  {
    name: 'claude, Bash in the allowlist but not allowed',
    runtime: 'claude',
    env: { ORKA_ALLOWED_TOOLS: 'Read,Bash' },
    argv: [
      '--print',
      '--verbose',
      '--max-turns',
      '50',
      '--allowedTools',
      'Read',
      '-p',
      'Fix the tests',
    ],
  },
  {
    name: 'codex, sandbox kept (workspace-write), no tool lists',
    runtime: 'codex',
    env: { ORKA_ALLOW_BASH: 'true', ORKA_CODEX_DISABLE_SANDBOX: 'false' },
    argv: [
      ...codexHead,
      '--config',
      'model_auto_compact_token_limit=240000',
      '--sandbox',
      'workspace-write',
      '--config',
      'model_instructions_file=<tmp>/orka-codex-instructions.md',
      '--config',
      'sandbox_workspace_write.network_access=true',
      '-',
    ],
    stdin: 'Fix the tests',
  },
  {
    name: 'codex, sandbox bypassed, model, base URL, web search allowed',
    runtime: 'codex',
    env: {
      ORKA_ALLOW_BASH: 'true',
      ORKA_CODEX_DISABLE_SANDBOX: 'true',
      ORKA_MODEL: 'gpt-5',
      OPENAI_BASE_URL: 'http://proxy.local/v1',
      ORKA_ALLOWED_TOOLS: 'Read,WebSearch',
      ORKA_CODEX_AUTO_COMPACT_TOKEN_LIMIT: '1000',
    },
    argv: [
      ...codexHead,
      '--config',
      'model_auto_compact_token_limit=1000',
      '--dangerously-bypass-approvals-and-sandbox',
      '--model',
      'gpt-5',
      '--config',
      'model_instructions_file=<tmp>/orka-codex-instructions.md',
      '--config',
      'openai_base_url=http://proxy.local/v1',
      '--config',
      'web_search=live',
      '-',
    ],
    stdin: 'Fix the tests',
  },
  {
    name: 'codex, read-only sandbox mode, web search disallowed',
    runtime: 'codex',
    env: {
      ORKA_ALLOW_BASH: 'true',
      ORKA_CODEX_SANDBOX_MODE: 'read-only',
      ORKA_DISALLOWED_TOOLS: 'web_search',
    },
    argv: [
      ...codexHead,
      '--config',
      'model_auto_compact_token_limit=240000',
      '--sandbox',
      'read-only',
      '--config',
      'model_instructions_file=<tmp>/orka-codex-instructions.md',
      '--config',
      'web_search=disabled',
      '-',
    ],
    stdin: 'Fix the tests',
  },
  {
    name: 'copilot, defaults (Bash not allowed)',
    runtime: 'copilot',
    env: {},
    argv: [
      '--allow-all-tools',
      '--no-ask-user',
      '-s',
      '--deny-tool',
      'shell',
      '-p',
      'Fix the tests',
    ],
  },
  {
    name: 'copilot, model, tool lists, Bash allowed, system prompt leads the prompt',
    runtime: 'copilot',
    env: {
      ORKA_MODEL: 'gpt-5',
      ORKA_ALLOW_BASH: 'true',
      ORKA_ALLOWED_TOOLS: 'Read,Bash',
      ORKA_DISALLOWED_TOOLS: 'WebFetch',
      ORKA_SYSTEM_PROMPT: 'Be brief.',
    },
    argv: [
      '--model',
      'gpt-5',
      '--allow-all-tools',
      '--no-ask-user',
      '-s',
      '--available-tools',
      'Read,Bash',
      '--excluded-tools',
      'WebFetch',
      '-p',
      '<system-instructions>\nBe brief.\n</system-instructions>\n\nFix the tests',
    ],
  },
];

describe('runtime argv, as started by `orka worker`', () => {
  for (const row of cases) {
    test(row.name, async () => {
      const dirs = podDirs();
      const env = podEnv(dirs, url, { STANDIN_OUTPUT: 'done\n', ...row.env });
      const run = await runOrka(['worker', '--runtime', row.runtime], env);
      assert.equal(run.code, 0, run.stderr);
      const runs = standInRuns(dirs);
      assert.equal(runs.length, 1);
      const [started] = runs;
      assert.equal(started!.runtime, row.runtime);
      assert.deepEqual(
        started!.argv.map((arg) => arg.replaceAll(dirs.tmp, '<tmp>')),
        row.argv,
      );
      assert.equal(started!.stdin, row.stdin ?? '');
      assert.equal(started!.cwd, dirs.workspace);
      assert.equal(started!.env.HOME, dirs.home);
    });
  }
});

describe('runtime behaviour', () => {
  test('the runtime comes from ORKA_AGENT_RUNTIME when --runtime is absent', async () => {
    const dirs = podDirs();
    const run = await runOrka(['worker'], podEnv(dirs, url, { ORKA_AGENT_RUNTIME: 'copilot' }));
    assert.equal(run.code, 0, run.stderr);
    assert.equal(standInRuns(dirs)[0]!.runtime, 'copilot');
  });

  test('CLAUDE_CLI_PATH names the program to start', async () => {
    const dirs = podDirs();
    const env = podEnv(dirs, url, {
      CLAUDE_CLI_PATH: join(dirs.bin, 'copilot'),
      PATH: process.env.PATH!,
    });
    const run = await runOrka(['worker', '--runtime', 'claude'], env);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(standInRuns(dirs)[0]!.argv[0], '--print');
  });

  test('codex instructions carry the system prompt, turns and tool lists', async () => {
    const dirs = podDirs();
    const env = podEnv(dirs, url, {
      ORKA_ALLOW_BASH: 'true',
      ORKA_CODEX_DISABLE_SANDBOX: 'true',
      ORKA_SYSTEM_PROMPT: 'Use TypeScript.',
      ORKA_MAX_TURNS: '12',
      ORKA_ALLOWED_TOOLS: 'Read,Edit',
      ORKA_DISALLOWED_TOOLS: 'WebFetch',
      OPENAI_API_KEY: 'sk-openai-canary-123456',
      STANDIN_LAST_MESSAGE: 'the last message',
      STANDIN_OUTPUT: 'noisy transcript',
    });
    const run = await runOrka(['worker', '--runtime', 'codex'], env);
    assert.equal(run.code, 0, run.stderr);
    const instructions = readFileSync(join(dirs.tmp, 'orka-codex-instructions.md'), 'utf8');
    assert.equal(
      instructions,
      [
        'Use TypeScript.',
        '',
        'Additional runtime guidance:',
        '- Try to complete this task within 12 turns.',
        '- Respect this requested tool allowlist when possible: Read, Edit.',
        '- Do not use these tools: WebFetch.',
        '- Web search is not available for this task.',
        '',
      ].join('\n'),
    );
    const started = standInRuns(dirs)[0]!;
    assert.equal(started.env.CODEX_API_KEY, 'sk-openai-canary-123456');
    // the result is the last message, not the transcript on stdout
    const [result] = server.posted('/internal/v1/results/team-a/task-1').slice(-1);
    assert.equal(result!.body.toString(), 'the last message');
  });

  test('codex retries without its sandbox when bubblewrap is refused namespaces', async () => {
    const dirs = podDirs();
    const env = podEnv(dirs, url, {
      ORKA_ALLOW_BASH: 'true',
      ORKA_CODEX_SANDBOX_MODE: 'read-only',
      STANDIN_STDERR: 'bwrap: No permissions to create new namespace\n',
      STANDIN_EXIT: '1',
    });
    const run = await runOrka(['worker', '--runtime', 'codex'], env);
    const runs = standInRuns(dirs);
    assert.equal(runs.length, 2);
    assert.ok(runs[0]!.argv.includes('--sandbox'));
    assert.ok(runs[1]!.argv.includes('--dangerously-bypass-approvals-and-sandbox'));
    assert.equal(run.code, 1);
  });

  test('codex without Bash fails before cloning and before starting anything', async () => {
    const dirs = podDirs();
    const remote = makeRemote(dirs.root);
    const env = podEnv(dirs, url, { ORKA_GIT_REPO: remote.url });
    const before = server.requests.length;
    const run = await runOrka(['worker', '--runtime', 'codex'], env);
    assert.equal(run.code, 1);
    assert.deepEqual(standInRuns(dirs), []);
    assert.equal(existsSync(join(dirs.workspace, '.git')), false, 'nothing was cloned');
    const submitted = server.requests.slice(before).filter((r) => r.method === 'POST');
    assert.equal(submitted.length, 1);
    assert.equal(
      submitted[0]!.body.toString(),
      'Error: codex runtime requires allowBash=true because the Codex CLI cannot disable shell execution',
    );
  });

  test('a non-zero exit submits "Error: ..." with the partial output and exits 1', async () => {
    const dirs = podDirs();
    const env = podEnv(dirs, url, {
      STANDIN_OUTPUT: 'half done\n',
      STANDIN_STDERR: 'rate limited\n',
      STANDIN_EXIT: '3',
    });
    const before = server.requests.length;
    const run = await runOrka(['worker', '--runtime', 'claude'], env);
    assert.equal(run.code, 1);
    const [posted] = server.requests.slice(before).filter((r) => r.method === 'POST');
    assert.equal(
      posted!.body.toString(),
      'Error: claude failed: exit status 3: rate limited\n\nhalf done\n',
    );
    assert.match(run.stdout, /half done/, "runtime stdout is tee'd to the log");
    assert.match(run.stderr, /rate limited/);
  });

  test('ORKA_TIMEOUT_SECONDS ends the runtime and everything it started', async () => {
    const dirs = podDirs();
    const pidFile = join(dirs.root, 'grandchild.pid');
    const env = podEnv(dirs, url, { ORKA_TIMEOUT_SECONDS: '1', STANDIN_SLEEP: pidFile });
    const before = server.requests.length;
    const run = await runOrka(['worker', '--runtime', 'claude'], env);
    assert.equal(run.code, 1);
    const [posted] = server.requests.slice(before).filter((r) => r.method === 'POST');
    assert.equal(posted!.body.toString(), 'Error: claude timed out after 1s');
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    await eventually(`grandchild ${grandchild} gone`, () => processGone(grandchild), {
      timeoutMs: 15_000,
      intervalMs: 100,
    });
  });

  test('a runtime that is not installed is reported, not crashed on', async () => {
    const dirs = podDirs();
    const env = podEnv(dirs, url, { CLAUDE_CLI_PATH: join(dirs.root, 'missing-claude') });
    const before = server.requests.length;
    const run = await runOrka(['worker', '--runtime', 'claude'], env);
    assert.equal(run.code, 1);
    const [posted] = server.requests.slice(before).filter((r) => r.method === 'POST');
    assert.match(posted!.body.toString(), /^Error: claude could not be started: spawn .*ENOENT/);
  });
});

describe('paths that fail loudly', () => {
  const loud: {
    name: string;
    runtime: string;
    env: Record<string, string>;
    code: number;
    message: RegExp;
  }[] = [
    {
      name: 'a sandbox workspace request (any case) without a template',
      runtime: 'claude',
      env: { ORKA_AGENT_SANDBOX_ENABLED: 'TRUE', ORKA_AGENT_SANDBOX_DEPTH: '0' },
      code: 2,
      message: /ORKA_AGENT_SANDBOX_TEMPLATE_NAME is required/,
    },
    {
      name: 'sandbox recursion',
      runtime: 'claude',
      env: { ORKA_AGENT_SANDBOX_ENABLED: 'true', ORKA_AGENT_SANDBOX_DEPTH: '1' },
      code: 2,
      message: /agent sandbox recursion detected: ORKA_AGENT_SANDBOX_DEPTH=1/,
    },
    {
      name: 'a missing prompt',
      runtime: 'claude',
      env: { ORKA_PROMPT: '' },
      code: 2,
      message: /ORKA_PROMPT is required/,
    },
    {
      name: 'an unknown runtime in ORKA_AGENT_RUNTIME',
      runtime: '',
      env: { ORKA_AGENT_RUNTIME: 'gemini' },
      code: 2,
      message: /invalid ORKA_AGENT_RUNTIME: "gemini" is not one of claude, codex, copilot/,
    },
  ];
  for (const row of loud) {
    test(row.name, async () => {
      const dirs = podDirs();
      const args = row.runtime ? ['worker', '--runtime', row.runtime] : ['worker'];
      const run = await runOrka(args, podEnv(dirs, url, row.env));
      assert.equal(run.code, row.code, run.stderr);
      assert.match(run.stderr, row.message);
      assert.deepEqual(standInRuns(dirs), [], 'no runtime was started');
    });
  }
});
