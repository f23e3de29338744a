// Reference §6.6 Running step 6: a Pod still initializing past 2 minutes with a fresh FailedMount
// Event fails the Task with that Event's message.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CoreV1Event, V1Pod } from '@kubernetes/client-node';
import { podProblem } from '../../../reconcilers/task/rules.ts';

const MINUTE = 60_000;
const START = Date.UTC(2026, 0, 15, 12, 0, 0);
const MOUNT_MESSAGE = 'MountVolume.SetUp failed for volume "secrets" : secret "api-keys" not found';

const pod = (initReason: string, mainReason = 'PodInitializing'): V1Pod => ({
  metadata: { name: 'task-1-abc', namespace: 'team-a' },
  status: {
    phase: 'Pending',
    initContainerStatuses: [
      {
        name: 'fetch-session',
        image: 'i',
        imageID: '',
        ready: false,
        restartCount: 0,
        state: { waiting: { reason: initReason } },
      },
    ],
    containerStatuses: [
      {
        name: 'worker',
        image: 'i',
        imageID: '',
        ready: false,
        restartCount: 0,
        state: { waiting: { reason: mainReason } },
      },
    ],
  },
});

const failedMount = (at: number, overrides: Partial<CoreV1Event> = {}): CoreV1Event => ({
  metadata: { name: 'e', namespace: 'team-a' },
  involvedObject: { kind: 'Pod', name: 'task-1-abc', namespace: 'team-a' },
  reason: 'FailedMount',
  message: MOUNT_MESSAGE,
  lastTimestamp: new Date(at),
  ...overrides,
});

const STUCK = `pod stuck initializing for over 2 minutes: ${MOUNT_MESSAGE}`;
const CREATING =
  'pod stuck in ContainerCreating for over 2 minutes (possible missing secret/volume)';

describe('podProblem with FailedMount Events', () => {
  const now = START + 3 * MINUTE;
  const cases: Array<[string, V1Pod, CoreV1Event[], number, string | undefined]> = [
    [
      'fresh event, init container creating',
      pod('ContainerCreating'),
      [failedMount(now - MINUTE)],
      now,
      STUCK,
    ],
    [
      'fresh event, PodInitializing only',
      pod('Running', 'PodInitializing'),
      [failedMount(now - MINUTE)],
      now,
      STUCK,
    ],
    [
      'under 2 minutes since start: wait',
      pod('ContainerCreating'),
      [failedMount(START + MINUTE)],
      START + 90_000,
      undefined,
    ],
    [
      'event older than 2 minutes: generic message',
      pod('ContainerCreating'),
      [failedMount(now - 2.5 * MINUTE)],
      now,
      CREATING,
    ],
    [
      'event from before this attempt started',
      pod('Running', 'PodInitializing'),
      [failedMount(START - 1000)],
      now,
      undefined,
    ],
    [
      'event about another Pod',
      pod('Running', 'PodInitializing'),
      [failedMount(now - MINUTE, { involvedObject: { kind: 'Pod', name: 'other' } })],
      now,
      undefined,
    ],
    [
      'another reason',
      pod('Running', 'PodInitializing'),
      [failedMount(now - MINUTE, { reason: 'FailedScheduling' })],
      now,
      undefined,
    ],
    [
      'no event, PodInitializing: keep waiting',
      pod('Running', 'PodInitializing'),
      [],
      now,
      undefined,
    ],
    [
      'event time from eventTime when lastTimestamp is absent',
      pod('Running', 'PodInitializing'),
      [failedMount(0, { lastTimestamp: undefined, eventTime: new Date(now - MINUTE) })],
      now,
      STUCK,
    ],
  ];
  for (const [name, subject, events, at, expected] of cases) {
    test(name, () => assert.equal(podProblem([subject], START, at, events), expected));
  }
});
