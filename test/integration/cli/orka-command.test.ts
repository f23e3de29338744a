import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
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
