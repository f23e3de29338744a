#!/usr/bin/env node
// The README's test command: lint and format check, type check, then every test file under test/
// through Node's test runner. Node 20's runner has no globs, so the file list is built here.
// Usage: node scripts/test.mjs [--no-static] [path-substring...]
// The RBAC audit (test/integration/chart/rbac-audit.test.ts) reads the requests every other test
// file's stand-ins logged under ORKA_RBAC_AUDIT_DIR, so it runs last, alone. A full run (no path
// filters) logs into a fresh folder; a filtered run uses ORKA_RBAC_AUDIT_DIR if the caller set it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const skipStatic = args.includes('--no-static');
const filters = args.filter((a) => !a.startsWith('--'));

function testFiles(dir) {
  const found = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) found.push(...testFiles(path));
    else if (entry.endsWith('.test.ts')) found.push(relative(root, path));
  }
  return found.sort();
}

const RBAC_AUDIT_TEST = 'test/integration/chart/rbac-audit.test.ts';
const env = { ...process.env };
if (filters.length === 0) env.ORKA_RBAC_AUDIT_DIR = mkdtempSync(join(tmpdir(), 'orka-rbac-audit-'));

function run(command, commandArgs) {
  console.log(`$ ${command} ${commandArgs.join(' ')}`);
  const result = spawnSync(command, commandArgs, { cwd: root, stdio: 'inherit', env });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

if (!skipStatic) {
  run(join(root, 'node_modules/.bin/biome'), ['check', '.']);
  run(join(root, 'node_modules/.bin/tsc'), ['--noEmit', '-p', '.']);
}

const files = testFiles(join(root, 'test')).filter(
  (file) => filters.length === 0 || filters.some((f) => file.includes(f)),
);
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const runTests = (list) =>
  run(process.execPath, [
    '--import',
    'tsx',
    '--test',
    '--test-reporter=spec',
    '--test-concurrency=2',
    ...list,
  ]);
const others = files.filter((file) => file !== RBAC_AUDIT_TEST);
if (env.ORKA_RBAC_AUDIT_DIR) console.log(`RBAC audit log: ${env.ORKA_RBAC_AUDIT_DIR}`);
if (others.length > 0) runTests(others);
if (others.length < files.length) runTests([RBAC_AUDIT_TEST]);
