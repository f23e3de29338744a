// The Task lifecycle against the stand-in: Pending → Running → Succeeded/Failed, the finalizer and
// its cleanup, the Agent wait, the policy re-check, type ai, retries and the timeout.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FINALIZER_CLEANUP } from '../../../resources/labels.ts';
import { eventually } from '../../helpers/eventually.ts';
import { Fixture, JOB_FAILED, JOB_SUCCEEDED } from './harness.ts';

describe('Task reconciler: lifecycle', () => {
  let f: Fixture;
  before(async () => {
    f = await Fixture.start();
    await f.namespace('team-a');
    await f.createAgent('team-a', 'coder');
  });
  after(() => f.stop());

  test('Pending → Running with a Job, the finalizer, the worker identity; then Succeeded with the result and transcript', async () => {
    f.store.sessions.getOrCreate('team-a', 'chat-1', { create: true });
    await f.createTask('team-a', 'ok', { sessionRef: { name: 'chat-1' } });
    const running = await f.waitForPhase('team-a', 'ok', 'Running');
    assert.deepEqual(running.metadata?.finalizers, [FINALIZER_CLEANUP]);
    assert.equal(running.status?.attempts, 1);
    const jobName = running.status?.jobName ?? '';
    assert.match(jobName, /^ok-job-[0-9a-f]{8}-0$/);
    const job = await f.batch.readNamespacedJob({ namespace: 'team-a', name: jobName });
    assert.equal(job.metadata?.ownerReferences?.[0]?.name, 'ok');
    assert.equal(job.metadata?.ownerReferences?.[0]?.controller, true);
    const created = running.status?.conditions?.find((c) => c.type === 'JobCreated');
    assert.equal(created?.message, `Job ${jobName} created`);
    await f.core.readNamespacedServiceAccount({ namespace: 'team-a', name: 'orka-worker' });
    const binding = await f.standin.kubeConfig
      .makeApiClient((await import('@kubernetes/client-node')).RbacAuthorizationV1Api)
      .readNamespacedRoleBinding({ namespace: 'team-a', name: 'orka-worker' });
    assert.equal(binding.subjects?.[0]?.name, 'orka-worker');
    assert.equal(f.store.locks.holder('team-a', 'chat-1')?.taskName, 'ok');

    f.store.results.put('team-a', 'ok', 'all tests pass');
    await f.setJobStatus('team-a', jobName, { active: 1 });
    await f.setJobStatus('team-a', jobName, JOB_SUCCEEDED);
    const done = await f.waitForPhase('team-a', 'ok', 'Succeeded');
    assert.equal(done.status?.message, 'task completed successfully');
    assert.deepEqual(done.status?.resultRef, { available: true });
    const complete = done.status?.conditions?.find((c) => c.type === 'Complete');
    assert.equal(complete?.status, 'True');
    assert.equal(complete?.reason, 'TaskSucceeded');
    const transcript = f.store.sessions.loadTranscript('team-a', 'chat-1');
    assert.deepEqual(
      transcript.map((m) => [m.role, m.content]),
      [
        ['user', 'fix the tests'],
        ['assistant', 'all tests pass'],
      ],
    );
    assert.equal(f.store.locks.holder('team-a', 'chat-1'), undefined);
    const agent = await eventually('agent status', async () => {
      const a = await f.agent('team-a', 'coder');
      return a.status?.activeTasks === 0 && a.status.ready ? a : undefined;
    });
    assert.equal(agent.status?.conditions?.[0]?.reason, 'ValidationSucceeded');
  });

  test('a failed Job without retries fails the Task with "job failed"; the result is not available', async () => {
    await f.createTask('team-a', 'broken');
    const running = await f.waitForPhase('team-a', 'broken', 'Running');
    await f.setJobStatus('team-a', running.status?.jobName ?? '', JOB_FAILED);
    const failed = await f.waitForPhase('team-a', 'broken', 'Failed');
    assert.equal(failed.status?.message, 'job failed');
    assert.deepEqual(failed.status?.resultRef, { available: false });
    const complete = failed.status?.conditions?.find((c) => c.type === 'Complete');
    assert.equal(complete?.reason, 'TaskFailed');
  });

  test('retries: a new Job per attempt after the delay, then Failed when the budget is spent', async () => {
    await f.createTask('team-a', 'flaky', {
      retryPolicy: { maxRetries: 1, initialDelay: '1ms', backoffMultiplier: 2 },
    });
    const first = await f.waitForPhase('team-a', 'flaky', 'Running');
    assert.match(first.status?.jobName ?? '', /-0$/);
    await f.setJobStatus('team-a', first.status?.jobName ?? '', JOB_FAILED);
    const second = await f.waitForTask(
      'team-a',
      'flaky',
      (t) => t.status?.phase === 'Running' && t.status.attempts === 2,
      'second attempt running',
    );
    assert.match(second.status?.jobName ?? '', /-1$/);
    await eventually('the failed attempt Job deleted', async () => {
      const names = (await f.jobs('team-a')).map((j) => j.metadata?.name);
      return !names.includes(first.status?.jobName);
    });
    await f.setJobStatus('team-a', second.status?.jobName ?? '', JOB_FAILED);
    const failed = await f.waitForPhase('team-a', 'flaky', 'Failed');
    assert.equal(failed.status?.message, 'job failed');
    assert.equal(failed.status?.attempts, 2);
  });

  test('timeout: a Task past its timeout is Failed "task timed out" and its Job deleted', async () => {
    await f.createTask('team-a', 'slow', { timeout: '10m' });
    const running = await f.waitForPhase('team-a', 'slow', 'Running');
    await f.setJobStatus('team-a', running.status?.jobName ?? '', { active: 1 });
    f.clock.offsetMs = 11 * 60_000;
    try {
      f.controller.taskQueue.add('team-a/slow');
      const failed = await f.waitForPhase('team-a', 'slow', 'Failed');
      assert.equal(failed.status?.message, 'task timed out');
      await eventually('the timed-out Job deleted', async () => {
        const names = (await f.jobs('team-a')).map((j) => j.metadata?.name);
        return !names.includes(running.status?.jobName);
      });
    } finally {
      f.clock.offsetMs = 0;
    }
  });

  test('a Job that exceeded its deadline fails the Task as timed out, without a retry', async () => {
    await f.createTask('team-a', 'deadline', { timeout: '1h', retryPolicy: { maxRetries: 3 } });
    const running = await f.waitForPhase('team-a', 'deadline', 'Running');
    await f.setJobStatus('team-a', running.status?.jobName ?? '', {
      failed: 1,
      conditions: [{ type: 'Failed', status: 'True', reason: 'DeadlineExceeded' }],
    });
    const failed = await f.waitForPhase('team-a', 'deadline', 'Failed');
    assert.equal(failed.status?.message, 'task timed out');
    assert.equal(failed.status?.attempts, 1);
  });

  test('type: ai is Failed "type: ai tasks are not supported yet"', async () => {
    await f.createAgent('team-a', 'chat', {
      runtime: undefined,
      model: { provider: 'openai', name: 'gpt' },
    });
    await f.createTask('team-a', 'ai-task', { type: 'ai', agentRef: { name: 'chat' } });
    const failed = await f.waitForPhase('team-a', 'ai-task', 'Failed');
    assert.equal(failed.status?.message, 'type: ai tasks are not supported yet');
  });

  test('re-check: a codex Agent that forbids Bash fails the Task with the policy message, no Job', async () => {
    await f.createAgent('team-a', 'codex-no-bash', {
      runtime: { type: 'codex', defaultAllowBash: false },
    });
    await f.createTask('team-a', 'codex-task', { agentRef: { name: 'codex-no-bash' } });
    const failed = await f.waitForPhase('team-a', 'codex-task', 'Failed');
    assert.match(failed.status?.message ?? '', /^orka-task-semantics: /);
    assert.equal(failed.status?.attempts, undefined);
    const jobs = (await f.jobs('team-a')).filter((j) => j.metadata?.name?.startsWith('codex-task'));
    assert.deepEqual(jobs, []);
  });

  test('re-check: a sandbox workspace while sandboxes are disabled fails the Task', async () => {
    await f.createTask('team-a', 'sandboxed', {
      execution: { workspace: { enabled: true, templateRef: { name: 'python' } } },
    });
    const failed = await f.waitForPhase('team-a', 'sandboxed', 'Failed');
    assert.equal(
      failed.status?.message,
      'orka-sandbox-workspace: execution workspace requires agent sandbox to be enabled',
    );
  });

  test('a missing Agent keeps the Task Pending with AgentFound=False and an Event; it runs once the Agent exists', async () => {
    await f.createTask('team-a', 'early', { agentRef: { name: 'later' } });
    const waiting = await f.waitForTask(
      'team-a',
      'early',
      (t) =>
        t.status?.conditions?.some((c) => c.type === 'AgentFound' && c.status === 'False') ?? false,
      'AgentFound=False',
    );
    assert.equal(waiting.status?.phase, 'Pending');
    const condition = waiting.status?.conditions?.find((c) => c.type === 'AgentFound');
    assert.equal(condition?.message, 'agent "later" not found in namespace "team-a"');
    const events = await eventually('AgentNotFound event', async () => {
      const list = await f.core.listNamespacedEvent({ namespace: 'team-a' });
      const found = list.items.filter(
        (e) => e.involvedObject.name === 'early' && e.reason === 'AgentNotFound',
      );
      return found.length > 0 ? found : undefined;
    });
    assert.equal(events[0]?.type, 'Warning');
    await f.createAgent('team-a', 'later');
    const running = await f.waitForPhase('team-a', 'early', 'Running');
    const found = running.status?.conditions?.find((c) => c.type === 'AgentFound');
    assert.equal(found?.status, 'True');
  });

  test('deleting a Task removes its store rows and lock, then the finalizer; the Job goes with it', async () => {
    f.store.sessions.getOrCreate('team-a', 'chat-2', { create: true });
    await f.createTask('team-a', 'doomed', { sessionRef: { name: 'chat-2' } });
    const running = await f.waitForPhase('team-a', 'doomed', 'Running');
    f.store.results.put('team-a', 'doomed', 'partial');
    f.store.artifacts.put('team-a', 'doomed', 'diff.patch', 'x', 'text/plain');
    assert.equal(f.store.locks.holder('team-a', 'chat-2')?.taskName, 'doomed');
    await f.custom.deleteNamespacedCustomObject({
      group: 'core.orka.ai',
      version: 'v1alpha1',
      namespace: 'team-a',
      plural: 'tasks',
      name: 'doomed',
    });
    await eventually('Task gone', async () => !(await f.task('team-a', 'doomed')));
    assert.equal(f.store.results.has('team-a', 'doomed'), false);
    assert.deepEqual(f.store.artifacts.list('team-a', 'doomed'), []);
    assert.equal(f.store.locks.holder('team-a', 'chat-2'), undefined);
    await f.standin.settled();
    const names = (await f.jobs('team-a')).map((j) => j.metadata?.name);
    assert.ok(!names.includes(running.status?.jobName), `Job left behind: ${names.join(', ')}`);
  });
});
