// Reference §6.1 row by row: the Job object of an agent Task, with DESIGN §6/§12 decisions.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  buildWorkerJob,
  DEFAULT_WORKER_RESOURCES,
  WorkerJobError,
  workerJobName,
} from '../../../reconcilers/job/index.ts';
import { config, makeAgent, makeTask, podOf, TASK_UID, workerOf } from './fixtures.ts';

const agent = makeAgent();

describe('Job name (deterministic per Task and attempt)', () => {
  const cases: [string, string, number, string][] = [
    ['refactor-task', TASK_UID, 0, 'refactor-task-job-12345678-0'],
    ['refactor-task', TASK_UID, 1, 'refactor-task-job-12345678-1'],
    ['a'.repeat(48), TASK_UID, 0, `${'a'.repeat(48)}-job-12345678-0`],
    ['a'.repeat(63), TASK_UID, 0, `${'a'.repeat(48)}-job-12345678-0`],
    [`${'a'.repeat(46)}-bbbb`, TASK_UID, 12, `${'a'.repeat(46)}-job-12345678-12`],
    [`${'-'.repeat(50)}x`, TASK_UID, 0, 'task-job-12345678-0'],
    [`${'a'.repeat(47)}.bbbbbb`, TASK_UID, 0, `${'a'.repeat(47)}-job-12345678-0`],
  ];
  for (const [name, uid, attempt, expected] of cases) {
    test(`${name.slice(0, 20)}… attempt ${attempt} → ${expected}`, () => {
      const jobName = workerJobName(name, uid, attempt);
      assert.equal(jobName, expected);
      assert.ok(jobName.length <= 63);
    });
  }

  test('the Job takes its name from status.attempts (before the increment)', () => {
    assert.equal(
      buildWorkerJob(makeTask(), agent, config).metadata!.name,
      'refactor-task-job-12345678-0',
    );
    const retried = makeTask({}, {}, { attempts: 2 });
    assert.equal(
      buildWorkerJob(retried, agent, config).metadata!.name,
      'refactor-task-job-12345678-2',
    );
  });
});

describe('reference §6.1 rows', () => {
  const job = buildWorkerJob(makeTask({ timeout: '30m' }), agent, config);
  const pod = podOf(job);
  const worker = workerOf(job);

  const rows: [string, () => unknown, unknown][] = [
    ['apiVersion/kind', () => [job.apiVersion, job.kind], ['batch/v1', 'Job']],
    ['metadata.namespace = Task namespace', () => job.metadata!.namespace, 'team-a'],
    [
      'metadata.labels',
      () => job.metadata!.labels,
      {
        'orka.ai/task': 'refactor-task',
        'orka.ai/task-type': 'agent',
        'orka.ai/worker-type': 'agent',
      },
    ],
    [
      'metadata.annotations absent without a transaction',
      () => job.metadata!.annotations,
      undefined,
    ],
    [
      'ownerReferences: controller ref to the Task',
      () => job.metadata!.ownerReferences,
      [
        {
          apiVersion: 'core.orka.ai/v1alpha1',
          kind: 'Task',
          name: 'refactor-task',
          uid: TASK_UID,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    ],
    ['spec.backoffLimit 0', () => job.spec!.backoffLimit, 0],
    ['spec.activeDeadlineSeconds from timeout 30m', () => job.spec!.activeDeadlineSeconds, 1800],
    ['spec.ttlSecondsAfterFinished from config', () => job.spec!.ttlSecondsAfterFinished, 600],
    [
      'pod labels = Job labels (worker-type: agent for kubectl -l)',
      () => job.spec!.template.metadata!.labels,
      job.metadata!.labels,
    ],
    ['pod.restartPolicy Never', () => pod.restartPolicy, 'Never'],
    ['pod.serviceAccountName orka-worker', () => pod.serviceAccountName, 'orka-worker'],
    ['pod.automountServiceAccountToken true', () => pod.automountServiceAccountToken, true],
    ['containers[0].name worker', () => worker.name, 'worker'],
    ['containers[0].image by runtime', () => worker.image, config.images.claude],
    ['containers[0].imagePullPolicy', () => worker.imagePullPolicy, 'IfNotPresent'],
    [
      'containers[0].command (DESIGN §6)',
      () => worker.command,
      ['orka', 'worker', '--runtime', 'claude'],
    ],
    ['containers[0].args not set', () => worker.args, undefined],
    ['containers[0].workingDir not set', () => worker.workingDir, undefined],
    ['containers[0].resources defaults', () => worker.resources, DEFAULT_WORKER_RESOURCES],
    ['containers[0].envFrom absent without any secretRef', () => worker.envFrom, undefined],
    ['one container only', () => pod.containers.length, 1],
    ['no init container without sessionRef', () => pod.initContainers, undefined],
  ];
  for (const [row, actual, expected] of rows) {
    test(row, () => assert.deepEqual(actual(), expected));
  }

  test('no activeDeadlineSeconds without timeout; no ttl when the config has none', () => {
    const plain = buildWorkerJob(makeTask(), agent, {
      ...config,
      ttlSecondsAfterFinished: undefined,
    });
    assert.equal(plain.spec!.activeDeadlineSeconds, undefined);
    assert.equal(plain.spec!.ttlSecondsAfterFinished, undefined);
    assert.ok(!('activeDeadlineSeconds' in plain.spec!));
  });

  const timeouts: [string, number][] = [
    ['10m0s', 600],
    ['1h30m', 5400],
    ['90s', 90],
    ['1.5s', 1],
  ];
  for (const [timeout, seconds] of timeouts) {
    test(`timeout ${timeout} → activeDeadlineSeconds ${seconds} (rounded down, as Go)`, () => {
      const timed = buildWorkerJob(makeTask({ timeout }), agent, config);
      assert.equal(timed.spec!.activeDeadlineSeconds, seconds);
    });
  }

  test('a timeout under one second cannot be a Job deadline and is refused naming the field', () => {
    assert.throws(
      () => buildWorkerJob(makeTask({ timeout: '500ms' }), agent, config),
      (error: Error) =>
        error instanceof WorkerJobError && /spec\.timeout: "500ms"/.test(error.message),
    );
  });
});

describe('labels and annotations of a transaction (reference §3.6)', () => {
  const transaction = {
    profile: 'kontxt',
    id: 'Txn 42/ABC',
    issuer: 'https://issuer.test',
    subject: 'svc-a',
    requestingWorkload: 'wl-1',
    scope: 'orka:tasks:create',
    scopes: ['orka:tasks:create'],
    contextDigest: 'sha256:aaa',
    requesterContextDigest: '',
  };
  const job = buildWorkerJob(makeTask({ transaction }), agent, config);

  test('labels carry a selector-safe id and the profile, on Job and Pod', () => {
    for (const labels of [job.metadata!.labels!, job.spec!.template.metadata!.labels!]) {
      assert.equal(labels['orka.ai/transaction-id'], 'txn-42-abc');
      assert.equal(labels['orka.ai/auth-profile'], 'kontxt');
    }
  });

  test('annotations carry the raw values, only non-empty ones, on Job and Pod', () => {
    const expected = {
      'orka.ai/transaction-id': 'Txn 42/ABC',
      'orka.ai/context-token-profile': 'kontxt',
      'orka.ai/transaction-issuer': 'https://issuer.test',
      'orka.ai/transaction-subject': 'svc-a',
      'orka.ai/transaction-requesting-workload': 'wl-1',
      'orka.ai/transaction-scope': 'orka:tasks:create',
      'orka.ai/transaction-context-digest': 'sha256:aaa',
    };
    assert.deepEqual(job.metadata!.annotations, expected);
    assert.deepEqual(job.spec!.template.metadata!.annotations, expected);
  });
});

describe('resources (Task > Agent > defaults)', () => {
  const taskResources = { requests: { cpu: '2' }, limits: { memory: '2Gi' } };
  const agentResources = {
    requests: { memory: '256Mi', cpu: '100m' },
    limits: { memory: '512Mi' },
  };
  const cases: [string, Record<string, unknown>, Record<string, unknown>, unknown][] = [
    [
      'Task resources win',
      { resources: taskResources },
      { resources: agentResources },
      taskResources,
    ],
    ['Agent resources when the Task has none', {}, { resources: agentResources }, agentResources],
    [
      'Agent resources when the Task sets an empty one',
      { resources: {} },
      { resources: agentResources },
      agentResources,
    ],
    ['defaults when neither sets any', {}, {}, DEFAULT_WORKER_RESOURCES],
    [
      'integer quantities become strings',
      { resources: { limits: { cpu: 2 } } },
      {},
      { limits: { cpu: '2' } },
    ],
  ];
  for (const [name, taskSpec, agentSpec, expected] of cases) {
    test(name, () => {
      const job = buildWorkerJob(makeTask(taskSpec), makeAgent(agentSpec), config);
      assert.deepEqual(workerOf(job).resources, expected);
    });
  }
});

describe('execution merge (reference §1.4)', () => {
  const agentExecution = {
    runtimeClassName: 'gvisor',
    nodeSelector: { 'sandbox-runtime': 'gvisor' },
    tolerations: [
      { key: 'sandbox-runtime', operator: 'Equal', value: 'gvisor', effect: 'NoSchedule' },
    ],
    affinity: {
      nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } },
    },
  };
  const cases: [string, Record<string, unknown> | undefined, Record<string, unknown>][] = [
    ['Agent values when the Task sets none', undefined, agentExecution],
    [
      'Task runtimeClassName wins; the rest stays the Agent’s',
      { runtimeClassName: 'kata-qemu' },
      { ...agentExecution, runtimeClassName: 'kata-qemu' },
    ],
    ['an empty Task runtimeClassName keeps the Agent’s', { runtimeClassName: '' }, agentExecution],
    [
      'Task nodeSelector replaces (not merges) the Agent’s',
      { nodeSelector: { 'sandbox-runtime': 'kata' } },
      { ...agentExecution, nodeSelector: { 'sandbox-runtime': 'kata' } },
    ],
    [
      'an explicit empty Task nodeSelector/tolerations clears the Agent’s',
      { nodeSelector: {}, tolerations: [], affinity: {} },
      { runtimeClassName: 'gvisor' },
    ],
  ];
  for (const [name, taskExecution, expected] of cases) {
    test(name, () => {
      const task = makeTask(taskExecution ? { execution: taskExecution } : {});
      const pod = podOf(buildWorkerJob(task, makeAgent({ execution: agentExecution }), config));
      const placement = {
        ...(pod.runtimeClassName !== undefined ? { runtimeClassName: pod.runtimeClassName } : {}),
        ...(pod.nodeSelector !== undefined ? { nodeSelector: pod.nodeSelector } : {}),
        ...(pod.tolerations !== undefined ? { tolerations: pod.tolerations } : {}),
        ...(pod.affinity !== undefined ? { affinity: pod.affinity } : {}),
      };
      assert.deepEqual(placement, expected);
    });
  }
});

describe('Tasks and Agents that cannot become a Job', () => {
  const cases: [string, () => unknown, RegExp][] = [
    [
      'type: ai',
      () => buildWorkerJob(makeTask({ type: 'ai' }), agent, config),
      /^type: ai tasks are not supported yet$/,
    ],
    [
      'no UID',
      () => buildWorkerJob(makeTask({}, { uid: undefined }), agent, config),
      /metadata\.uid/,
    ],
    [
      'no namespace',
      () => buildWorkerJob(makeTask({}, { namespace: undefined }), agent, config),
      /metadata\.namespace/,
    ],
    [
      'Agent without runtime',
      () =>
        buildWorkerJob(
          makeTask(),
          makeAgent({ runtime: undefined, model: { provider: 'openai' } }),
          config,
        ),
      /agent "claude-agent" has no spec\.runtime/,
    ],
    [
      'Agent with skills (not built yet)',
      () => buildWorkerJob(makeTask(), makeAgent({ skills: [{ name: 'go' }] }), config),
      /spec\.skills are not supported/,
    ],
  ];
  for (const [name, build, message] of cases) {
    test(name, () => {
      assert.throws(
        build,
        (error: Error) => error instanceof WorkerJobError && message.test(error.message),
      );
    });
  }
});
