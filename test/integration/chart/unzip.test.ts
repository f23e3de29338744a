// The Node unzip fallback of the helm fetcher, against archives made by the real `zip` program.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { extractZipEntries } from '../../helpers/unzip.ts';

const dir = mkdtempSync(join(tmpdir(), 'orka-unzip-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const compressible = Buffer.from('helm '.repeat(10_000));
const random = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251));

function archive(name: string, zipArgs: string[]): Buffer {
  mkdirSync(join(dir, 'tree', 'helm'), { recursive: true });
  mkdirSync(join(dir, 'tree', 'kubectl'), { recursive: true });
  writeFileSync(join(dir, 'tree', 'helm', 'helm'), compressible);
  writeFileSync(join(dir, 'tree', 'kubectl', 'kubectl'), random);
  const path = join(dir, name);
  execFileSync('zip', ['-q', '-r', ...zipArgs, path, 'helm', 'kubectl'], {
    cwd: join(dir, 'tree'),
  });
  return readFileSync(path);
}

test('deflated entries come out byte for byte', () => {
  const entries = extractZipEntries(archive('deflated.zip', ['-9']), [
    'helm/helm',
    'kubectl/kubectl',
  ]);
  assert.deepEqual(entries.get('helm/helm'), compressible);
  assert.deepEqual(entries.get('kubectl/kubectl'), random);
});

test('stored entries come out byte for byte', () => {
  const entries = extractZipEntries(archive('stored.zip', ['-0']), ['kubectl/kubectl']);
  assert.deepEqual([...entries.keys()], ['kubectl/kubectl']);
  assert.deepEqual(entries.get('kubectl/kubectl'), random);
});

test('a missing entry is named', () => {
  assert.throws(
    () => extractZipEntries(archive('missing.zip', []), ['helm/helm', 'kustomize/kustomize']),
    /zip archive has no entry kustomize\/kustomize/,
  );
});

test('something that is not a zip archive says so', () => {
  assert.throws(
    () => extractZipEntries(Buffer.from('not a zip at all, just text'), ['helm/helm']),
    /not a zip archive/,
  );
});
