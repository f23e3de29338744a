// The builder is a pure function (same input → deep-equal output; inputs untouched), and Secrets
// reach the Job only as references, never as values.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { buildWorkerJob } from '../../../reconcilers/job/index.ts';
import { config, makeAgent, makeTask, sandboxConfig } from './fixtures.ts';

const richTask = () =>
  makeTask(
    {
      env: [{ name: 'A', value: '1' }],
      timeout: '30m',
      secretRef: { name: 'task-key' },
      sessionRef: { name: 's' },
      agentRuntime: {
        allowedTools: ['Read', 'Bash'],
        disallowedTools: ['WebFetch'],
        workspace: { gitRepo: 'r', gitSecretRef: { name: 'g' } },
      },
      execution: {
        nodeSelector: { a: 'b' },
        tolerations: [{ key: 'k', operator: 'Exists' }],
        workspace: { enabled: true, templateRef: { name: 't' } },
      },
      transaction: { id: 't', scopes: ['a', 'b'] },
    },
    { annotations: { 'orka.ai/transaction-token-secret': 'tok' } },
  );
const richAgent = () =>
  makeAgent({
    secretRef: { name: 'agent-key' },
    execution: { runtimeClassName: 'gvisor', affinity: { nodeAffinity: {} } },
    resources: { limits: { memory: '1Gi' } },
    runtime: { type: 'codex', defaultAllowedTools: ['Read'] },
  });

describe('purity', () => {
  test('same input → deep-equal output, and the inputs are not modified', () => {
    const task = richTask();
    const agent = richAgent();
    const cfg = structuredClone(sandboxConfig);
    const [taskBefore, agentBefore, configBefore] = [
      structuredClone(task),
      structuredClone(agent),
      structuredClone(cfg),
    ];
    const first = buildWorkerJob(task, agent, cfg);
    const second = buildWorkerJob(task, agent, cfg);
    assert.deepEqual(first, second);
    assert.deepEqual(task, taskBefore);
    assert.deepEqual(agent, agentBefore);
    assert.deepEqual(cfg, configBefore);
  });

  test('the Job shares no objects with its inputs (changing it changes nothing else)', () => {
    const task = richTask();
    const agent = richAgent();
    const taskBefore = structuredClone(task);
    const agentBefore = structuredClone(agent);
    const job = buildWorkerJob(task, agent, sandboxConfig);
    const pod = job.spec!.template.spec!;
    pod.tolerations![0]!.key = 'changed';
    pod.nodeSelector!.a = 'changed';
    (pod.affinity as Record<string, unknown>).extra = true;
    pod.containers[0]!.env![5]!.value = 'changed';
    pod.containers[0]!.resources!.limits!.memory = '9Gi';
    job.metadata!.labels!['orka.ai/task'] = 'changed';
    assert.deepEqual(task, taskBefore);
    assert.deepEqual(agent, agentBefore);
    assert.notDeepEqual(job, buildWorkerJob(task, agent, sandboxConfig));
  });

  test('for arbitrary prompts, tool lists and timeouts the output is deterministic', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.array(fc.constantFrom('Read', 'Write', 'Bash', 'Grep', 'WebFetch')),
        fc.array(fc.constantFrom('Bash', 'WebFetch')),
        fc.integer({ min: 1, max: 100_000 }),
        (prompt, allowedTools, disallowedTools, seconds) => {
          const task = makeTask({
            prompt,
            timeout: `${seconds}s`,
            agentRuntime: { allowedTools, disallowedTools },
          });
          const before = structuredClone(task);
          const job = buildWorkerJob(task, richAgent(), config);
          assert.deepEqual(job, buildWorkerJob(structuredClone(task), richAgent(), config));
          assert.deepEqual(task, before);
          assert.equal(job.spec!.activeDeadlineSeconds, seconds);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('Secrets are references only', () => {
  test('no Secret data or value appears anywhere in the Job', () => {
    const job = JSON.stringify(buildWorkerJob(richTask(), richAgent(), sandboxConfig));
    for (const forbidden of ['"data"', '"stringData"', 'secretKeyRef']) {
      assert.ok(!job.includes(forbidden), `${forbidden} found`);
    }
  });

  test('every Secret the Job touches is named by a reference the Task or Agent made', () => {
    const job = buildWorkerJob(richTask(), richAgent(), sandboxConfig);
    const pod = job.spec!.template.spec!;
    const referenced = new Set([
      ...pod.volumes!.flatMap((volume) => (volume.secret ? [volume.secret.secretName] : [])),
      ...pod.containers.flatMap((c) => (c.envFrom ?? []).map((source) => source.secretRef!.name)),
    ]);
    assert.deepEqual([...referenced].sort(), ['g', 'task-key', 'tok']);
  });

  test('a Task env secretKeyRef stays a reference (Kubernetes resolves it), never a value', () => {
    const ref = { name: 'API', valueFrom: { secretKeyRef: { name: 'mine', key: 'k' } } };
    const job = buildWorkerJob(makeTask({ env: [ref] }), makeAgent(), config);
    const api = job.spec!.template.spec!.containers[0]!.env!.find(
      (variable) => variable.name === 'API',
    );
    assert.deepEqual(api, ref);
  });
});
