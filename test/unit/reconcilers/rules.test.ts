import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { V1Job, V1Pod } from '@kubernetes/client-node';
import {
  jobOutcome,
  podProblem,
  retryDelayMs,
  shouldRetry,
  tokenGate,
} from '../../../reconcilers/task/rules.ts';
import type { Task } from '../../../resources/types.ts';

const task = (retryPolicy: Task['spec']['retryPolicy'], attempts?: number): Task =>
  ({
    apiVersion: 'core.orka.ai/v1alpha1',
    kind: 'Task',
    metadata: { name: 't', namespace: 'n' },
    spec: { type: 'agent', ...(retryPolicy ? { retryPolicy } : {}) },
    status: attempts === undefined ? {} : { attempts },
  }) as Task;

describe('retries (reference §6.7, DESIGN X3)', () => {
  const cases: Array<[string, Task['spec']['retryPolicy'], number, boolean, number]> = [
    ['no policy: no retry', undefined, 1, false, 10_000],
    ['maxRetries 1, first attempt failed', { maxRetries: 1 }, 1, true, 10_000],
    ['maxRetries 1, second attempt failed', { maxRetries: 1 }, 2, false, 20_000],
    [
      'initialDelay grows by the multiplier',
      { maxRetries: 5, initialDelay: '1s', backoffMultiplier: 3 },
      3,
      true,
      9000,
    ],
    [
      'multiplier 0 means 2',
      { maxRetries: 5, initialDelay: '1s', backoffMultiplier: 0 },
      3,
      true,
      4000,
    ],
    ['capped at 5 minutes', { maxRetries: 50, initialDelay: '1m' }, 10, true, 300_000],
  ];
  for (const [name, policy, attempts, retry, delay] of cases) {
    test(name, () => {
      assert.equal(shouldRetry(task(policy, attempts)), retry);
      assert.equal(retryDelayMs(task(policy, attempts)), delay);
    });
  }
});

describe('jobOutcome', () => {
  const cases: Array<[string, V1Job['status'], string]> = [
    ['succeeded', { succeeded: 1 }, 'succeeded'],
    ['failed count', { failed: 1 }, 'failed'],
    [
      'deadline',
      { failed: 1, conditions: [{ type: 'Failed', status: 'True', reason: 'DeadlineExceeded' }] },
      'deadline-exceeded',
    ],
    [
      'failure target',
      { conditions: [{ type: 'FailureTarget', status: 'True', reason: 'BackoffLimitExceeded' }] },
      'failed',
    ],
    ['active', { active: 1 }, 'active'],
    ['nothing yet', {}, 'waiting'],
  ];
  for (const [name, status, state] of cases) {
    test(name, () => assert.equal(jobOutcome({ status }).state, state));
  }
});

describe('podProblem (reference §6.6 Running step 6)', () => {
  const pending = (status: V1Pod['status']): V1Pod => ({ status: { phase: 'Pending', ...status } });
  const waiting = (reason: string, message = 'm') =>
    pending({
      containerStatuses: [
        {
          name: 'worker',
          image: 'i',
          imageID: '',
          ready: false,
          restartCount: 0,
          state: { waiting: { reason, message } },
        },
      ],
    });
  const cases: Array<[string, V1Pod, number, string | undefined]> = [
    [
      'missing secret',
      waiting('CreateContainerConfigError', 'secret "x" not found'),
      0,
      'pod stuck: CreateContainerConfigError - secret "x" not found',
    ],
    ['never pull', waiting('ErrImageNeverPull'), 0, 'pod stuck: ErrImageNeverPull - m'],
    ['image pull back-off is not terminal', waiting('ImagePullBackOff'), 10 * 60_000, undefined],
    [
      'unschedulable',
      pending({
        conditions: [
          { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/3 nodes' },
        ],
      }),
      0,
      'pod unschedulable: 0/3 nodes',
    ],
    ['container creating under 2 minutes', waiting('ContainerCreating'), 60_000, undefined],
    [
      'container creating over 2 minutes',
      waiting('ContainerCreating'),
      3 * 60_000,
      'pod stuck in ContainerCreating for over 2 minutes (possible missing secret/volume)',
    ],
  ];
  for (const [name, pod, elapsed, message] of cases) {
    test(name, () => assert.equal(podProblem([pod], 0, elapsed), message));
  }
});

describe('transaction-token gate (reference §3.7)', () => {
  test('no pending mark: open; pending without a valid since: start the clock', () => {
    assert.deepEqual(tokenGate(undefined, undefined, 0), { state: 'open' });
    assert.deepEqual(tokenGate('true', undefined, 0), { state: 'start-clock' });
    assert.deepEqual(tokenGate('true', 'yesterday', 0), { state: 'start-clock' });
  });
  test('waits at most a second at a time, fails after 2 minutes', () => {
    const since = '2026-01-01T00:00:00Z';
    const start = Date.parse(since);
    assert.deepEqual(tokenGate('true', since, start + 5000), { state: 'wait', ms: 1000 });
    assert.deepEqual(tokenGate('true', since, start + 119_500), { state: 'wait', ms: 500 });
    assert.deepEqual(tokenGate('true', since, start + 120_000), { state: 'timed-out' });
  });
});
