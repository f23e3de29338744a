import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BatchV1Api, CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { eventually } from '../../helpers/eventually.ts';
import { type KubeStandin, startKubeStandin } from '../../kube/index.ts';
import { rejectsWithStatus } from './helpers.ts';

const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const pod = (name: string, extra: Record<string, unknown> = {}) => ({
  metadata: { name, ...extra },
  spec: { containers: [{ name: 'c', image: 'i' }] },
});

describe('kube stand-in: status, finalizers, garbage collection', () => {
  let standin: KubeStandin;
  let core: CoreV1Api;
  let batch: BatchV1Api;
  before(async () => {
    standin = await startKubeStandin();
    core = standin.kubeConfig.makeApiClient(CoreV1Api);
    batch = standin.kubeConfig.makeApiClient(BatchV1Api);
    await core.createNamespace({ body: { metadata: { name: 'life' } } });
  });
  after(() => standin.stop());

  test('main-resource writes ignore status; status writes ignore spec; generation follows spec only', async () => {
    const job = await batch.createNamespacedJob({
      namespace: 'life',
      body: {
        metadata: { name: 'j' },
        spec: {
          template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'i' }] } },
        },
        status: { active: 9 },
      },
    });
    assert.equal(job.status!.active, undefined);
    assert.equal(job.metadata!.generation, 1);
    assert.equal(job.spec!.backoffLimit, 6);
    assert.equal(job.spec!.template.metadata!.labels!['job-name'], 'j');
    const statusWrite = await batch.patchNamespacedJobStatus(
      { namespace: 'life', name: 'j', body: { spec: { parallelism: 5 }, status: { active: 1 } } },
      MERGE,
    );
    assert.equal(statusWrite.status!.active, 1);
    assert.equal(statusWrite.spec!.parallelism, 1);
    assert.equal(statusWrite.metadata!.generation, 1);
    const mainWrite = await batch.patchNamespacedJob(
      { namespace: 'life', name: 'j', body: { spec: { parallelism: 2 }, status: { active: 7 } } },
      MERGE,
    );
    assert.equal(mainWrite.status!.active, 1);
    assert.equal(mainWrite.spec!.parallelism, 2);
    assert.equal(mainWrite.metadata!.generation, 2);
    const labelOnly = await batch.patchNamespacedJob(
      { namespace: 'life', name: 'j', body: { metadata: { labels: { x: 'y' } } } },
      MERGE,
    );
    assert.equal(labelOnly.metadata!.generation, 2);
  });

  test('pods start Pending; status.phase is set through the status subresource', async () => {
    const created = await core.createNamespacedPod({ namespace: 'life', body: pod('phase') });
    assert.equal(created.status!.phase, 'Pending');
    const running = await core.replaceNamespacedPodStatus({
      namespace: 'life',
      name: 'phase',
      body: { ...created, status: { phase: 'Running' } },
    });
    assert.equal(running.status!.phase, 'Running');
  });

  test('DELETE of an object with finalizers sets deletionTimestamp; removing the last finalizer deletes it', async () => {
    await core.createNamespacedConfigMap({
      namespace: 'life',
      body: { metadata: { name: 'fin', finalizers: ['example.com/a', 'example.com/b'] } },
    });
    const deleting = await core.deleteNamespacedConfigMap({ namespace: 'life', name: 'fin' });
    assert.equal(
      deleting.status,
      undefined,
      'the object, not a Status, comes back while finalizers remain',
    );
    const read = await core.readNamespacedConfigMap({ namespace: 'life', name: 'fin' });
    assert.ok(read.metadata!.deletionTimestamp instanceof Date);
    const status = await rejectsWithStatus(
      core.patchNamespacedConfigMap(
        {
          namespace: 'life',
          name: 'fin',
          body: { metadata: { finalizers: ['example.com/a', 'example.com/b', 'example.com/c'] } },
        },
        MERGE,
      ),
      422,
      'Invalid',
    );
    assert.match(status.message, /no new finalizers can be added if the object is being deleted/);
    await core.patchNamespacedConfigMap(
      { namespace: 'life', name: 'fin', body: { metadata: { finalizers: ['example.com/b'] } } },
      MERGE,
    );
    assert.ok(await core.readNamespacedConfigMap({ namespace: 'life', name: 'fin' }));
    await core.patchNamespacedConfigMap(
      { namespace: 'life', name: 'fin', body: { metadata: { finalizers: null } } },
      MERGE,
    );
    await rejectsWithStatus(core.readNamespacedConfigMap({ namespace: 'life', name: 'fin' }), 404);
  });

  test('background propagation deletes dependents whose owners are all gone', async () => {
    const owner = await core.createNamespacedConfigMap({
      namespace: 'life',
      body: { metadata: { name: 'owner' } },
    });
    const ref = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      name: 'owner',
      uid: owner.metadata!.uid!,
      controller: true,
    };
    const other = await core.createNamespacedConfigMap({
      namespace: 'life',
      body: { metadata: { name: 'other-owner' } },
    });
    const otherRef = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      name: 'other-owner',
      uid: other.metadata!.uid!,
    };
    await core.createNamespacedPod({
      namespace: 'life',
      body: pod('dependent', { ownerReferences: [ref] }),
    });
    await core.createNamespacedPod({
      namespace: 'life',
      body: pod('two-owners', { ownerReferences: [ref, otherRef] }),
    });
    await core.deleteNamespacedConfigMap({
      namespace: 'life',
      name: 'owner',
      propagationPolicy: 'Background',
    });
    await standin.settled();
    await rejectsWithStatus(core.readNamespacedPod({ namespace: 'life', name: 'dependent' }), 404);
    assert.ok(await core.readNamespacedPod({ namespace: 'life', name: 'two-owners' }));
  });

  test('foreground propagation keeps the owner (with deletionTimestamp) until dependents are gone', async () => {
    const owner = await core.createNamespacedConfigMap({
      namespace: 'life',
      body: { metadata: { name: 'fg-owner' } },
    });
    const ref = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      name: 'fg-owner',
      uid: owner.metadata!.uid!,
      blockOwnerDeletion: true,
    };
    await core.createNamespacedPod({
      namespace: 'life',
      body: pod('fg-dep', { ownerReferences: [ref], finalizers: ['example.com/hold'] }),
    });
    await core.deleteNamespacedConfigMap({
      namespace: 'life',
      name: 'fg-owner',
      propagationPolicy: 'Foreground',
    });
    await standin.settled();
    const waiting = await core.readNamespacedConfigMap({ namespace: 'life', name: 'fg-owner' });
    assert.deepEqual(waiting.metadata!.finalizers, ['foregroundDeletion']);
    const dep = await core.readNamespacedPod({ namespace: 'life', name: 'fg-dep' });
    assert.ok(dep.metadata!.deletionTimestamp);
    await core.patchNamespacedPod(
      { namespace: 'life', name: 'fg-dep', body: { metadata: { finalizers: null } } },
      MERGE,
    );
    await standin.settled();
    await rejectsWithStatus(
      core.readNamespacedConfigMap({ namespace: 'life', name: 'fg-owner' }),
      404,
    );
  });

  test('orphan propagation removes the owner and strips the reference from dependents', async () => {
    const owner = await core.createNamespacedConfigMap({
      namespace: 'life',
      body: { metadata: { name: 'orphaner' } },
    });
    const ref = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      name: 'orphaner',
      uid: owner.metadata!.uid!,
    };
    await core.createNamespacedPod({
      namespace: 'life',
      body: pod('orphan', { ownerReferences: [ref] }),
    });
    await core.deleteNamespacedConfigMap({
      namespace: 'life',
      name: 'orphaner',
      propagationPolicy: 'Orphan',
    });
    await standin.settled();
    await rejectsWithStatus(
      core.readNamespacedConfigMap({ namespace: 'life', name: 'orphaner' }),
      404,
    );
    const orphan = await core.readNamespacedPod({ namespace: 'life', name: 'orphan' });
    assert.equal(orphan.metadata!.ownerReferences, undefined);
  });

  test('jobs default to orphaning their pods, as the batch API does; Background deletes them', async () => {
    const job = await batch.createNamespacedJob({
      namespace: 'life',
      body: {
        metadata: { name: 'jg' },
        spec: {
          template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'i' }] } },
        },
      },
    });
    const ref = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      name: 'jg',
      uid: job.metadata!.uid!,
      controller: true,
    };
    await core.createNamespacedPod({
      namespace: 'life',
      body: pod('jg-pod', { ownerReferences: [ref] }),
    });
    await batch.deleteNamespacedJob({ namespace: 'life', name: 'jg' });
    await standin.settled();
    assert.equal(
      (await core.readNamespacedPod({ namespace: 'life', name: 'jg-pod' })).metadata!
        .ownerReferences,
      undefined,
    );
    const job2 = await batch.createNamespacedJob({
      namespace: 'life',
      body: {
        metadata: { name: 'jg2' },
        spec: {
          template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'i' }] } },
        },
      },
    });
    await core.createNamespacedPod({
      namespace: 'life',
      body: pod('jg2-pod', {
        ownerReferences: [{ ...ref, name: 'jg2', uid: job2.metadata!.uid! }],
      }),
    });
    await batch.deleteNamespacedJob({
      namespace: 'life',
      name: 'jg2',
      propagationPolicy: 'Background',
    });
    await standin.settled();
    await rejectsWithStatus(core.readNamespacedPod({ namespace: 'life', name: 'jg2-pod' }), 404);
  });

  test('deleting a namespace terminates it, removes its content, then the namespace', async () => {
    await core.createNamespace({ body: { metadata: { name: 'doomed' } } });
    await core.createNamespacedConfigMap({
      namespace: 'doomed',
      body: { metadata: { name: 'c' } },
    });
    await core.createNamespacedConfigMap({
      namespace: 'doomed',
      body: { metadata: { name: 'held', finalizers: ['example.com/hold'] } },
    });
    await core.deleteNamespace({ name: 'doomed' });
    await standin.settled();
    const ns = await core.readNamespace({ name: 'doomed' });
    assert.equal(ns.status!.phase, 'Terminating');
    const status = await rejectsWithStatus(
      core.createNamespacedConfigMap({ namespace: 'doomed', body: { metadata: { name: 'late' } } }),
      403,
      'Forbidden',
    );
    assert.match(
      status.message,
      /unable to create new content in namespace doomed because it is being terminated/,
    );
    await core.patchNamespacedConfigMap(
      { namespace: 'doomed', name: 'held', body: { metadata: { finalizers: null } } },
      MERGE,
    );
    await standin.settled();
    await rejectsWithStatus(core.readNamespace({ name: 'doomed' }), 404);
  });

  test('a new namespace gets its metadata.name label and a default ServiceAccount', async () => {
    const ns = await core.createNamespace({ body: { metadata: { name: 'fresh' } } });
    assert.equal(ns.metadata!.labels!['kubernetes.io/metadata.name'], 'fresh');
    assert.equal(ns.status!.phase, 'Active');
    assert.ok(await core.readNamespacedServiceAccount({ namespace: 'fresh', name: 'default' }));
  });

  test('delete preconditions on uid are checked', async () => {
    await core.createNamespacedConfigMap({
      namespace: 'life',
      body: { metadata: { name: 'pre' } },
    });
    await rejectsWithStatus(
      core.deleteNamespacedConfigMap({
        namespace: 'life',
        name: 'pre',
        body: { preconditions: { uid: 'wrong' } },
      }),
      409,
      'Conflict',
    );
  });

  test('pods/log serves the text set for the pod, with tailLines', async () => {
    await core.createNamespacedPod({ namespace: 'life', body: pod('logger') });
    standin.setPodLog('life', 'logger', 'one\ntwo\nthree\n');
    assert.equal(
      await core.readNamespacedPodLog({ namespace: 'life', name: 'logger' }),
      'one\ntwo\nthree\n',
    );
    assert.equal(
      await core.readNamespacedPodLog({ namespace: 'life', name: 'logger', tailLines: 2 }),
      'two\nthree\n',
    );
    await rejectsWithStatus(core.readNamespacedPodLog({ namespace: 'life', name: 'absent' }), 404);
  });

  test('failNext makes the next matching requests fail, then stops', async () => {
    standin.failNext({ verb: 'get', resource: 'configmaps', count: 2, code: 503 });
    await core.createNamespacedConfigMap({
      namespace: 'life',
      body: { metadata: { name: 'flaky' } },
    });
    await rejectsWithStatus(
      core.readNamespacedConfigMap({ namespace: 'life', name: 'flaky' }),
      503,
      'ServiceUnavailable',
    );
    await rejectsWithStatus(
      core.readNamespacedConfigMap({ namespace: 'life', name: 'flaky' }),
      503,
    );
    assert.ok(await core.readNamespacedConfigMap({ namespace: 'life', name: 'flaky' }));
  });

  test('an abruptly dropped watch ends with an error for a plain Watch', async () => {
    const { Watch } = await import('@kubernetes/client-node');
    let ended: unknown = 'pending';
    const controller = await new Watch(standin.kubeConfig).watch(
      '/api/v1/namespaces/life/pods',
      { resourceVersion: standin.currentResourceVersion() },
      () => {},
      (err) => {
        ended = err;
      },
    );
    await eventually('open', () => standin.openWatches() > 0);
    standin.dropWatches({ abrupt: true });
    await eventually('ended', () => ended !== 'pending');
    controller.abort();
    assert.ok(ended instanceof Error);
  });
});
