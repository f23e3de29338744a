import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ControllerMetrics } from '../../../reconcilers/metrics.ts';
import { WorkQueue } from '../../../reconcilers/runtime/queue.ts';
import type { Task } from '../../../resources/types.ts';

const task = (phase?: string) => ({ status: phase ? { phase } : undefined }) as Task;

describe('ControllerMetrics', () => {
  test('reconcile durations are histograms by controller and result', () => {
    const metrics = new ControllerMetrics();
    metrics.observeReconcile('task', 'done', 0.003);
    metrics.observeReconcile('task', 'done', 0.2);
    metrics.observeReconcile('agent', 'error', 0.02);
    const text = metrics.render();
    assert.match(text, /# TYPE orka_controller_reconcile_duration_seconds histogram/);
    assert.match(
      text,
      /orka_controller_reconcile_duration_seconds_bucket\{controller="task",result="done",le="0\.005"\} 1\n/,
    );
    assert.match(
      text,
      /orka_controller_reconcile_duration_seconds_count\{controller="task",result="done"\} 2\n/,
    );
    assert.match(
      text,
      /orka_controller_reconcile_duration_seconds_count\{controller="agent",result="error"\} 1\n/,
    );
  });

  test('queue depth and Tasks by phase are read when scraped; known phases show 0', () => {
    const metrics = new ControllerMetrics();
    const tasks = new WorkQueue();
    const tasksInCache = [task('Running'), task('Running'), task()];
    metrics.attach({ queues: { task: tasks, agent: new WorkQueue() }, tasks: () => tasksInCache });
    tasks.add('team-a/one');
    tasks.add('team-a/two');
    metrics.jobsCreated.inc({ namespace: 'team-a' });
    const text = metrics.render();
    assert.match(text, /orka_controller_workqueue_depth\{controller="task"\} 2\n/);
    assert.match(text, /orka_controller_workqueue_depth\{controller="agent"\} 0\n/);
    assert.match(text, /orka_controller_tasks\{phase="Running"\} 2\n/);
    assert.match(text, /orka_controller_tasks\{phase="Succeeded"\} 0\n/);
    assert.match(text, /orka_controller_tasks\{phase=""\} 1\n/);
    assert.match(text, /orka_controller_jobs_created_total\{namespace="team-a"\} 1\n/);
  });
});
