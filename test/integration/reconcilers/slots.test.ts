// Slots and sessions by priority (DESIGN §6, X2): with --max-tasks-per-namespace 1 and a Task
// running, later Tasks start in priority order, then creation order; a contended session goes to
// its waiting Tasks in the same order.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually } from '../../helpers/eventually.ts';
import { Fixture, JOB_SUCCEEDED } from './harness.ts';

async function finish(f: Fixture, namespace: string, name: string): Promise<void> {
  const task = await f.waitForPhase(namespace, name, 'Running');
  await f.setJobStatus(namespace, task.status?.jobName ?? '', JOB_SUCCEEDED);
  await f.waitForPhase(namespace, name, 'Succeeded');
}

async function waitingFor(f: Fixture, namespace: string, name: string, reason: string) {
  return f.waitForTask(
    namespace,
    name,
    (t) =>
      t.status?.conditions?.some((c) => c.type === 'Scheduled' && c.reason === reason) ?? false,
    `waiting (${reason})`,
  );
}

const jobOwner = (job: string) => job.replace(/-job-[0-9a-f]{8}-\d+$/, '');

describe('Task reconciler: slots by priority', () => {
  let f: Fixture;
  before(async () => {
    f = await Fixture.start({ maxTasksPerNamespace: 1 });
    for (const ns of ['prio', 'fifo', 'session']) {
      await f.namespace(ns);
      await f.createAgent(ns, 'coder');
    }
  });
  after(() => f.stop());

  test('limit 1, one Task running: A (priority 100) then B (900) are created; B gets its Job first', async () => {
    const created = await f.watchJobCreations('prio');
    await f.createTask('prio', 'first');
    await f.waitForPhase('prio', 'first', 'Running');
    await f.createTask('prio', 'a', { priority: 100 });
    await waitingFor(f, 'prio', 'a', 'WaitingForSlot');
    await f.createTask('prio', 'b', { priority: 900 });
    const b = await waitingFor(f, 'prio', 'b', 'WaitingForSlot');
    assert.equal(b.status?.phase, 'Pending');
    await finish(f, 'prio', 'first');
    await f.waitForPhase('prio', 'b', 'Running');
    assert.equal((await f.task('prio', 'a'))?.status?.phase, 'Pending');
    await finish(f, 'prio', 'b');
    await finish(f, 'prio', 'a');
    await eventually('three Jobs seen', () => created.length === 3);
    assert.deepEqual(created.map(jobOwner), ['first', 'b', 'a']);
  });

  test('equal priority is first come, first served by creation time', async () => {
    const created = await f.watchJobCreations('fifo');
    await f.createTask('fifo', 'running');
    await f.waitForPhase('fifo', 'running', 'Running');
    await f.createTask('fifo', 'zeta');
    await waitingFor(f, 'fifo', 'zeta', 'WaitingForSlot');
    // creationTimestamp has whole seconds: make the second Task visibly younger
    await new Promise((r) => setTimeout(r, 1100));
    await f.createTask('fifo', 'alpha');
    await waitingFor(f, 'fifo', 'alpha', 'WaitingForSlot');
    await finish(f, 'fifo', 'running');
    await finish(f, 'fifo', 'zeta');
    await finish(f, 'fifo', 'alpha');
    await eventually('three Jobs seen', () => created.length === 3);
    assert.deepEqual(created.map(jobOwner), ['running', 'zeta', 'alpha']);
  });

  test('a contended session goes to its waiting Tasks by priority; the holder keeps its lock', async () => {
    f.store.sessions.getOrCreate('session', 'shared', { create: true });
    const created = await f.watchJobCreations('session');
    const ref = { sessionRef: { name: 'shared' } };
    await f.createTask('session', 'holder', ref);
    await f.waitForPhase('session', 'holder', 'Running');
    assert.equal(f.store.locks.holder('session', 'shared')?.taskName, 'holder');
    await f.createTask('session', 'low', { ...ref, priority: 10 });
    const low = await waitingFor(f, 'session', 'low', 'WaitingForSession');
    assert.equal(low.status?.phase, 'Pending');
    await f.createTask('session', 'high', { ...ref, priority: 990 });
    await waitingFor(f, 'session', 'high', 'WaitingForSession');
    await finish(f, 'session', 'holder');
    await f.waitForPhase('session', 'high', 'Running');
    assert.equal(f.store.locks.holder('session', 'shared')?.taskName, 'high');
    await finish(f, 'session', 'high');
    await finish(f, 'session', 'low');
    await eventually('three Jobs seen', () => created.length === 3);
    assert.deepEqual(created.map(jobOwner), ['holder', 'high', 'low']);
    assert.equal(f.store.locks.holder('session', 'shared'), undefined);
  });
});

describe('Task reconciler: sessions without a limit', () => {
  let f: Fixture;
  before(async () => {
    f = await Fixture.start();
    await f.namespace('s2');
    await f.createAgent('s2', 'coder');
  });
  after(() => f.stop());

  test('a session serves one Task at a time, then the waiting Tasks by priority', async () => {
    f.store.sessions.getOrCreate('s2', 'shared', { create: true });
    const created = await f.watchJobCreations('s2');
    const ref = { sessionRef: { name: 'shared' } };
    await f.createTask('s2', 'one', ref);
    await f.waitForPhase('s2', 'one', 'Running');
    await f.createTask('s2', 'low', { ...ref, priority: 1 });
    const low = await waitingFor(f, 's2', 'low', 'WaitingForSession');
    assert.match(
      low.status?.conditions?.find((c) => c.type === 'Scheduled')?.message ?? '',
      /session s2\/shared/,
    );
    await f.createTask('s2', 'high', { ...ref, priority: 1000 });
    await waitingFor(f, 's2', 'high', 'WaitingForSession');
    await finish(f, 's2', 'one');
    await finish(f, 's2', 'high');
    await finish(f, 's2', 'low');
    await eventually('three Jobs seen', () => created.length === 3);
    assert.deepEqual(created.map(jobOwner), ['one', 'high', 'low']);
  });

  test('a missing session with create=false fails the Task', async () => {
    await f.createTask('s2', 'no-session', { sessionRef: { name: 'nowhere' } });
    const failed = await f.waitForPhase('s2', 'no-session', 'Failed');
    assert.match(failed.status?.message ?? '', /session nowhere not found in namespace s2/);
  });
});
