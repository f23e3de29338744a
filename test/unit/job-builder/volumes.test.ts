// Reference §6.2 row by row: volumes and mounts in build order, and the session init container.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildWorkerJob } from '../../../reconcilers/job/index.ts';
import { config, makeAgent, makeTask, podOf } from './fixtures.ts';

describe('reference §6.2 volumes, in build order', () => {
  const everything = buildWorkerJob(
    makeTask(
      {
        agentRuntime: {
          workspace: { gitRepo: 'https://git.test/r.git', gitSecretRef: { name: 'git-creds' } },
        },
        secretRef: { name: 'task-key' },
        sessionRef: { name: 's1' },
      },
      { annotations: { 'orka.ai/transaction-token-secret': 'child-txn-secret' } },
    ),
    makeAgent({ secretRef: { name: 'agent-key' } }),
    config,
  );

  test('all volumes present, in reference order', () => {
    assert.deepEqual(podOf(everything).volumes, [
      { name: 'tmp', emptyDir: {} },
      {
        name: 'transaction-token',
        secret: {
          secretName: 'child-txn-secret',
          items: [{ key: 'token', path: 'token' }],
          defaultMode: 0o440,
        },
      },
      { name: 'workspace', emptyDir: {} },
      { name: 'home', emptyDir: {} },
      { name: 'git-credentials', secret: { secretName: 'git-creds', defaultMode: 0o440 } },
      { name: 'agent-secrets', secret: { secretName: 'task-key', defaultMode: 0o440 } },
      { name: 'session-data', emptyDir: {} },
    ]);
  });

  test('worker mounts, in the same order', () => {
    assert.deepEqual(podOf(everything).containers[0]!.volumeMounts, [
      { name: 'tmp', mountPath: '/tmp' },
      { name: 'transaction-token', mountPath: '/var/run/orka/transaction-token', readOnly: true },
      { name: 'workspace', mountPath: '/workspace' },
      { name: 'home', mountPath: '/home/worker' },
      { name: 'git-credentials', mountPath: '/secrets/git', readOnly: true },
      { name: 'agent-secrets', mountPath: '/secrets/agent', readOnly: true },
      { name: 'session-data', mountPath: '/session', readOnly: true },
    ]);
  });

  const conditional: [string, Record<string, unknown>, Record<string, unknown>, string][] = [
    ['transaction-token only with the annotation', {}, {}, 'transaction-token'],
    [
      'git-credentials only with a gitSecretRef',
      { agentRuntime: { workspace: { gitRepo: 'r' } } },
      {},
      'git-credentials',
    ],
    [
      'git-credentials not for an empty gitSecretRef name',
      { workspace: { gitRepo: 'r', gitSecretRef: { name: '' } } },
      {},
      'git-credentials',
    ],
    ['agent-secrets only with a secretRef', {}, {}, 'agent-secrets'],
    ['session-data only with a sessionRef', {}, {}, 'session-data'],
  ];
  for (const [name, spec, metadata, volume] of conditional) {
    test(name, () => {
      const pod = podOf(buildWorkerJob(makeTask(spec, metadata), makeAgent(), config));
      assert.ok(!pod.volumes!.some((candidate) => candidate.name === volume));
      assert.ok(!pod.containers[0]!.volumeMounts!.some((mount) => mount.name === volume));
    });
  }

  test('the top-level workspace wins over agentRuntime.workspace for git credentials', () => {
    const pod = podOf(
      buildWorkerJob(
        makeTask({
          workspace: { gitRepo: 'top', gitSecretRef: { name: 'top-creds' } },
          agentRuntime: { workspace: { gitRepo: 'inner', gitSecretRef: { name: 'inner-creds' } } },
        }),
        makeAgent(),
        config,
      ),
    );
    const git = pod.volumes!.find((volume) => volume.name === 'git-credentials');
    assert.equal(git?.secret?.secretName, 'top-creds');
  });
});

describe('session init container (DESIGN §6: the worker image runs orka worker fetch-session)', () => {
  const job = buildWorkerJob(
    makeTask({ sessionRef: { name: 'feature-123', maxMessages: 20 } }),
    makeAgent({ runtime: { type: 'codex' } }),
    config,
  );
  const [init, ...others] = podOf(job).initContainers ?? [];

  test('exactly one init container, named fetch-session, with the worker image', () => {
    assert.equal(others.length, 0);
    assert.equal(init?.name, 'fetch-session');
    assert.equal(init?.image, config.images.codex);
    assert.equal(init?.imagePullPolicy, 'IfNotPresent');
  });
  test('command', () => assert.deepEqual(init?.command, ['orka', 'worker', 'fetch-session']));
  test('environment: where to fetch from and how many messages (newest N, X7)', () => {
    assert.deepEqual(init?.env, [
      { name: 'ORKA_TASK_NAME', value: 'refactor-task' },
      { name: 'ORKA_TASK_NAMESPACE', value: 'team-a' },
      { name: 'ORKA_CONTROLLER_URL', value: config.controllerUrl },
      { name: 'ORKA_SESSION_NAME', value: 'feature-123' },
      { name: 'ORKA_SESSION_MAX_MESSAGES', value: '20' },
      { name: 'ORKA_SESSION_DIR', value: '/session' },
    ]);
  });
  test('writes /session (rw) and /tmp; no Secrets mounted', () => {
    assert.deepEqual(init?.volumeMounts, [
      { name: 'tmp', mountPath: '/tmp' },
      { name: 'session-data', mountPath: '/session' },
    ]);
    assert.equal(init?.envFrom, undefined);
  });
  test('same container security context as the worker', () => {
    assert.deepEqual(init?.securityContext, podOf(job).containers[0]!.securityContext);
  });
  test('default maxMessages is 50', () => {
    const defaulted = buildWorkerJob(makeTask({ sessionRef: { name: 's' } }), makeAgent(), config);
    const env = podOf(defaulted).initContainers![0]!.env!;
    assert.deepEqual(
      env.find((variable) => variable.name === 'ORKA_SESSION_MAX_MESSAGES'),
      {
        name: 'ORKA_SESSION_MAX_MESSAGES',
        value: '50',
      },
    );
  });
});
