// Store throughput on a real file with the production settings (WAL, synchronous = FULL):
// transcript appends one message per transaction (the baseline: one WAL sync each) against
// batches, and result reads through the store against the same read with a bare statement.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openStore } from '../store/index.ts';
import { type BenchRow, opsPerSecond } from './harness.ts';

const BATCH_SIZE = 50;
const DURATION_MS = 1000;
const CONTENT = 'm'.repeat(1024);
const RESULT = 'r'.repeat(4096);

/** Messages appended per second when each call appends `batchSize` messages. */
function appendRate(append: (messages: number) => void, batchSize: number): number {
  for (let i = 0; i < 20; i++) append(batchSize);
  let messages = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(DURATION_MS) * 1_000_000n;
  let now = start;
  while (now < deadline) {
    append(batchSize);
    messages += batchSize;
    now = process.hrtime.bigint();
  }
  return messages / (Number(now - start) / 1e9);
}

export default async function storeBench(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'orka-store-bench-'));
  const path = join(dir, 'orka.db');
  const store = openStore(path);
  const raw = new Database(path, { readonly: true });
  try {
    store.sessions.getOrCreate('bench', 'session', { create: true });
    const append = (count: number) => {
      const messages = Array.from({ length: count }, () => ({
        role: 'user' as const,
        content: CONTENT,
        taskName: 'bench-task',
      }));
      store.sessions.appendMessages('bench', 'session', messages);
    };
    const single = appendRate(append, 1);
    const batched = appendRate(append, BATCH_SIZE);

    store.results.put('bench', 'bench-task', RESULT);
    const bare = raw.prepare<[string, string], { data: Buffer }>(
      'SELECT data FROM results WHERE namespace = ? AND task_name = ?',
    );
    const bareGet = opsPerSecond(() => bare.get('bench', 'bench-task'), DURATION_MS);
    const storeGet = opsPerSecond(() => store.results.get('bench', 'bench-task'), DURATION_MS);

    const singleName = 'append, one message per transaction';
    const bareName = 'result get, bare prepared statement';
    return [
      { name: singleName, value: single, unit: 'messages/s', note: '1 KiB messages, WAL, FULL' },
      {
        name: `append, ${BATCH_SIZE} messages per transaction`,
        value: batched,
        unit: 'messages/s',
        baseline: { name: singleName, value: single },
        note: 'one appendMessages call per batch',
      },
      { name: bareName, value: bareGet, unit: 'gets/s', note: '4 KiB result' },
      {
        name: 'result get, store.results.get',
        value: storeGet,
        unit: 'gets/s',
        baseline: { name: bareName, value: bareGet },
        note: 'includes name checks and row mapping',
      },
    ];
  } finally {
    raw.close();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
