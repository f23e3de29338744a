import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const SCRIPT = fileURLToPath(new URL('../../../bench/compare-checkouts.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const run = (...args: string[]) =>
  promisify(execFile)(process.execPath, ['--import', 'tsx', SCRIPT, ...args], { cwd: REPO });

test('comparing a checkout with itself reports both medians and their ratio', async () => {
  const { stdout } = await run(REPO, REPO, '--policies', '2', '--rounds', '2', '--reviews', '20');
  assert.match(stdout, /^built-ins \+ 2 custom policies, 2 rounds of 20 reviews each$/m);
  assert.equal(stdout.match(/: median [\d.]+ µs per review$/gm)?.length, 2);
  const ratio = /^ratio CHANGED \/ BASE: median ([\d.]+) \(quartiles ([\d.]+)-([\d.]+)\)$/m.exec(
    stdout,
  );
  assert.ok(ratio, stdout);
  assert.ok(Number(ratio[1]) > 0 && Number(ratio[2]) <= Number(ratio[3]), stdout);
});

test('a folder that is not a checkout is named in the error', async () => {
  await assert.rejects(run(REPO, '/'), (error: { stderr: string }) => {
    assert.match(error.stderr, /\/ is not an Orka checkout \(no bench\/webhook-workload\.ts\)/);
    return true;
  });
});

test('one checkout, or a count that is not a whole number, is refused', async () => {
  await assert.rejects(run(REPO), /give two checkouts: BASE CHANGED/);
  await assert.rejects(
    run(REPO, REPO, '--rounds', '0'),
    /--policies, --rounds and --reviews must be whole numbers, rounds above 0/,
  );
  await assert.rejects(
    run(REPO, REPO, '--reviews', 'many'),
    /--policies, --rounds and --reviews must be whole numbers/,
  );
});
