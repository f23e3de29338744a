import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const orka = fileURLToPath(new URL('../../../bin/orka', import.meta.url));
const examples = fileURLToPath(new URL('../../../examples/', import.meta.url));

function run(...args: string[]) {
  return spawnSync(process.execPath, [orka, 'examples', ...args], { encoding: 'utf8' });
}

/** The table rows as {file, result, check}, keyed by file. */
function rows(stdout: string): Map<string, { result: string; check: string; line: string }> {
  const lines = stdout.split('\n');
  assert.match(lines[0]!, /^FILE +KIND +NAME +RESULT +CHECK +REASONS$/);
  const table = new Map<string, { result: string; check: string; line: string }>();
  for (const line of lines.slice(1)) {
    if (line === '') break;
    const [file, , , result, check] = line.split(/ {2,}/);
    table.set(file!, { result: result!, check: check!, line });
  }
  return table;
}

describe('orka examples', () => {
  test('the repository examples: every seed valid, every invalid example refused where expected', () => {
    const result = run();
    assert.equal(result.stderr, '');
    assert.equal(result.status, 0, result.stdout);
    const table = rows(result.stdout);
    const seeds = readdirSync(join(examples, 'seeds'));
    const invalid = readdirSync(join(examples, 'invalid'));
    assert.equal(seeds.length, 12);
    assert.ok(invalid.length >= 15);
    for (const file of seeds) {
      assert.deepEqual(
        { result: table.get(`seeds/${file}`)?.result, check: table.get(`seeds/${file}`)?.check },
        { result: 'valid', check: 'ok' },
        file,
      );
    }
    for (const file of invalid) {
      assert.deepEqual(
        {
          result: table.get(`invalid/${file}`)?.result,
          check: table.get(`invalid/${file}`)?.check,
        },
        { result: 'invalid', check: 'ok' },
        file,
      );
    }
    assert.match(
      table.get('invalid/agent-unknown-runtime.yaml')!.line,
      /spec\.runtime\.type: Unsupported value: "gemini": supported values: "copilot", "claude", "codex"$/,
    );
    assert.match(result.stdout, /\n\d+ examples: \d+ valid, \d+ invalid, all as expected\n/);
    assert.match(result.stdout, /\nseeds\/fix-tests\.yaml {2}Task\/fix-tests: ALLOWED\n/);
    assert.match(
      result.stdout,
      /\nseeds\/orka-live-sandbox-smoke\.yaml {2}Task\/orka-live-sandbox-smoke: DENIED \(403\)\n {4}deny: orka-sandbox-workspace: execution workspace requires agent sandbox to be enabled\n/,
    );
    assert.match(result.stdout, /\n(\d+) policy cases: \1 passed, 0 failed\n$/);
  });

  test('with --agent-sandbox-enabled the sandbox seeds are admitted', () => {
    const result = run('--agent-sandbox-enabled');
    assert.equal(result.status, 0, result.stdout);
    assert.match(result.stdout, /Task\/orka-live-sandbox-smoke: ALLOWED\n/);
    assert.match(result.stdout, /Task\/coding-agent-task: ALLOWED\n/);
  });

  const dir = mkdtempSync(join(tmpdir(), 'orka-examples-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('an example that does not behave as expected fails the run (exit 1) and says why', () => {
    mkdirSync(join(dir, 'seeds'));
    mkdirSync(join(dir, 'invalid'));
    const task = (name: string, extra = '') =>
      `apiVersion: core.orka.ai/v1alpha1\nkind: Task\nmetadata:\n  name: ${name}\nspec:\n  type: agent\n  agentRef:\n    name: a\n  prompt: go\n${extra}`;
    writeFileSync(join(dir, 'seeds', 'good.yaml'), task('good'));
    writeFileSync(join(dir, 'seeds', 'broken.yaml'), task('broken', '  priority: -1\n'));
    writeFileSync(
      join(dir, 'invalid', 'actually-valid.yaml'),
      `# expect: spec.priority\n${task('fine')}`,
    );
    writeFileSync(join(dir, 'invalid', 'no-expect.yaml'), task('x', '  priority: -1\n'));
    writeFileSync(
      join(dir, 'invalid', 'wrong-path.yaml'),
      `# expect: spec.timeout\n${task('y', '  priority: -1\n')}`,
    );
    writeFileSync(
      join(dir, 'invalid', 'right-path.yaml'),
      `# expect: spec.priority\n${task('z', '  priority: -1\n')}`,
    );
    writeFileSync(join(dir, 'seeds', 'suite.test.yaml'), 'cases: []\n');

    const result = run(dir);
    assert.equal(result.status, 1, result.stdout);
    const table = rows(result.stdout);
    assert.deepEqual([...table.keys()].sort(), [
      'invalid/actually-valid.yaml',
      'invalid/no-expect.yaml',
      'invalid/right-path.yaml',
      'invalid/wrong-path.yaml',
      'seeds/broken.yaml',
      'seeds/good.yaml',
    ]);
    assert.equal(table.get('seeds/good.yaml')!.check, 'ok');
    assert.equal(table.get('seeds/broken.yaml')!.check, 'FAIL: expected valid');
    assert.equal(
      table.get('invalid/actually-valid.yaml')!.check,
      'FAIL: expected an error at spec.priority',
    );
    assert.equal(table.get('invalid/no-expect.yaml')!.check, "FAIL: no '# expect: <path>' line");
    assert.equal(
      table.get('invalid/wrong-path.yaml')!.check,
      'FAIL: expected an error at spec.timeout',
    );
    assert.equal(table.get('invalid/right-path.yaml')!.check, 'ok');
    assert.match(result.stdout, /6 examples: 2 valid, 4 invalid, 4 not as expected\n/);
  });

  test('a missing folder is a one-line error on stderr, exit 2', () => {
    const result = run(join(dir, 'nowhere'));
    assert.equal(result.status, 2);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^orka examples: examples folder not found: .*nowhere\n$/);
  });
});
