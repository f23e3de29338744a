import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const orka = fileURLToPath(new URL('../../../bin/orka', import.meta.url));

function run(...args: string[]) {
  return spawnSync(process.execPath, [orka, ...args], { encoding: 'utf8' });
}

describe('bin/orka', () => {
  test('no command: the list of commands on stderr, exit 2', () => {
    const result = run();
    assert.equal(result.status, 2);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /usage: orka <command>/);
    assert.match(result.stderr, /policy eval/);
  });

  test('orka --help and -h: the list of commands on stdout, exit 0', () => {
    for (const flag of ['--help', '-h']) {
      const result = run(flag);
      assert.equal(result.status, 0, flag);
      assert.equal(result.stderr, '', flag);
      assert.match(result.stdout, /^usage: orka <command>/, flag);
      assert.match(result.stdout, /^ {2}worker fetch-session {2}/m, flag);
    }
  });

  test('unknown command exits 2 naming it', () => {
    const result = run('frobnicate');
    assert.equal(result.status, 2);
    assert.match(result.stderr, /unknown command "frobnicate"/);
  });

  test('--help prints the flags on stdout, exit 0', () => {
    const result = run('webhook', '--help');
    assert.equal(result.status, 0);
    assert.match(result.stdout, /--cert-dir/);
    assert.match(result.stdout, /--task-provenance-admission-enabled .*\(default true\)/);
  });

  test('a flag mistake is a one-line reason on stderr, exit 2', () => {
    const result = run('webhook', '--port', 'many');
    assert.equal(result.status, 2);
    assert.equal(result.stdout, '');
    assert.equal(result.stderr.trim().split('\n').length, 1);
    assert.match(result.stderr, /^orka webhook: command line \(--port\): expected an integer/);
  });
});

// Every `orka` child process pays for what the command table loads before choosing a command, so
// the table must not import any command's module: each is loaded by the command that runs.
describe('bin/orka loads only what the chosen command needs', () => {
  const moduleLogHooks = [
    "import { appendFileSync } from 'node:fs';",
    'export async function load(url, context, next) {',
    "  appendFileSync(process.env.ORKA_TEST_MODULE_LOG, url + '\\n');",
    '  return next(url, context);',
    '}',
  ].join('\n');
  const registerHooks = `import { register } from 'node:module'; register(${JSON.stringify(
    `data:text/javascript,${encodeURIComponent(moduleLogHooks)}`,
  )});`;

  function loadedModules(...args: string[]): string[] {
    const dir = mkdtempSync(join(tmpdir(), 'orka-modules-'));
    try {
      const log = join(dir, 'modules.log');
      const result = spawnSync(
        process.execPath,
        ['--import', `data:text/javascript,${encodeURIComponent(registerHooks)}`, orka, ...args],
        { encoding: 'utf8', env: { ...process.env, ORKA_TEST_MODULE_LOG: log } },
      );
      assert.equal(result.status, 0, result.stderr);
      return readFileSync(log, 'utf8').split('\n').filter(Boolean);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  const heavy = [
    '@kubernetes/client-node',
    'fastify',
    'better-sqlite3',
    '@marcbachmann/cel-js',
    '/policy/',
    '/api/routes/',
    '/store/',
    '/worker/',
  ];

  const cases: { args: string[]; mustLoad: string[] }[] = [
    { args: ['--help'], mustLoad: ['/cli/commands.ts'] },
    { args: ['worker', '--help'], mustLoad: ['/cli/commands.ts'] },
    { args: ['policy', 'eval', '--help'], mustLoad: ['/cli/commands.ts'] },
    { args: ['controller', '--help'], mustLoad: ['/cli/commands.ts'] },
  ];
  for (const { args, mustLoad } of cases) {
    test(`orka ${args.join(' ')}`, () => {
      const modules = loadedModules(...args);
      for (const wanted of mustLoad) {
        assert.ok(
          modules.some((url) => url.includes(wanted)),
          `${wanted} not loaded: the log is wrong`,
        );
      }
      for (const part of heavy) {
        const found = modules.filter((url) => url.includes(part));
        assert.deepEqual(found, [], `orka ${args.join(' ')} loaded ${part}`);
      }
    });
  }
});
