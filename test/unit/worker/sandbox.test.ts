// The sandbox wrapper's pure parts (reference §7.6): settings from the env, the session claim
// name with the reference's vectors, warm pool and cleanup mapping, the staging plan, and the
// shell strings, which are run through a real `sh` to prove the quoting.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { WorkerConfigError } from '../../../worker/errors.ts';
import { claimObject } from '../../../worker/sandbox/claims.ts';
import { commandFailure } from '../../../worker/sandbox/run.ts';
import {
  commandString,
  envFileText,
  innerArgv,
  planStaging,
  type StagingInput,
} from '../../../worker/sandbox/script.ts';
import {
  cleanupAction,
  sandboxSettings,
  sessionClaimName,
  warmPoolFor,
} from '../../../worker/sandbox/settings.ts';

const BASE_ENV = {
  ORKA_TASK_NAME: 'task-1',
  ORKA_TASK_NAMESPACE: 'team-a',
  ORKA_AGENT_SANDBOX_ENABLED: 'true',
  ORKA_AGENT_SANDBOX_TEMPLATE_NAME: 'coding-agent',
  ORKA_AGENT_SANDBOX_ROUTER_URL: 'http://router:8080/',
};

describe('session claim name', () => {
  const rows = [
    {
      name: 'reference vector: every namespace default',
      input: ['default', 'default', 'default', 'coding-agent', 'session', 'feature-123'],
      want: 'orka-session-7ad7b158e6115d25f64c99a786caef7b',
    },
    {
      name: 'reference vector: claim and template in sandbox-system, Task in team-a',
      input: [
        'sandbox-system',
        'team-a',
        'sandbox-system',
        'coding-agent',
        'session',
        'feature-123',
      ],
      want: 'orka-session-9d7a4f21c7f5a8233bb323a2f9b76ea2',
    },
    {
      name: 'inputs are trimmed and the policy is case-insensitive',
      input: [' default', 'default ', 'default', ' coding-agent ', 'SESSION', ' feature-123'],
      want: 'orka-session-7ad7b158e6115d25f64c99a786caef7b',
    },
    {
      name: 'reuse policy none: no name',
      input: ['default', 'default', 'default', 'coding-agent', 'none', 'feature-123'],
      want: '',
    },
    {
      name: 'session without a key: no name',
      input: ['default', 'default', 'default', 'coding-agent', 'session', ' '],
      want: '',
    },
  ];
  for (const row of rows) {
    test(row.name, () => {
      const [
        claimNamespace,
        taskNamespace,
        templateNamespace,
        templateName,
        reusePolicy,
        reuseKey,
      ] = row.input as [string, string, string, string, string, string];
      assert.equal(
        sessionClaimName({
          claimNamespace,
          taskNamespace,
          templateNamespace,
          templateName,
          reusePolicy,
          reuseKey,
        }),
        row.want,
      );
    });
  }
});

describe('sandbox settings', () => {
  const namespaceRows: {
    name: string;
    env: Record<string, string>;
    template: string;
    claim: string;
  }[] = [
    { name: 'defaults: the Task namespace', env: {}, template: 'team-a', claim: 'team-a' },
    {
      name: 'template namespace alone does not move the claim (task strategy)',
      env: { ORKA_AGENT_SANDBOX_TEMPLATE_NAMESPACE: 'shared' },
      template: 'shared',
      claim: 'team-a',
    },
    {
      name: 'controller strategy: the claim follows the template namespace',
      env: {
        ORKA_AGENT_SANDBOX_TEMPLATE_NAMESPACE: 'orka-system',
        ORKA_AGENT_SANDBOX_NAMESPACE_STRATEGY: 'controller',
      },
      template: 'orka-system',
      claim: 'orka-system',
    },
    {
      name: 'an explicit claim namespace wins',
      env: {
        ORKA_AGENT_SANDBOX_TEMPLATE_NAMESPACE: 'orka-system',
        ORKA_AGENT_SANDBOX_CLAIM_NAMESPACE: 'sandboxes',
        ORKA_AGENT_SANDBOX_NAMESPACE_STRATEGY: 'controller',
      },
      template: 'orka-system',
      claim: 'sandboxes',
    },
  ];
  for (const row of namespaceRows) {
    test(row.name, () => {
      const settings = sandboxSettings({ ...BASE_ENV, ...row.env });
      assert.equal(settings.templateNamespace, row.template);
      assert.equal(settings.claimNamespace, row.claim);
    });
  }

  test('router URL without trailing slash, timeouts, app dir', () => {
    const settings = sandboxSettings({
      ...BASE_ENV,
      ORKA_AGENT_SANDBOX_CLAIM_TIMEOUT_SECONDS: '120',
      ORKA_AGENT_SANDBOX_COMMAND_TIMEOUT_SECONDS: 'soon',
    });
    assert.equal(settings.routerUrl, 'http://router:8080');
    assert.equal(settings.claimTimeoutSeconds, 120);
    assert.equal(settings.commandTimeoutSeconds, 0, 'not a positive integer: no limit');
    assert.equal(settings.appDir, '/app');
    assert.equal(sandboxSettings({ ...BASE_ENV }).claimTimeoutSeconds, 180);
  });

  const refusals: [string, Record<string, string>, RegExp][] = [
    [
      'recursion',
      { ORKA_AGENT_SANDBOX_DEPTH: '1' },
      /^agent sandbox recursion detected: ORKA_AGENT_SANDBOX_DEPTH=1$/,
    ],
    ['a malformed depth', { ORKA_AGENT_SANDBOX_DEPTH: 'x' }, /invalid ORKA_AGENT_SANDBOX_DEPTH/],
    [
      'no template',
      { ORKA_AGENT_SANDBOX_TEMPLATE_NAME: ' ' },
      /ORKA_AGENT_SANDBOX_TEMPLATE_NAME is required: template name is required/,
    ],
    ['no task namespace', { ORKA_TASK_NAMESPACE: '' }, /ORKA_TASK_NAMESPACE is required/],
  ];
  for (const [name, env, message] of refusals) {
    test(`refuses ${name}`, () => {
      assert.throws(
        () => sandboxSettings({ ...BASE_ENV, ...env }),
        (error: Error) => error instanceof WorkerConfigError && message.test(error.message),
      );
    });
  }

  const warmPools: [string, string][] = [
    ['disabled', 'none'],
    ['', 'none'],
    ['surprise', 'none'],
    ['template', 'default'],
    ['Template', 'default'],
  ];
  for (const [policy, want] of warmPools) {
    test(`warm pool policy "${policy}" is upstream warmpool ${want}`, () => {
      assert.equal(warmPoolFor(policy), want);
    });
  }

  const cleanups: [string, string, boolean][] = [
    ['', 'delete', false],
    ['delete', 'delete', false],
    ['Retain', 'retain', false],
    ['archive', 'retain', true],
  ];
  for (const [policy, action, warns] of cleanups) {
    test(`cleanup policy "${policy}" ${action}s${warns ? ' with a warning' : ''}`, () => {
      const decided = cleanupAction(policy);
      assert.equal(decided.action, action);
      assert.equal(decided.warning !== undefined, warns);
      if (warns) assert.match(decided.warning!, /retaining workspace to avoid unintended deletion/);
    });
  }

  test('the SandboxClaim written: generated or session name, template, warm pool', () => {
    assert.deepEqual(
      claimObject({
        namespace: 'team-a',
        templateName: 'coding-agent',
        claimName: '',
        warmPool: 'none',
      }),
      {
        apiVersion: 'extensions.agents.x-k8s.io/v1alpha1',
        kind: 'SandboxClaim',
        metadata: { generateName: 'sandbox-claim-', namespace: 'team-a' },
        spec: { sandboxTemplateRef: { name: 'coding-agent' }, warmpool: 'none' },
      },
    );
    const named = claimObject({
      namespace: 'team-a',
      templateName: 't',
      claimName: 'orka-session-x',
      warmPool: 'default',
    });
    assert.deepEqual(named.metadata, { name: 'orka-session-x', namespace: 'team-a' });
  });
});

describe('staging plan', () => {
  const input = (overrides: Partial<StagingInput> = {}): StagingInput => ({
    env: { ...BASE_ENV, ORKA_SA_TOKEN: 'env-token', ORKA_SA_TOKEN_PATH: '/outer/token' },
    appDir: '/app',
    depth: 0,
    workerBundle: Buffer.from('bundle'),
    serviceAccountToken: 'sa-token-value',
    tokenFiles: new Map(),
    askpassScript: '#!/bin/sh\n',
    ...overrides,
  });

  test('the worker, the SA token (0600) and the inner env with recursion disabled', () => {
    const plan = planStaging(input());
    assert.deepEqual(
      plan.files.map((file) => [file.name, file.mode]),
      [
        ['orka-agent-worker', 0o700],
        ['orka-sa-token', 0o600],
      ],
    );
    assert.equal(plan.innerEnv.ORKA_SA_TOKEN_PATH, '/app/orka-sa-token');
    assert.equal(plan.innerEnv.ORKA_SA_TOKEN, undefined);
    assert.equal(plan.innerEnv.ORKA_AGENT_SANDBOX_ENABLED, 'false');
    assert.equal(plan.innerEnv.ORKA_AGENT_SANDBOX_DEPTH, '1');
    assert.equal(plan.innerEnv.ORKA_TASK_NAME, 'task-1');
    assert.deepEqual(plan.tokenPaths, ['/app/orka-sa-token']);
  });

  test('shared transaction and subject token files are staged once; git askpass with GIT_TOKEN', () => {
    const plan = planStaging(
      input({
        serviceAccountToken: undefined,
        env: {
          ...BASE_ENV,
          ORKA_TRANSACTION_TOKEN_FILE: '/var/run/orka/transaction-token/token',
          ORKA_CONTEXT_TOKEN_SUBJECT_TOKEN_FILE: '/var/run/orka/transaction-token/token',
          GIT_TOKEN: 'ghp_0123456789',
        },
        tokenFiles: new Map([['/var/run/orka/transaction-token/token', 'txn-token-value']]),
      }),
    );
    assert.deepEqual(
      plan.files.map((file) => [file.name, file.mode]),
      [
        ['orka-agent-worker', 0o700],
        ['orka-transaction-token', 0o600],
        ['orka-git-askpass', 0o700],
      ],
    );
    assert.equal(plan.innerEnv.ORKA_TRANSACTION_TOKEN_FILE, '/app/orka-transaction-token');
    assert.equal(
      plan.innerEnv.ORKA_CONTEXT_TOKEN_SUBJECT_TOKEN_FILE,
      '/app/orka-transaction-token',
    );
    assert.equal(plan.innerEnv.GIT_ASKPASS, '/app/orka-git-askpass');
    assert.deepEqual(plan.tokenPaths, ['/app/orka-transaction-token']);
  });

  test('an unreadable or empty token file aborts, naming the variable', () => {
    assert.throws(
      () => planStaging(input({ env: { ...BASE_ENV, ORKA_TRANSACTION_TOKEN_FILE: '/missing' } })),
      /^WorkerConfigError: ORKA_TRANSACTION_TOKEN_FILE \/missing: the token file is unreadable or empty$/,
    );
  });

  test('inner argv: exec without token files; run, remove, keep the status with them', () => {
    const bare = planStaging(input({ serviceAccountToken: undefined }));
    assert.deepEqual(innerArgv(bare, '/app', ['worker', '--runtime', 'claude']), [
      'sh',
      '-c',
      "chmod 0700 '/app/orka-agent-worker' && exec '/app/orka-agent-worker' \"$@\"",
      'orka-agent-worker',
      'worker',
      '--runtime',
      'claude',
    ]);
    const withToken = planStaging(input());
    assert.equal(
      innerArgv(withToken, '/app', [])[2],
      "chmod 0700 '/app/orka-agent-worker' && chmod 0600 '/app/orka-sa-token' && '/app/orka-agent-worker' \"$@\"; status=$?; rm -f '/app/orka-sa-token'; exit $status",
    );
  });
});

describe('shell strings through a real sh', () => {
  test('the env file keeps every value byte for byte', () => {
    const dir = mkdtempSync(join(tmpdir(), 'orka-envfile-'));
    const values = {
      QUOTES: `it's "quoted" \\ $HOME \`date\``,
      NEWLINES: 'line 1\nline 2\n',
      EMPTY: '',
    };
    const file = join(dir, 'env');
    writeFileSync(file, envFileText(values));
    for (const [key, value] of Object.entries(values)) {
      const printed = execFileSync('sh', ['-c', `. "$1"; printf '%s' "$${key}"`, 'sh', file], {
        encoding: 'utf8',
      });
      assert.equal(printed, value, key);
    }
    assert.match(readFileSync(file, 'utf8'), /^export EMPTY=''\nexport NEWLINES=/);
  });

  test('names the shell cannot carry and NUL bytes are refused', () => {
    assert.throws(() => envFileText({ 'BAD-NAME': 'x' }), /"BAD-NAME" cannot be passed/);
    assert.throws(() => envFileText({ GOOD: 'a\0b' }), /GOOD contains a NUL byte/);
  });

  test('the command sources and removes the env file, then runs the argv in the workdir', () => {
    const dir = mkdtempSync(join(tmpdir(), "orka-cmd-'dir "));
    const envFile = join(dir, 'orka-env-1');
    writeFileSync(envFile, envFileText({ GREETING: "hello 'there'" }));
    const argv = ['sh', '-c', 'printf "%s|%s|%s" "$GREETING" "$PWD" "$1"', 'inner', 'arg one'];
    const output = execFileSync('sh', ['-c', commandString(envFile, dir, argv)], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH },
    });
    assert.equal(output, `hello 'there'|${dir}|arg one`);
    assert.equal(existsSync(envFile), false);
  });

  test('a command failure quotes at most 2000 bytes of each stream', () => {
    const message = commandFailure('claude', 3, 'x'.repeat(2500), 'oops');
    assert.equal(
      message,
      `claude sandbox execution failed: exec: CommandFailed: command exited with code 3 (stdout=${'x'.repeat(2000)}; stdout_truncated=true; stderr=oops; stderr_truncated=false)`,
    );
  });
});
