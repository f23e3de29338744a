// A write that returned must survive the process being killed: a child writes in a loop and
// acknowledges each write on stdout; it is SIGKILLed mid-stream and every acknowledged write
// must be in the reopened file, with no half-applied message batch.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { openStore } from '../../../store/index.ts';

const WRITER = fileURLToPath(new URL('./crash-writer.ts', import.meta.url));
const ACKS_BEFORE_KILL = 400;

interface Acknowledged {
  results: number[];
  /** Per session, the iterations whose two-message batch was acknowledged, in order. */
  batches: Map<string, number[]>;
}

async function runAndKill(path: string): Promise<{ acks: Acknowledged; signal: string | null }> {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, path], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const acks: Acknowledged = { results: [], batches: new Map() };
  let lines = 0;
  const exited = new Promise<string | null>((resolve) => {
    child.on('close', (_code, signal) => resolve(signal));
  });
  for await (const line of createInterface({ input: child.stdout })) {
    const [kind, index, session] = line.split(' ');
    if (kind === 'result') acks.results.push(Number(index));
    else if (kind === 'messages' && session) {
      acks.batches.set(session, [...(acks.batches.get(session) ?? []), Number(index)]);
    } else assert.fail(`unexpected line from the writer: ${line}`);
    if (++lines === ACKS_BEFORE_KILL) child.kill('SIGKILL');
  }
  const signal = await exited;
  assert.equal(signal, 'SIGKILL', `the writer stopped on its own: ${stderr}`);
  return { acks, signal };
}

describe('store crash safety', () => {
  test('every acknowledged write survives SIGKILL; no batch is half-applied', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'orka-crash-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'orka.db');

    const { acks } = await runAndKill(path);
    assert.ok(acks.results.length >= ACKS_BEFORE_KILL / 2);

    const raw = new Database(path);
    assert.equal(raw.pragma('integrity_check', { simple: true }), 'ok');
    raw.close();

    const store = openStore(path);
    t.after(() => store.close());
    for (const i of acks.results) {
      const result = store.results.get('crash', `task-${i}`);
      assert.ok(result, `acknowledged result ${i} is missing`);
      assert.ok(result.data.toString().startsWith(`${i}:`), `result ${i} has the wrong content`);
    }
    for (const [session, iterations] of acks.batches) {
      const transcript = store.sessions.loadTranscript('crash', session);
      assert.equal(transcript.length % 2, 0, `${session} holds half a batch`);
      assert.equal(store.sessions.messageCount('crash', session), transcript.length);
      const stored = transcript
        .filter((m) => m.role === 'user')
        .map((m) => Number(m.content.replace('prompt ', '')));
      assert.deepEqual(stored.slice(0, iterations.length), iterations, `${session} lost messages`);
      for (let k = 0; k < transcript.length; k += 2) {
        const [prompt, answer] = [transcript[k]!, transcript[k + 1]!];
        assert.equal(prompt.taskName, answer.taskName, `${session}: a batch was split`);
        assert.equal(answer.role, 'assistant');
      }
    }
  });
});
