// The Agent reconciler against the stand-in: readiness follows the Secrets and ConfigMaps an Agent
// references as they appear and change (watched, not the 30 s re-check: the polls below give up
// well before it), the cache holds no Secret or ConfigMap values, and a worker Pod stuck
// initializing on a FailedMount fails its Task with the Event's message.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Agent } from '../../../resources/types.ts';
import { eventually } from '../../helpers/eventually.ts';
import { Fixture } from '../reconcilers/harness.ts';

const NS = 'team-w';
/** Ample for a watch-driven change on a loaded machine, and far short of the Agent reconciler's
 * 30 s re-check, so a pass cannot come from the re-check. */
const WATCH_TIMEOUT_MS = 10_000;

function readyCondition(agent: Agent) {
  return agent.status?.conditions?.find((condition) => condition.type === 'Ready');
}

describe('Agent readiness follows referenced Secrets and ConfigMaps', () => {
  let f: Fixture;
  before(async () => {
    f = await Fixture.start();
    await f.namespace(NS);
  });
  after(() => f.stop());

  const waitForReady = (name: string, status: 'True' | 'False', message: string) => {
    let last: ReturnType<typeof readyCondition>;
    return eventually(
      () => `${name}: Ready=${status} "${message}" (last: ${JSON.stringify(last)})`,
      async () => {
        const agent = await f.agent(NS, name);
        last = readyCondition(agent);
        return last?.status === status && last.message === message ? agent : undefined;
      },
      { timeoutMs: WATCH_TIMEOUT_MS },
    );
  };

  test('a missing secretRef turns Ready when the Secret is created, and back when deleted', async () => {
    await f.createAgent(NS, 'keyed', { secretRef: { name: 'api-keys' } });
    await waitForReady('keyed', 'False', 'referenced secret "api-keys" not found');
    await f.core.createNamespacedSecret({
      namespace: NS,
      body: {
        metadata: {
          name: 'api-keys',
          annotations: {
            'kubectl.kubernetes.io/last-applied-configuration': '{"data":{"key":"c2VjcmV0"}}',
          },
        },
        data: { ANTHROPIC_API_KEY: Buffer.from('sk-planted-value').toString('base64') },
      },
    });
    const ready = await waitForReady('keyed', 'True', 'Agent configuration is valid');
    assert.equal(ready.status?.ready, true);

    const cached = f.controller.agentReferences.secrets.get('api-keys', NS);
    assert.deepEqual(cached?.data, { ANTHROPIC_API_KEY: '' });
    assert.equal(
      cached?.metadata?.annotations?.['kubectl.kubernetes.io/last-applied-configuration'],
      undefined,
    );
    assert.doesNotMatch(JSON.stringify(f.controller.agentReferences.secrets.list()), /c2Vj|sk-/);

    await f.core.deleteNamespacedSecret({ namespace: NS, name: 'api-keys' });
    await waitForReady('keyed', 'False', 'referenced secret "api-keys" not found');
  });

  test('a systemPrompt ConfigMap: missing, then without the key, then with it', async () => {
    await f.createAgent(NS, 'prompted', {
      systemPrompt: { configMapRef: { name: 'prompts', key: 'reviewer.md' } },
    });
    await waitForReady('prompted', 'False', 'systemPrompt ConfigMap "prompts" not found');
    await f.core.createNamespacedConfigMap({
      namespace: NS,
      body: { metadata: { name: 'prompts' }, data: { 'other.md': 'be brief' } },
    });
    await waitForReady(
      'prompted',
      'False',
      'key "reviewer.md" not found in systemPrompt ConfigMap "prompts"',
    );
    await f.core.replaceNamespacedConfigMap({
      namespace: NS,
      name: 'prompts',
      body: {
        metadata: { name: 'prompts' },
        data: { 'other.md': 'be brief', 'reviewer.md': 'review carefully' },
      },
    });
    await waitForReady('prompted', 'True', 'Agent configuration is valid');
    assert.deepEqual(f.controller.agentReferences.configMaps.get('prompts', NS)?.data, {
      'other.md': '',
      'reviewer.md': '',
    });
  });

  test('a Secret of the same name in another namespace does not make the Agent Ready', async () => {
    await f.namespace('team-other');
    await f.createAgent(NS, 'elsewhere', { secretRef: { name: 'shared' } });
    await waitForReady('elsewhere', 'False', 'referenced secret "shared" not found');
    await f.core.createNamespacedSecret({
      namespace: 'team-other',
      body: { metadata: { name: 'shared' }, data: {} },
    });
    await eventually('the other namespace Secret is cached', () =>
      f.controller.agentReferences.secrets.get('shared', 'team-other'),
    );
    const agent = await f.agent(NS, 'elsewhere');
    assert.equal(readyCondition(agent)?.message, 'referenced secret "shared" not found');
  });
});

describe('a worker Pod stuck initializing on a FailedMount', () => {
  let f: Fixture;
  before(async () => {
    f = await Fixture.start();
    await f.namespace(NS);
    await f.createAgent(NS, 'coder');
  });
  after(() => f.stop());

  test('fails the Task with "pod stuck initializing for over 2 minutes: <event message>"', async () => {
    await f.createTask(NS, 'mounts');
    const running = await f.waitForPhase(NS, 'mounts', 'Running');
    const jobName = running.status?.jobName ?? '';
    const podName = `${jobName}-x7k2p`;
    const pod = await f.core.createNamespacedPod({
      namespace: NS,
      body: {
        metadata: { name: podName, labels: { 'job-name': jobName, 'orka.ai/task': 'mounts' } },
        spec: { containers: [{ name: 'worker', image: 'worker-claude:test' }] },
      },
    });
    await f.core.replaceNamespacedPodStatus({
      namespace: NS,
      name: podName,
      body: {
        ...pod,
        status: {
          phase: 'Pending',
          containerStatuses: [
            {
              name: 'worker',
              image: 'worker-claude:test',
              imageID: '',
              ready: false,
              restartCount: 0,
              state: { waiting: { reason: 'PodInitializing' } },
            },
          ],
        },
      },
    });
    // The kubelet has been failing to mount for over two minutes; its Event is refreshed.
    f.clock.offsetMs = 3 * 60_000;
    const message = 'MountVolume.SetUp failed for volume "agent-secrets" : secret "gone" not found';
    await f.core.createNamespacedEvent({
      namespace: NS,
      body: {
        metadata: { name: `${podName}.failedmount` },
        involvedObject: { kind: 'Pod', name: podName, namespace: NS },
        reason: 'FailedMount',
        type: 'Warning',
        message,
        lastTimestamp: new Date(f.clock.now() - 10_000),
      },
    });
    const failed = await f.waitForPhase(NS, 'mounts', 'Failed');
    assert.equal(failed.status?.message, `pod stuck initializing for over 2 minutes: ${message}`);
  });
});
