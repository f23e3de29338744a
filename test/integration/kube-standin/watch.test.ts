import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CoreV1Api,
  type KubernetesObject,
  makeInformer,
  type V1ConfigMap,
  Watch,
} from '@kubernetes/client-node';
import { eventually } from '../../helpers/eventually.ts';
import { type KubeStandin, startKubeStandin } from '../../kube/index.ts';

interface Seen {
  type: string;
  name: string;
  rv: string;
  code?: number;
}

/** Opens a watch through client-node's Watch and records what arrives and when it ends. */
async function openWatch(
  standin: KubeStandin,
  path: string,
  query: Record<string, string | boolean>,
) {
  const events: Seen[] = [];
  const state: { done: boolean; error: unknown } = { done: false, error: undefined };
  const controller = await new Watch(standin.kubeConfig).watch(
    path,
    query,
    (type, obj: KubernetesObject & { code?: number }) => {
      events.push({
        type,
        name: obj.metadata?.name ?? '',
        rv: obj.metadata?.resourceVersion ?? '',
        ...(obj.code ? { code: obj.code } : {}),
      });
    },
    (err) => {
      state.done = true;
      state.error = err;
    },
  );
  return { events, state, stop: () => controller.abort() };
}

describe('kube stand-in: watch', () => {
  let standin: KubeStandin;
  let core: CoreV1Api;
  before(async () => {
    standin = await startKubeStandin();
    core = standin.kubeConfig.makeApiClient(CoreV1Api);
  });
  after(() => standin.stop());

  test('ADDED, MODIFIED and DELETED stream in order with the objects resourceVersions', async () => {
    await core.createNamespace({ body: { metadata: { name: 'w1' } } });
    const w = await openWatch(standin, '/api/v1/namespaces/w1/configmaps', {});
    await eventually('watch open', () => standin.openWatches() > 0);
    const created = await core.createNamespacedConfigMap({
      namespace: 'w1',
      body: { metadata: { name: 'a' } },
    });
    const updated = await core.replaceNamespacedConfigMap({
      namespace: 'w1',
      name: 'a',
      body: { ...created, data: { k: 'v' } },
    });
    await core.deleteNamespacedConfigMap({ namespace: 'w1', name: 'a' });
    await eventually('three events', () => w.events.length >= 3);
    w.stop();
    assert.deepEqual(
      w.events.map((e) => [e.type, e.name]),
      [
        ['ADDED', 'a'],
        ['MODIFIED', 'a'],
        ['DELETED', 'a'],
      ],
    );
    assert.equal(w.events[0]!.rv, created.metadata!.resourceVersion);
    assert.equal(w.events[1]!.rv, updated.metadata!.resourceVersion);
    assert.ok(Number(w.events[2]!.rv) > Number(updated.metadata!.resourceVersion));
  });

  test('a watch without resourceVersion starts with ADDED for existing objects', async () => {
    await core.createNamespace({ body: { metadata: { name: 'w2' } } });
    await core.createNamespacedConfigMap({ namespace: 'w2', body: { metadata: { name: 'pre' } } });
    const w = await openWatch(standin, '/api/v1/namespaces/w2/configmaps', {});
    await eventually('initial event', () => w.events.length >= 1);
    w.stop();
    assert.deepEqual(w.events[0], { type: 'ADDED', name: 'pre', rv: w.events[0]!.rv });
  });

  test('resuming from a resourceVersion replays only later events', async () => {
    await core.createNamespace({ body: { metadata: { name: 'w3' } } });
    const first = await core.createNamespacedConfigMap({
      namespace: 'w3',
      body: { metadata: { name: 'one' } },
    });
    await core.createNamespacedConfigMap({ namespace: 'w3', body: { metadata: { name: 'two' } } });
    await core.deleteNamespacedConfigMap({ namespace: 'w3', name: 'one' });
    const w = await openWatch(standin, '/api/v1/namespaces/w3/configmaps', {
      resourceVersion: first.metadata!.resourceVersion!,
    });
    await eventually('replayed events', () => w.events.length >= 2);
    w.stop();
    assert.deepEqual(
      w.events.map((e) => [e.type, e.name]),
      [
        ['ADDED', 'two'],
        ['DELETED', 'one'],
      ],
    );
  });

  test('after compaction an old resourceVersion gets an ERROR event with 410 and the stream ends', async () => {
    await core.createNamespace({ body: { metadata: { name: 'w4' } } });
    const old = await core.createNamespacedConfigMap({
      namespace: 'w4',
      body: { metadata: { name: 'x' } },
    });
    await core.createNamespacedConfigMap({ namespace: 'w4', body: { metadata: { name: 'y' } } });
    standin.compactHistory();
    const w = await openWatch(standin, '/api/v1/namespaces/w4/configmaps', {
      resourceVersion: old.metadata!.resourceVersion!,
    });
    await eventually('stream ended', () => w.state.done);
    assert.equal(w.events.length, 1);
    assert.equal(w.events[0]!.type, 'ERROR');
    assert.equal(w.events[0]!.code, 410);
  });

  test('bookmarks are sent only to watches that allow them, at the current resourceVersion', async () => {
    await core.createNamespace({ body: { metadata: { name: 'w5' } } });
    const rv = standin.currentResourceVersion();
    const withBookmarks = await openWatch(standin, '/api/v1/namespaces/w5/configmaps', {
      resourceVersion: rv,
      allowWatchBookmarks: true,
    });
    const without = await openWatch(standin, '/api/v1/namespaces/w5/configmaps', {
      resourceVersion: rv,
    });
    await eventually('both open', () => standin.openWatches() >= 2);
    await core.createNamespace({ body: { metadata: { name: 'w5-other' } } });
    standin.sendBookmarks();
    await eventually('bookmark', () => withBookmarks.events.length >= 1);
    await core.createNamespacedConfigMap({
      namespace: 'w5',
      body: { metadata: { name: 'after' } },
    });
    await eventually(
      'event after bookmark',
      () => without.events.length >= 1 && withBookmarks.events.length >= 2,
    );
    withBookmarks.stop();
    without.stop();
    assert.equal(withBookmarks.events[0]!.type, 'BOOKMARK');
    assert.equal(withBookmarks.events[0]!.rv, String(Number(rv) + 2));
    assert.deepEqual(
      without.events.map((e) => e.type),
      ['ADDED'],
    );
  });

  test('label selectors on a watch turn a relabel into DELETED/ADDED for that watch', async () => {
    await core.createNamespace({ body: { metadata: { name: 'w6' } } });
    const w = await openWatch(standin, '/api/v1/namespaces/w6/configmaps', {
      labelSelector: 'app=web',
      resourceVersion: standin.currentResourceVersion(),
    });
    await eventually('watch open', () => standin.openWatches() > 0);
    const cm = await core.createNamespacedConfigMap({
      namespace: 'w6',
      body: { metadata: { name: 'c', labels: { app: 'web' } } },
    });
    await core.createNamespacedConfigMap({
      namespace: 'w6',
      body: { metadata: { name: 'other', labels: { app: 'db' } } },
    });
    const moved = await core.replaceNamespacedConfigMap({
      namespace: 'w6',
      name: 'c',
      body: { ...cm, metadata: { ...cm.metadata, labels: { app: 'db' } } },
    });
    await core.replaceNamespacedConfigMap({
      namespace: 'w6',
      name: 'c',
      body: { ...moved, metadata: { ...moved.metadata, labels: { app: 'web' } } },
    });
    await eventually('three events', () => w.events.length >= 3);
    w.stop();
    assert.deepEqual(
      w.events.map((e) => [e.type, e.name]),
      [
        ['ADDED', 'c'],
        ['DELETED', 'c'],
        ['ADDED', 'c'],
      ],
    );
  });

  test('field selectors on a watch', async () => {
    await core.createNamespace({ body: { metadata: { name: 'w7' } } });
    const w = await openWatch(standin, '/api/v1/namespaces/w7/configmaps', {
      fieldSelector: 'metadata.name=only',
      resourceVersion: standin.currentResourceVersion(),
    });
    await eventually('watch open', () => standin.openWatches() > 0);
    await core.createNamespacedConfigMap({
      namespace: 'w7',
      body: { metadata: { name: 'not-this' } },
    });
    await core.createNamespacedConfigMap({ namespace: 'w7', body: { metadata: { name: 'only' } } });
    await eventually('event', () => w.events.length >= 1);
    w.stop();
    assert.deepEqual(
      w.events.map((e) => e.name),
      ['only'],
    );
  });

  test('an informer survives dropped watch connections and sees changes made meanwhile', async () => {
    await core.createNamespace({ body: { metadata: { name: 'inf1' } } });
    const informer = makeInformer<V1ConfigMap>(
      standin.kubeConfig,
      '/api/v1/namespaces/inf1/configmaps',
      () => core.listNamespacedConfigMap({ namespace: 'inf1' }),
    );
    const added: string[] = [];
    informer.on('add', (o) => added.push(o.metadata!.name!));
    await informer.start();
    await core.createNamespacedConfigMap({
      namespace: 'inf1',
      body: { metadata: { name: 'before-drop' } },
    });
    await eventually('first add', () => added.includes('before-drop'));
    const dropped = standin.dropWatches();
    assert.ok(dropped >= 1);
    await core.createNamespacedConfigMap({
      namespace: 'inf1',
      body: { metadata: { name: 'after-drop' } },
    });
    await eventually('add after drop', () => added.includes('after-drop'));
    await eventually(
      'cache has both',
      () => informer.list('inf1').length === 2 && informer.get('after-drop', 'inf1'),
    );
    await informer.stop();
  });

  test('an informer resuming after compaction gets 410 and relists, firing delete for what vanished', async () => {
    await core.createNamespace({ body: { metadata: { name: 'inf2' } } });
    await core.createNamespacedConfigMap({
      namespace: 'inf2',
      body: { metadata: { name: 'stays' } },
    });
    await core.createNamespacedConfigMap({
      namespace: 'inf2',
      body: { metadata: { name: 'goes' } },
    });
    const informer = makeInformer<V1ConfigMap>(
      standin.kubeConfig,
      '/api/v1/namespaces/inf2/configmaps',
      () => core.listNamespacedConfigMap({ namespace: 'inf2' }),
    );
    const deleted: string[] = [];
    const added: string[] = [];
    informer.on('delete', (o) => deleted.push(o.metadata!.name!));
    informer.on('add', (o) => added.push(o.metadata!.name!));
    let lists = 0;
    informer.on('connect', () => lists++);
    await informer.start();
    await eventually('initial list', () => added.length === 2);
    const resumeFrom = standin.currentResourceVersion();
    // The informer is away while an object goes and the history is compacted past its version;
    // restarting resumes from its old resourceVersion, which now gets 410 Gone.
    await informer.stop();
    await core.deleteNamespacedConfigMap({ namespace: 'inf2', name: 'goes' });
    standin.compactHistory();
    assert.ok(Number(standin.currentResourceVersion()) > Number(resumeFrom));
    const listsBefore = standin.requestLog.filter(
      (r) => r.verb === 'list' && r.namespace === 'inf2',
    ).length;
    await informer.start();
    await eventually('delete fired by the relist', () => deleted.includes('goes'));
    assert.deepEqual(
      informer.list('inf2').map((o) => o.metadata!.name),
      ['stays'],
    );
    const watches = standin.requestLog.filter((r) => r.verb === 'watch' && r.namespace === 'inf2');
    assert.ok(watches.length >= 2);
    assert.equal(
      standin.requestLog.filter((r) => r.verb === 'list' && r.namespace === 'inf2').length,
      listsBefore + 1,
    );
    assert.ok(lists >= 2);
    await informer.stop();
  });
});
