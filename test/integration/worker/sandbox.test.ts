// The sandbox wrapper end to end (reference §7.6, seed 001): `orka worker` as a child process with
// ORKA_AGENT_SANDBOX_ENABLED=true claims a SandboxClaim in the Kubernetes API stand-in with its own
// Pod-bound token, a controller loop makes it Ready, the stand-in sandbox runtime receives the
// worker bundle and the token files and runs the inner worker as a real process, which posts the
// result to the real API. Then the tokens are gone and the claim is deleted or retained.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CustomObjectsApi } from '@kubernetes/client-node';
import {
  installAgentSandboxCrds,
  type SandboxController,
  startSandboxController,
} from '../../helpers/agent-sandbox.ts';
import { startSandboxRuntime } from '../../helpers/sandbox-runtime.ts';
import { ruleAuthorizer } from '../../kube/index.ts';
import { CONTROLLER, type Harness, startHarness, type Worker } from '../api/harness.ts';
import { REPO_ROOT, runOrka } from './helpers.ts';

const WORKER_SA = 'system:serviceaccount:team-a:orka-worker';
const API_KEY = 'sk-ant-canary-sandbox-0123456789';
const TXN_TOKEN = 'txn-token-canary-0123456789abcdef';

/**
 * Records how it was started inside the sandbox: env, cwd and the modes of the token files. An ES
 * module: it lives under the repository's package.json, which says `"type": "module"`.
 */
const STAND_IN_CLAUDE = `#!/usr/bin/env node
import fs from 'node:fs';
const e = process.env;
const mode = (p) => (p ? (fs.statSync(p).mode & 0o777).toString(8) : null);
const keep = ['ORKA_AGENT_SANDBOX_ENABLED', 'ORKA_AGENT_SANDBOX_DEPTH', 'ORKA_SA_TOKEN_PATH',
  'ORKA_SA_TOKEN', 'ORKA_TRANSACTION_TOKEN_FILE', 'ORKA_TASK_NAME'];
fs.appendFileSync(e.STANDIN_RECORD, JSON.stringify({
  cwd: process.cwd(),
  env: Object.fromEntries(keep.map((k) => [k, e[k]])),
  saMode: mode(e.ORKA_SA_TOKEN_PATH),
  txnMode: mode(e.ORKA_TRANSACTION_TOKEN_FILE),
  saToken: fs.readFileSync(e.ORKA_SA_TOKEN_PATH, 'utf8'),
}) + '\\n');
process.stdout.write(e.STANDIN_OUTPUT || '');
process.exitCode = Number(e.STANDIN_EXIT || 0);
`;

interface InnerRun {
  cwd: string;
  env: Record<string, string | undefined>;
  saMode: string;
  txnMode: string;
  saToken: string;
}

describe('sandbox wrapper', () => {
  let h: Harness;
  let worker: Worker;
  let controller: SandboxController;
  let claims: CustomObjectsApi;
  let scratch: string;
  let bundle: string;

  before(async () => {
    h = await startHarness();
    await installAgentSandboxCrds(h.standin.kubeConfig);
    worker = await h.startWorker('team-a', 'sbx-task');
    h.standin.setAuthorizer(
      ruleAuthorizer({
        [CONTROLLER]: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
        [WORKER_SA]: [
          {
            verbs: ['create', 'get', 'delete'],
            apiGroups: ['extensions.agents.x-k8s.io'],
            resources: ['sandboxclaims'],
            namespaces: ['team-a'],
          },
          {
            verbs: ['get'],
            apiGroups: ['agents.x-k8s.io'],
            resources: ['sandboxes'],
            namespaces: ['team-a'],
          },
        ],
      }),
    );
    controller = startSandboxController(h.standin.kubeConfig, 'team-a');
    claims = h.standin.kubeConfig.makeApiClient(CustomObjectsApi);
    // Inside the repository: the bundle imports better-sqlite3 at load time (a defect of the
    // bundle, reported), which only resolves with the repository's node_modules above it.
    mkdirSync(join(REPO_ROOT, '.cache'), { recursive: true });
    scratch = mkdtempSync(join(REPO_ROOT, '.cache', 'worker-sandbox-'));
    bundle = join(scratch, 'orka-worker.mjs');
    execFileSync(process.execPath, ['scripts/build-worker.mjs', '--outfile', bundle], {
      cwd: REPO_ROOT,
    });
  });
  after(async () => {
    controller.stop();
    await h.close();
    execFileSync('rm', ['-rf', scratch]);
  });

  async function setUp(extra: Record<string, string>) {
    const dir = mkdtempSync(join(scratch, 'run-'));
    const app = join(dir, 'app');
    const bin = join(dir, 'bin');
    for (const sub of [app, bin, join(dir, 'workspace'), join(dir, 'tmp'), join(dir, 'home')]) {
      mkdirSync(sub, { recursive: true });
    }
    writeFileSync(join(bin, 'claude'), STAND_IN_CLAUDE);
    chmodSync(join(bin, 'claude'), 0o755);
    writeFileSync(join(dir, 'sa-token'), `${worker.token}\n`);
    writeFileSync(join(dir, 'txn-token'), `${TXN_TOKEN}\n`);
    const kubeconfig = join(dir, 'kubeconfig');
    await h.standin.writeKubeconfig(kubeconfig, { token: worker.token }, 'team-a');
    const runtime = await startSandboxRuntime(app);
    const env: Record<string, string> = {
      PATH: `${bin}:${process.env.PATH}`,
      KUBECONFIG: kubeconfig,
      STANDIN_RECORD: join(dir, 'runs.jsonl'),
      ORKA_TASK_NAME: 'sbx-task',
      ORKA_TASK_NAMESPACE: 'team-a',
      ORKA_CONTROLLER_URL: h.url,
      ORKA_RESULT_ENDPOINT: `${h.url}/internal/v1/results/team-a/sbx-task`,
      ORKA_PROMPT: 'Fix the tests',
      ORKA_WORKSPACE_DIR: join(dir, 'workspace'),
      ORKA_TMP_DIR: join(dir, 'tmp'),
      ORKA_HOME_DIR: join(dir, 'home'),
      ORKA_SECRETS_DIR: join(dir, 'secrets'),
      ORKA_SESSION_DIR: join(dir, 'session'),
      ORKA_SA_TOKEN_PATH: join(dir, 'sa-token'),
      ORKA_TRANSACTION_TOKEN_FILE: join(dir, 'txn-token'),
      ORKA_SUBMIT_RETRY_DELAY_MS: '10',
      ANTHROPIC_API_KEY: API_KEY,
      ORKA_WORKER_BUNDLE: bundle,
      ORKA_AGENT_SANDBOX_ENABLED: 'true',
      ORKA_AGENT_SANDBOX_ROUTER_URL: runtime.url,
      ORKA_AGENT_SANDBOX_TEMPLATE_NAME: 'coding-agent',
      ORKA_AGENT_SANDBOX_TEMPLATE_NAMESPACE: '',
      ORKA_AGENT_SANDBOX_CLAIM_NAMESPACE: '',
      ORKA_AGENT_SANDBOX_REUSE_POLICY: 'none',
      ORKA_AGENT_SANDBOX_REUSE_KEY: '',
      ORKA_AGENT_SANDBOX_CLEANUP_POLICY: 'delete',
      ORKA_AGENT_SANDBOX_WARM_POOL_POLICY: 'disabled',
      ORKA_AGENT_SANDBOX_NAMESPACE_STRATEGY: 'task',
      ORKA_AGENT_SANDBOX_CLAIM_TIMEOUT_SECONDS: '60',
      ORKA_AGENT_SANDBOX_COMMAND_TIMEOUT_SECONDS: '120',
      ORKA_AGENT_SANDBOX_DEPTH: '0',
      ORKA_AGENT_SANDBOX_APP_DIR: app,
      ...extra,
    };
    const innerRuns = (): InnerRun[] =>
      readFileSync(env.STANDIN_RECORD!, 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line));
    return { dir, app, env, runtime, innerRuns };
  }

  const claimNames = async (): Promise<string[]> => {
    const list = (await claims.listNamespacedCustomObject({
      group: 'extensions.agents.x-k8s.io',
      version: 'v1alpha1',
      plural: 'sandboxclaims',
      namespace: 'team-a',
    })) as { items: { metadata: { name: string } }[] };
    return list.items.map((item) => item.metadata.name);
  };

  const leftTokens = (app: string) =>
    readdirSync(app).filter((name) => /^orka-(sa-token|transaction-token|env-)/.test(name));

  test('cleanup delete: the inner worker runs in the sandbox, posts its result, the claim is deleted', async () => {
    const { app, env, runtime, innerRuns } = await setUp({
      STANDIN_OUTPUT: `sandboxed answer ${API_KEY}\n`,
    });
    try {
      const run = await runOrka(['worker', '--runtime', 'claude'], env);
      assert.equal(run.code, 0, run.stderr);
      const claimName = runtime.requests[0]!.sandboxId!;
      assert.match(claimName, /^sandbox-claim-/);
      assert.match(
        run.stderr,
        new RegExp(`Task team-a/sbx-task completed in sandbox workspace ${claimName}`),
      );
      for (const request of runtime.requests) {
        assert.deepEqual(
          [request.sandboxId, request.namespace, request.port],
          [claimName, 'team-a', '8888'],
        );
      }
      assert.deepEqual(
        runtime.requests
          .filter((r) => r.endpoint === 'POST /upload')
          .map((r) => r.detail.replace(/\d+$/, 'N')),
        ['orka-agent-worker', 'orka-sa-token', 'orka-transaction-token', 'orka-env-N'],
      );

      const [inner] = innerRuns();
      assert.ok(inner);
      assert.deepEqual(inner.env, {
        ORKA_AGENT_SANDBOX_ENABLED: 'false',
        ORKA_AGENT_SANDBOX_DEPTH: '1',
        ORKA_SA_TOKEN_PATH: join(app, 'orka-sa-token'),
        ORKA_TRANSACTION_TOKEN_FILE: join(app, 'orka-transaction-token'),
        ORKA_TASK_NAME: 'sbx-task',
      });
      assert.equal(inner.saMode, '600');
      assert.equal(inner.txnMode, '600');
      assert.equal(inner.saToken, worker.token);
      assert.equal(inner.cwd, env.ORKA_WORKSPACE_DIR);

      assert.equal(
        h.store.results.get('team-a', 'sbx-task')?.data.toString(),
        'sandboxed answer [REDACTED]\n',
      );
      assert.deepEqual(leftTokens(app), [], 'token and env files removed');
      assert.ok(!run.stderr.includes(worker.token) && !run.stderr.includes(TXN_TOKEN));
      assert.deepEqual(await claimNames(), []);
      assert.ok(controller.readied.includes(claimName));
    } finally {
      await runtime.stop();
    }
  });

  test('cleanup retain with session reuse: tokens scrubbed, the claim kept and reattached', async () => {
    const { app, env, runtime } = await setUp({
      STANDIN_OUTPUT: 'kept\n',
      ORKA_AGENT_SANDBOX_REUSE_POLICY: 'session',
      ORKA_AGENT_SANDBOX_REUSE_KEY: 'feature-123',
      ORKA_AGENT_SANDBOX_CLEANUP_POLICY: 'retain',
    });
    try {
      const first = await runOrka(['worker', '--runtime', 'claude'], env);
      assert.equal(first.code, 0, first.stderr);
      const [name] = await claimNames();
      assert.match(name ?? '', /^orka-session-[0-9a-f]{32}$/);
      assert.match(first.stderr, new RegExp(`claimed sandbox workspace team-a/${name}`));
      assert.match(first.stderr, new RegExp(`retained sandbox workspace team-a/${name}`));
      assert.deepEqual(leftTokens(app), []);
      const scrub = runtime.requests.at(-1)!;
      assert.match(scrub.detail, /^rm -f .*orka-sa-token.*orka-transaction-token.*orka-env-\d+'$/);

      const second = await runOrka(['worker', '--runtime', 'claude'], env);
      assert.equal(second.code, 0, second.stderr);
      assert.match(second.stderr, new RegExp(`reattached to sandbox workspace team-a/${name}`));
      assert.deepEqual(await claimNames(), [name]);
      assert.equal(controller.readied.filter((readied) => readied === name).length, 1);
      assert.deepEqual(leftTokens(app), []);
    } finally {
      await runtime.stop();
    }
  });

  test('a failed inner run fails the outer worker with the command failure; the claim is still deleted', async () => {
    const before = await claimNames();
    const { app, env, runtime } = await setUp({ STANDIN_OUTPUT: 'partial', STANDIN_EXIT: '3' });
    try {
      const run = await runOrka(['worker', '--runtime', 'claude'], env);
      assert.equal(run.code, 1, run.stderr);
      assert.match(
        run.stderr,
        /claude sandbox execution failed: exec: CommandFailed: command exited with code 1 \(stdout=.*; stdout_truncated=false; stderr=.*; stderr_truncated=false\)/s,
      );
      assert.match(
        h.store.results.get('team-a', 'sbx-task')!.data.toString(),
        /^Error: .*\n\npartial$/s,
      );
      assert.deepEqual(leftTokens(app), []);
      assert.deepEqual(await claimNames(), before);
    } finally {
      await runtime.stop();
    }
  });

  const refusals: [string, Record<string, string>, RegExp][] = [
    [
      'recursion',
      { ORKA_AGENT_SANDBOX_DEPTH: '1' },
      /agent sandbox recursion detected: ORKA_AGENT_SANDBOX_DEPTH=1/,
    ],
    [
      'port-forward mode (no router URL)',
      { ORKA_AGENT_SANDBOX_ROUTER_URL: '' },
      /agent sandbox port-forward mode is not implemented/,
    ],
    [
      'an unreadable worker bundle',
      { ORKA_WORKER_BUNDLE: '/nonexistent/orka-worker.mjs' },
      /ORKA_WORKER_BUNDLE \/nonexistent\/orka-worker.mjs: cannot read the worker bundle/,
    ],
  ];
  for (const [name, extra, message] of refusals) {
    test(`exits 2 before claiming anything: ${name}`, async () => {
      const before = await claimNames();
      const { env, runtime } = await setUp(extra);
      try {
        const run = await runOrka(['worker', '--runtime', 'claude'], env);
        assert.equal(run.code, 2, run.stderr);
        assert.match(run.stderr, message);
        assert.deepEqual(runtime.requests, []);
        assert.deepEqual(await claimNames(), before);
      } finally {
        await runtime.stop();
      }
    });
  }
});
