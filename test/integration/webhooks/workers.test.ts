// `orka webhook --workers 2` as a child process: two worker processes share the port, a scrape of
// either reports both (counters summed, loaded-policy gauges not doubled), a killed worker is
// replaced while the other keeps answering, SIGTERM stops all of them with exit 0, and bad input
// (a worker count out of range, certificates that are not there) fails with a clear message.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createCertificateAuthority, issueServingCertificate } from '../../../certs/authority.ts';
import { eventually } from '../../helpers/eventually.ts';
import { reviewOf } from './fixture.ts';

const ORKA = fileURLToPath(new URL('../../../bin/orka', import.meta.url));
const SERVING = /^orka webhook serving on (https:\/\/\S+) \(2 worker processes\)$/m;
const DENY_ALL_TASKS = `apiVersion: policy.orka.ai/v1alpha1
kind: AdmissionPolicy
metadata: { name: no-tasks-today }
spec:
  matchConstraints:
    resourceRules: [{ apiGroups: [core.orka.ai], apiVersions: ["*"], resources: [tasks], operations: [CREATE] }]
  validations:
  - expression: "false"
    message: no Tasks today
`;
const TASK = {
  apiVersion: 'core.orka.ai/v1alpha1',
  kind: 'Task',
  metadata: { name: 'fix-tests', namespace: 'team-a' },
  spec: { type: 'agent', agentRef: { name: 'claude-agent' }, prompt: 'Fix the tests' },
};

function folders() {
  const root = mkdtempSync(join(tmpdir(), 'orka-webhook-workers-'));
  return { root, home: join(root, 'home'), certs: join(root, 'certs'), policies: join(root, 'p') };
}

/** The workers a supervisor forked (its other children: tsx's esbuild service). */
function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (Number(fields[1]) === pid && fields[0] !== 'Z' && command.includes('webhook')) {
        children.push(Number(entry));
      }
    } catch {
      // the process ended while we looked
    }
  }
  return children;
}

/** Start-up compiles TypeScript in three processes at once: generous on a loaded machine. */
const STARTUP_POLL = { timeoutMs: 120_000, intervalMs: 100 };

describe('orka webhook --workers 2', { timeout: 300_000 }, () => {
  const dirs = folders();
  let child: ChildProcess;
  let stderr = '';
  let url = '';
  let ca = '';

  const call = (method: string, path: string, body?: string) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      // A fresh connection per call, so the supervisor hands calls to both workers.
      const req = request(
        `${url}${path}`,
        { method, ca, agent: false, headers: { 'content-type': 'application/json' } },
        (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (chunk: string) => {
            text += chunk;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      req.setTimeout(20_000, () => req.destroy(new Error(`${method} ${path}: no answer in 20 s`)));
      req.end(body);
    });
  const review = async (uid: string) => {
    const answer = await call('POST', '/validate', JSON.stringify(reviewOf(TASK, { uid })));
    assert.equal(answer.status, 200, answer.text);
    return JSON.parse(answer.text).response as {
      uid: string;
      allowed: boolean;
      status?: { message: string };
    };
  };
  const metricLines = async (prefix: string) =>
    (await call('GET', '/metrics')).text.split('\n').filter((line) => line.startsWith(prefix));

  before(async () => {
    const authority = await createCertificateAuthority();
    const leaf = await issueServingCertificate(authority, { dnsNames: [], ips: ['127.0.0.1'] });
    ca = authority.cert;
    for (const dir of [dirs.home, dirs.certs, dirs.policies]) {
      spawnSync('mkdir', ['-p', dir]);
    }
    writeFileSync(join(dirs.certs, 'tls.crt'), leaf.cert);
    writeFileSync(join(dirs.certs, 'tls.key'), leaf.key, { mode: 0o600 });
    writeFileSync(join(dirs.policies, 'no-tasks.yaml'), DENY_ALL_TASKS);
    child = spawn(
      process.execPath,
      [
        ORKA,
        'webhook',
        '--workers',
        '2',
        '--port',
        '0',
        '--bind-address',
        '127.0.0.1',
        '--cert-dir',
        dirs.certs,
        '--policies',
        dirs.policies,
      ],
      {
        env: { ...process.env, HOME: dirs.home, KUBECONFIG: '' },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    await eventually(
      () => `the serving line, or an exit; stderr so far:\n${stderr}`,
      () => SERVING.test(stderr) || child.exitCode !== null,
      STARTUP_POLL,
    );
    url = SERVING.exec(stderr)?.[1] ?? assert.fail(`orka webhook exited early:\n${stderr}`);
  });
  after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  test('both workers answer, and a scrape of either reports the pool', async () => {
    assert.equal(childrenOf(child.pid!).length, 2);
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => review(`uid-${i}`)));
    answers.forEach((answer, i) => {
      assert.equal(answer.uid, `uid-${i}`);
      assert.equal(answer.allowed, false);
      assert.match(answer.status?.message ?? '', /no-tasks-today: no Tasks today/);
    });
    for (let scrape = 0; scrape < 4; scrape++) {
      const counts = await metricLines('orka_webhook_review_duration_seconds_count');
      const total = counts.reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
      assert.equal(total, 20, counts.join('\n'));
      assert.deepEqual(await metricLines('orka_webhook_policies_loaded{kind="custom"}'), [
        'orka_webhook_policies_loaded{kind="custom"} 1',
      ]);
      const cpu = await metricLines('process_cpu_seconds_total');
      assert.equal(cpu.length, 1, `one pool-wide CPU series: ${cpu.join('\n')}`);
      const gcKinds = (await metricLines('nodejs_gc_duration_seconds_count')).map(
        (line) => /kind="(\w+)"/.exec(line)?.[1],
      );
      assert.ok(gcKinds.includes('minor'), `GC pauses are reported: ${gcKinds}`);
      assert.equal(new Set(gcKinds).size, gcKinds.length, `one series per GC kind: ${gcKinds}`);
    }
  });

  test('a killed worker is replaced while the other keeps answering', async () => {
    const [victim, survivor] = childrenOf(child.pid!);
    assert.ok(victim && survivor);
    process.kill(victim, 'SIGKILL');
    // A connection handed over in the instant before the supervisor learns of the death is lost
    // with the worker (the apiserver's timeout and failurePolicy cover it); from then on, the
    // survivor takes every connection while the replacement starts.
    await eventually(
      'the restart line',
      () => stderr.includes(`worker ${victim} exited (code null, signal SIGKILL); restarting`),
      STARTUP_POLL,
    );
    assert.equal((await review('during-restart')).uid, 'during-restart');
    const replacement = await eventually(
      () => `a replacement worker (workers now: ${childrenOf(child.pid!).join(', ')})`,
      () => {
        const now = childrenOf(child.pid!);
        return now.length === 2 && !now.includes(victim) ? now : undefined;
      },
      STARTUP_POLL,
    );
    assert.ok(replacement.includes(survivor));
    await eventually(
      'the replacement serving',
      () => (stderr.match(/"msg":"webhook serving"/g) ?? []).length >= 3,
      STARTUP_POLL,
    );
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => review(`after-${i}`)));
    assert.ok(answers.every((answer) => answer.allowed === false));
  });

  test('SIGTERM stops every worker and exits 0, with every decision line written', async () => {
    const workers = childrenOf(child.pid!);
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    assert.equal(code, 0, stderr.slice(-2000));
    for (const pid of workers) assert.throws(() => process.kill(pid, 0), /ESRCH/);
    // the killed worker's last lines may be lost with it; the live workers' are all written
    const decided = stderr
      .split('\n')
      .filter((line) => line.includes('"msg":"admission decision"'))
      .map((line) => (JSON.parse(line) as { uid: string }).uid);
    for (const uid of ['during-restart', ...Array.from({ length: 6 }, (_, i) => `after-${i}`)]) {
      assert.ok(decided.includes(uid), `a decision line for ${uid}`);
    }
  });
});

describe('orka webhook --workers: bad input', () => {
  const run = (args: string[]) => {
    const dirs = folders();
    return spawnSync(process.execPath, [ORKA, 'webhook', ...args], {
      encoding: 'utf8',
      env: { ...process.env, HOME: dirs.root, KUBECONFIG: '' },
      timeout: 60_000,
    });
  };

  test('a worker count out of range is a usage error', () => {
    for (const workers of ['0', '65', '-1']) {
      const result = run(['--workers', workers, '--cert-dir', '/nonexistent']);
      assert.equal(result.status, 2, result.stderr);
      assert.match(result.stderr, new RegExp(`--workers must be 1-64, got ${workers}`));
    }
  });

  test('workers that cannot start end the pool with the reason', () => {
    const result = run(['--workers', '2', '--port', '0', '--cert-dir', '/nonexistent/certs']);
    assert.notEqual(result.status, 0);
    assert.match(result.stderr, /\/nonexistent\/certs\/tls\.crt: ENOENT/);
    assert.match(result.stderr, /a worker exited before serving/);
  });
});
