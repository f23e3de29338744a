// The seeds' security table and writable-directory table (seed 002), and the Secrets rules
// (seeds 000 and 002, DESIGN §12 X4/X14), for every container of every kind of worker Pod.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { V1Container, V1Job } from '@kubernetes/client-node';
import {
  buildWorkerJob,
  HOME_DIR,
  TMP_DIR,
  WORKER_HOME,
  WORKER_UID,
  WORKSPACE_DIR,
} from '../../../reconcilers/job/index.ts';
import { config, makeAgent, makeTask, podOf } from './fixtures.ts';

const jobs: [string, V1Job][] = [
  ['plain Task', buildWorkerJob(makeTask(), makeAgent(), config)],
  [
    'Task with session, workspace, secrets and runtimeClass',
    buildWorkerJob(
      makeTask({
        sessionRef: { name: 's1' },
        secretRef: { name: 'task-key' },
        agentRuntime: {
          workspace: { gitRepo: 'https://git.test/r.git', gitSecretRef: { name: 'git' } },
        },
        execution: { runtimeClassName: 'gvisor' },
      }),
      makeAgent({ secretRef: { name: 'agent-key' } }),
      config,
    ),
  ],
];

const containersOf = (job: V1Job): V1Container[] => [
  ...(podOf(job).initContainers ?? []),
  ...podOf(job).containers,
];

describe('seed 002 security table', () => {
  for (const [name, job] of jobs) {
    const pod = podOf(job);
    const rows: [string, () => unknown, unknown][] = [
      ['Pod: run as non-root', () => pod.securityContext?.runAsNonRoot, true],
      ['Pod: uid 1000', () => pod.securityContext?.runAsUser, WORKER_UID],
      ['Pod: gid 1000', () => pod.securityContext?.runAsGroup, 1000],
      [
        'Pod: fsGroup 1000 (Secret files readable by the worker)',
        () => pod.securityContext?.fsGroup,
        1000,
      ],
      [
        'Pod: seccomp RuntimeDefault',
        () => pod.securityContext?.seccompProfile,
        { type: 'RuntimeDefault' },
      ],
    ];
    for (const container of containersOf(job)) {
      const context = () => container.securityContext ?? {};
      rows.push(
        [`${container.name}: run as non-root`, () => context().runAsNonRoot, true],
        [`${container.name}: uid 1000`, () => context().runAsUser, 1000],
        [
          `${container.name}: read-only root filesystem`,
          () => context().readOnlyRootFilesystem,
          true,
        ],
        [
          `${container.name}: all capabilities dropped`,
          () => context().capabilities,
          { drop: ['ALL'] },
        ],
        [
          `${container.name}: seccomp RuntimeDefault`,
          () => context().seccompProfile,
          { type: 'RuntimeDefault' },
        ],
        [
          `${container.name}: privilege escalation disabled`,
          () => context().allowPrivilegeEscalation,
          false,
        ],
        [`${container.name}: not privileged`, () => context().privileged, undefined],
      );
    }
    for (const [row, actual, expected] of rows) {
      test(`${name} — ${row}`, () => assert.deepEqual(actual(), expected));
    }
    test(`${name} — no host namespaces, host paths or added capabilities`, () => {
      assert.equal(pod.hostNetwork, undefined);
      assert.equal(pod.hostPID, undefined);
      assert.equal(pod.hostIPC, undefined);
      assert.ok((pod.volumes ?? []).every((volume) => volume.hostPath === undefined));
      assert.ok(containersOf(job).every((c) => c.securityContext?.capabilities?.add === undefined));
    });
  }
  test('runtimeClassName keeps the same pod and container security (seed 000)', () => {
    const [, plain] = jobs[0]!;
    const [, isolated] = jobs[1]!;
    assert.equal(podOf(isolated).runtimeClassName, 'gvisor');
    assert.deepEqual(podOf(isolated).securityContext, podOf(plain).securityContext);
    assert.deepEqual(
      podOf(isolated).containers[0]!.securityContext,
      podOf(plain).containers[0]!.securityContext,
    );
  });
});

describe('seed 002 writable directories: only /tmp, /home/worker and /workspace (emptyDirs)', () => {
  test('HOME of the worker user is the writable home', () => assert.equal(HOME_DIR, WORKER_HOME));
  for (const [name, job] of jobs) {
    test(`${name}: the worker's writable mounts are exactly the three emptyDirs`, () => {
      const pod = podOf(job);
      const worker = pod.containers[0]!;
      const writable = (worker.volumeMounts ?? []).filter((mount) => !mount.readOnly);
      assert.deepEqual(
        writable.map((mount) => mount.mountPath),
        [TMP_DIR, WORKSPACE_DIR, HOME_DIR],
      );
      assert.deepEqual([TMP_DIR, WORKSPACE_DIR, HOME_DIR], ['/tmp', '/workspace', '/home/worker']);
      for (const mount of writable) {
        const volume = pod.volumes!.find((candidate) => candidate.name === mount.name);
        assert.deepEqual(volume, { name: mount.name, emptyDir: {} });
      }
    });
    test(`${name}: every other mount is read-only`, () => {
      for (const container of podOf(job).containers) {
        for (const mount of container.volumeMounts ?? []) {
          if (![TMP_DIR, WORKSPACE_DIR, HOME_DIR].includes(mount.mountPath)) {
            assert.equal(mount.readOnly, true, `${mount.mountPath} must be read-only`);
          }
        }
      }
    });
  }
});

describe('Secrets: the Task secretRef overrides the Agent’s (X4), as envFrom and read-only files (X14)', () => {
  const cases: [string, Record<string, unknown>, Record<string, unknown>, string | undefined][] = [
    ['Agent secret only', {}, { secretRef: { name: 'agent-key' } }, 'agent-key'],
    [
      'Task secret overrides the Agent’s',
      { secretRef: { name: 'task-key' } },
      { secretRef: { name: 'agent-key' } },
      'task-key',
    ],
    [
      'Task secret without an Agent secret',
      { secretRef: { name: 'task-key', namespace: 'elsewhere' } },
      {},
      'task-key',
    ],
    ['no secret at all', {}, {}, undefined],
  ];
  for (const [name, taskSpec, agentSpec, secret] of cases) {
    test(name, () => {
      const job = buildWorkerJob(makeTask(taskSpec), makeAgent(agentSpec), config);
      const pod = podOf(job);
      const worker = pod.containers[0]!;
      const volume = pod.volumes!.find((candidate) => candidate.name === 'agent-secrets');
      const mount = worker.volumeMounts!.find((candidate) => candidate.name === 'agent-secrets');
      if (secret === undefined) {
        assert.equal(worker.envFrom, undefined);
        assert.equal(volume, undefined);
        assert.equal(mount, undefined);
        return;
      }
      assert.deepEqual(worker.envFrom, [{ secretRef: { name: secret } }]);
      assert.deepEqual(volume, {
        name: 'agent-secrets',
        secret: { secretName: secret, defaultMode: 0o440 },
      });
      assert.deepEqual(mount, {
        name: 'agent-secrets',
        mountPath: '/secrets/agent',
        readOnly: true,
      });
      const secretNames = pod.volumes!.flatMap((v) => (v.secret ? [v.secret.secretName] : []));
      assert.ok(!secretNames.includes(secret === 'task-key' ? 'agent-key' : 'task-key'));
    });
  }
});
