// CRD validation rules (x-kubernetes-validations) enforced by the stand-in with Orka's CEL engine,
// as an apiserver enforces them: Orka's own CRDs (Task immutability and ref-xor-branch), rules
// without a message, transition rules only on UPDATE, uncompilable rules refused with the CRD,
// and ignoreCelRules switching all of it off.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  ApiextensionsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { buildCrd } from '../../../resources/crd.ts';
import { KINDS } from '../../../resources/kinds.ts';
import { DevCluster } from '../../../webhooks/dev-cluster.ts';
import { type KubeStandin, startKubeStandin } from '../../kube/index.ts';
import { rejectsWithStatus } from './helpers.ts';

const TASKS = { group: 'core.orka.ai', version: 'v1alpha1', plural: 'tasks', namespace: 'cel' };

const taskSpec = (extra: Record<string, unknown> = {}) => ({
  type: 'agent',
  agentRef: { name: 'claude-agent' },
  prompt: 'Fix the tests',
  ...extra,
});

/** Orka's CRDs exactly as generated (raw JSON keeps x-kubernetes-validations). */
async function installOrkaCrds(standin: KubeStandin): Promise<void> {
  await new DevCluster(standin.kubeConfig).applyCrds(KINDS.map((kind) => buildCrd(kind)));
}

describe('kube stand-in: CEL rules of Orka CRDs', () => {
  let standin: KubeStandin;
  let custom: CustomObjectsApi;
  before(async () => {
    standin = await startKubeStandin();
    await installOrkaCrds(standin);
    await standin.kubeConfig
      .makeApiClient(CoreV1Api)
      .createNamespace({ body: { metadata: { name: 'cel' } } });
    custom = standin.kubeConfig.makeApiClient(CustomObjectsApi);
  });
  after(() => standin.stop());

  const create = (name: string, spec: Record<string, unknown>) =>
    custom.createNamespacedCustomObject({
      ...TASKS,
      body: { apiVersion: 'core.orka.ai/v1alpha1', kind: 'Task', metadata: { name }, spec },
    });
  const mergePatch = (name: string, body: unknown) =>
    custom.patchNamespacedCustomObject(
      { ...TASKS, name, body },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );

  const refusedCreates = [
    {
      name: 'ref-and-branch',
      spec: taskSpec({ workspace: { gitRepo: 'https://g/r', ref: 'v1', branch: 'main' } }),
      message:
        'spec.workspace: Invalid value: "object": ref and branch are mutually exclusive: set one of them',
    },
    {
      name: 'nested-ref-and-branch',
      spec: taskSpec({ agentRuntime: { workspace: { ref: 'v1', branch: 'main' } } }),
      message:
        'spec.agentRuntime.workspace: Invalid value: "object": ref and branch are mutually exclusive: set one of them',
    },
    {
      name: 'empty-prompt',
      spec: taskSpec({ prompt: '' }),
      message: 'spec.prompt: Required value: prompt is required for type: agent tasks',
    },
  ];
  for (const { name, spec, message } of refusedCreates) {
    test(`CREATE ${name} is refused with the rule's message and field`, async () => {
      const status = await rejectsWithStatus(create(name, spec), 422, 'Invalid');
      assert.equal(status.message, `Task.core.orka.ai "${name}" is invalid: ${message}`);
    });
  }

  const allowedCreates = [
    { name: 'ref-only', spec: taskSpec({ workspace: { gitRepo: 'https://g/r', ref: 'v1' } }) },
    {
      name: 'empty-ref-with-branch',
      spec: taskSpec({ workspace: { gitRepo: 'https://g/r', ref: '', branch: 'main' } }),
    },
    {
      name: 'with-requested-by',
      spec: taskSpec({ requestedBy: { username: 'alice', groups: ['g'] } }),
    },
  ];
  for (const { name, spec } of allowedCreates) {
    test(`CREATE ${name} passes (transition rules do not run on CREATE)`, async () => {
      assert.ok(await create(name, spec));
    });
  }

  test('requestedBy and transaction are immutable on UPDATE; other changes pass', async () => {
    await create(
      'immutable',
      taskSpec({ requestedBy: { username: 'alice', groups: ['g'] }, transaction: { id: 't-1' } }),
    );
    const changed = await rejectsWithStatus(
      mergePatch('immutable', { spec: { requestedBy: { username: 'mallory' } } }),
      422,
      'Invalid',
    );
    assert.equal(
      changed.message,
      'Task.core.orka.ai "immutable" is invalid: spec: Invalid value: "object": requestedBy is immutable',
    );
    const removed = await rejectsWithStatus(
      mergePatch('immutable', { spec: { transaction: null } }),
      422,
      'Invalid',
    );
    assert.match(removed.message, /spec: Invalid value: "object": transaction is immutable$/);
    const added = await rejectsWithStatus(
      mergePatch('with-requested-by', { spec: { transaction: { id: 't-2' } } }),
      422,
    );
    assert.match(added.message, /transaction is immutable/);
    const prompt = (await mergePatch('immutable', { spec: { prompt: 'Fix it better' } })) as {
      spec: { prompt: string };
    };
    assert.equal(prompt.spec.prompt, 'Fix it better');
  });

  test('a status write is not refused by the spec rules', async () => {
    const written = (await custom.patchNamespacedCustomObjectStatus(
      { ...TASKS, name: 'immutable', body: { status: { phase: 'Pending' } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )) as { status: { phase: string } };
    assert.equal(written.status.phase, 'Pending');
  });

  test('dry-run writes are held to the same rules', async () => {
    await rejectsWithStatus(
      custom.createNamespacedCustomObject({
        ...TASKS,
        dryRun: 'All',
        body: {
          apiVersion: 'core.orka.ai/v1alpha1',
          kind: 'Task',
          metadata: { name: 'dry' },
          spec: taskSpec({ prompt: '' }),
        },
      }),
      422,
      'Invalid',
    );
  });
});

/** A cluster-scoped Gadget whose root carries `rules` (client-node spelling of the key). */
function gadgetCrd(rules: Array<Record<string, unknown>>) {
  return {
    metadata: { name: 'gadgets.example.com' },
    spec: {
      group: 'example.com',
      names: { plural: 'gadgets', kind: 'Gadget' },
      scope: 'Cluster',
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: {
                  type: 'object',
                  x_kubernetes_validations: rules,
                  properties: {
                    a: { type: 'integer' },
                    items: { type: 'array', items: { type: 'string' } },
                  },
                },
              },
            },
          },
        },
      ],
    },
  };
}

describe('kube stand-in: CEL rules of any CRD', () => {
  const GADGETS = { group: 'example.com', version: 'v1', plural: 'gadgets' };
  const gadget = (name: string, spec: Record<string, unknown>) => ({
    apiVersion: 'example.com/v1',
    kind: 'Gadget',
    metadata: { name },
    spec,
  });

  test('a rule without a message fails with "failed rule: <rule>"; integers are CEL ints', async () => {
    const standin = await startKubeStandin();
    try {
      await standin.kubeConfig.makeApiClient(ApiextensionsV1Api).createCustomResourceDefinition({
        body: gadgetCrd([
          { rule: 'self.a == 1' },
          { rule: "!has(self.items) || size(self.items) <= 2 || self.items[0] == 'x'" },
        ]) as never,
      });
      const custom = standin.kubeConfig.makeApiClient(CustomObjectsApi);
      assert.ok(
        await custom.createClusterCustomObject({ ...GADGETS, body: gadget('ok', { a: 1 }) }),
      );
      const status = await rejectsWithStatus(
        custom.createClusterCustomObject({
          ...GADGETS,
          body: gadget('bad', { a: 2, items: ['a', 'b', 'c'] }),
        }),
        422,
        'Invalid',
      );
      assert.equal(
        status.message,
        `Gadget.example.com "bad" is invalid: [spec: Invalid value: "object": failed rule: self.a == 1, spec: Invalid value: "object": failed rule: !has(self.items) || size(self.items) <= 2 || self.items[0] == 'x']`,
      );
    } finally {
      await standin.stop();
    }
  });

  test('a CRD with a rule that does not compile is refused, naming the rule', async () => {
    const standin = await startKubeStandin();
    try {
      const status = await rejectsWithStatus(
        standin.kubeConfig.makeApiClient(ApiextensionsV1Api).createCustomResourceDefinition({
          body: gadgetCrd([{ rule: 'self.a ==' }]) as never,
        }),
        422,
        'Invalid',
      );
      assert.match(
        status.message,
        /spec\.versions\[0\]\.schema\.openAPIV3Schema\.properties\[spec\]\.x-kubernetes-validations\[0\]\.rule: Invalid value: "self\.a ==": compilation failed: /,
      );
    } finally {
      await standin.stop();
    }
  });

  test('ignoreCelRules accepts such a CRD and enforces none of its rules', async () => {
    const standin = await startKubeStandin({ ignoreCelRules: true });
    try {
      await standin.kubeConfig.makeApiClient(ApiextensionsV1Api).createCustomResourceDefinition({
        body: gadgetCrd([{ rule: 'self.a ==' }, { rule: 'self.a == 1' }]) as never,
      });
      const custom = standin.kubeConfig.makeApiClient(CustomObjectsApi);
      assert.ok(
        await custom.createClusterCustomObject({ ...GADGETS, body: gadget('any', { a: 5 }) }),
      );
    } finally {
      await standin.stop();
    }
  });
});
