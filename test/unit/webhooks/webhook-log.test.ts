// The webhook's own log (webhook-log.ts): decision lines are the lines pino would write for the
// same call; lines are gathered into whole-line writes of at most PIPE_BUF bytes, written within
// the flush interval, when the webhook closes, and when the process exits.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs, { mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { createWebhookLog, FLUSH_INTERVAL_MS } from '../../../webhooks/webhook-log.ts';

const logFile = () => join(mkdtempSync(join(tmpdir(), 'orka-webhook-log-')), 'stderr');
const linesOf = (path: string) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

const DECISION = {
  endpoint: 'validate',
  uid: 'uid-1',
  user: 'alice',
  resource: 'core.orka.ai/tasks',
  namespace: 'team-a',
  name: 'fix-tests',
  operation: 'CREATE',
  dryRun: false,
  decision: 'denied',
  policies: ['orka-namespace-isolation'],
  warnings: 0,
  patchOperations: undefined,
  latencyMs: 0.42,
};

describe('webhook log', () => {
  test('a decision line is the line pino writes for the same call', async () => {
    const ours = logFile();
    const log = createWebhookLog(openSync(ours, 'a'));
    const theirs = logFile();
    const destination = pino.destination({ dest: theirs, sync: true });
    const reference = pino({ base: { component: 'orka-webhook' } }, destination);
    log.decisions.info(DECISION, 'admission decision');
    reference.info(DECISION, 'admission decision');
    log.close();
    const [line] = linesOf(ours);
    const [expected] = linesOf(theirs);
    assert.equal(typeof line?.time, 'number');
    assert.deepEqual({ ...line, time: 0 }, { ...expected, time: 0 });
    assert.deepEqual(Object.keys(line ?? {}), Object.keys(expected ?? {}), 'same member order');
  });

  test('hostile field values stay inside their one line', () => {
    const path = logFile();
    const log = createWebhookLog(openSync(path, 'a'));
    const name = 'x"\n{"level":60,"msg":"forged"}\u2028\ud800';
    log.decisions.info({ ...DECISION, name, user: '__proto__' }, 'admission decision');
    log.close();
    const lines = linesOf(path);
    assert.equal(lines.length, 1);
    assert.equal(lines[0]?.name, name);
    assert.equal(lines[0]?.user, '__proto__');
    assert.equal(lines[0]?.level, 30);
  });

  test('warn lines go through pino; a silenced logger writes no decision line', () => {
    const path = logFile();
    const log = createWebhookLog(openSync(path, 'a'));
    log.decisions.warn({ endpoint: 'validate', error: 'bad body' }, 'malformed AdmissionReview');
    log.logger.level = 'warn';
    log.decisions.info(DECISION, 'admission decision');
    log.close();
    assert.deepEqual(
      linesOf(path).map((line) => [line.level, line.msg]),
      [[40, 'malformed AdmissionReview']],
    );
  });

  test('lines are written whole, in writes of at most 4096 bytes (atomic on a pipe)', (t) => {
    const path = logFile();
    const fd = openSync(path, 'a');
    const writes: string[] = [];
    const writeSync = fs.writeSync;
    t.mock.method(fs, 'writeSync', (target: number, data: string, ...rest: unknown[]) => {
      if (target === fd) writes.push(String(data));
      return (writeSync as (...args: unknown[]) => number)(target, data, ...rest);
    });
    const log = createWebhookLog(fd);
    // lines of 0.3 to 3 KiB: a long one often would not fit in what is gathered
    const policies = (i: number) =>
      Array.from({ length: i % 30 }, (_, k) => `${'p'.repeat(80)}-${k}`);
    for (let i = 0; i < 500; i++) {
      log.decisions.info({ ...DECISION, uid: `uid-${i}`, policies: policies(i) }, 'decision');
    }
    log.close();
    const written = writes.filter((chunk) => chunk !== '');
    assert.ok(written.length < 400, `lines gathered: ${written.length} writes for 500 lines`);
    for (const chunk of written) {
      assert.ok(Buffer.byteLength(chunk) <= 4096, `a write of ${Buffer.byteLength(chunk)} bytes`);
      assert.ok(chunk.endsWith('\n'), 'a write ends at the end of a line');
    }
    assert.deepEqual(
      linesOf(path).map((line) => line.uid),
      Array.from({ length: 500 }, (_, i) => `uid-${i}`),
    );
  });

  test('a gathered line is written within the flush interval', async () => {
    const path = logFile();
    const log = createWebhookLog(openSync(path, 'a'));
    log.decisions.info(DECISION, 'admission decision');
    assert.equal(linesOf(path).length, 0, 'one short line waits for more');
    await sleep(FLUSH_INTERVAL_MS * 3);
    assert.equal(linesOf(path).length, 1);
    log.close();
  });

  test('a process that exits right after logging has written its lines', () => {
    const path = logFile();
    const program = `
      import { openSync } from 'node:fs';
      import { createWebhookLog } from ${JSON.stringify(new URL('../../../webhooks/webhook-log.ts', import.meta.url).href)};
      const log = createWebhookLog(openSync(${JSON.stringify(path)}, 'a'));
      for (let i = 0; i < 3; i++) log.decisions.info({ uid: 'uid-' + i }, 'admission decision');
      process.exit(0);
    `;
    execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', program]);
    assert.deepEqual(
      linesOf(path).map((line) => line.uid),
      ['uid-0', 'uid-1', 'uid-2'],
    );
  });
});
