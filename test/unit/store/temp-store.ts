// Real store files in a fresh temporary directory per test, removed afterwards.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { openStore, type Store, type StoreOptions } from '../../../store/index.ts';

export function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'orka-store-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A store in a new file; closed and removed when the test ends. */
export function tempStore(t: TestContext, options: StoreOptions = {}): Store {
  const store = openStore(join(tempDir(t), 'orka.db'), options);
  t.after(() => store.close());
  return store;
}

/** A clock the test sets by hand, so timestamps are exact. */
export function manualClock(start = '2026-01-01T00:00:00.000Z') {
  let current = new Date(start);
  return {
    now: () => new Date(current),
    set(iso: string) {
      current = new Date(iso);
    },
  };
}
