// The built Job fits the Kubernetes Job schema as @kubernetes/client-node models it: every field
// name exists in the V1Job model tree and holds a value of the declared kind.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildWorkerJob } from '../../../reconcilers/job/index.ts';
import { config, makeAgent, makeTask, sandboxConfig } from './fixtures.ts';
import { modelProblems } from './kubernetes-model.ts';

describe('the model check itself', () => {
  const cases: [string, unknown, string[]][] = [
    ['a minimal valid Job', { apiVersion: 'batch/v1', kind: 'Job', spec: { backoffLimit: 0 } }, []],
    [
      'an unknown field',
      { spec: { backofLimit: 0 } },
      ['V1Job.spec.backofLimit: not a field of V1JobSpec'],
    ],
    [
      'a wrong primitive',
      { spec: { backoffLimit: '0' } },
      ['V1Job.spec.backoffLimit: expected a number, got string'],
    ],
    [
      'a fraction where an integer belongs',
      { spec: { activeDeadlineSeconds: 1.5 } },
      ['V1Job.spec.activeDeadlineSeconds: expected an integer (int64), got 1.5'],
    ],
    [
      'a nested unknown field in a list',
      { spec: { template: { spec: { containers: [{ name: 'w', imag: 'x' }] } } } },
      ['V1Job.spec.template.spec.containers[0].imag: not a field of V1Container'],
    ],
    [
      'a map value of the wrong kind',
      { metadata: { labels: { a: 1 } } },
      ['V1Job.metadata.labels.a: expected a string, got number'],
    ],
    [
      'an object where a list belongs',
      { spec: { template: { spec: { containers: {} } } } },
      ['V1Job.spec.template.spec.containers: expected an array, got object'],
    ],
  ];
  for (const [name, value, problems] of cases) {
    test(name, () => assert.deepEqual(modelProblems(value, 'V1Job'), problems));
  }
});

describe('built Jobs fit the V1Job model', () => {
  const everything = makeTask(
    {
      env: [
        { name: 'A', value: '1' },
        { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: 1 } } },
      ],
      timeout: '30m',
      secretRef: { name: 'task-key' },
      sessionRef: { name: 's' },
      priorTaskRef: { name: 'p' },
      workspace: { gitRepo: 'r', branch: 'b', gitSecretRef: { name: 'g' }, pushBranch: 'x' },
      resources: { limits: { cpu: 2, memory: '1Gi' }, requests: { cpu: '500m' } },
      execution: {
        runtimeClassName: 'gvisor',
        nodeSelector: { pool: 'sandbox' },
        tolerations: [
          { key: 'k', operator: 'Exists', effect: 'NoSchedule', tolerationSeconds: 30 },
        ],
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [
                { matchExpressions: [{ key: 'pool', operator: 'In', values: ['sandbox'] }] },
              ],
            },
          },
        },
        workspace: { enabled: true, templateRef: { name: 't' }, reusePolicy: 'session' },
      },
      transaction: { id: 't', profile: 'kontxt', scopes: ['a'] },
    },
    {
      annotations: {
        'orka.ai/transaction-token-secret': 'tok',
        'orka.ai/parent-task-name': 'parent',
      },
    },
  );
  const cases = [
    ['plain Task, no Agent', buildWorkerJob(makeTask(), undefined, config)],
    [
      'every feature at once',
      buildWorkerJob(
        everything,
        makeAgent({
          systemPrompt: { configMapRef: { name: 'c', key: 'k' } },
          model: { name: 'm' },
        }),
        sandboxConfig,
      ),
    ],
  ] as const;
  for (const [name, job] of cases) {
    test(name, () => assert.deepEqual(modelProblems(JSON.parse(JSON.stringify(job)), 'V1Job'), []));
  }
});
