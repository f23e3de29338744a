import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  ApiException,
  CoreV1Api,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
  type V1ConfigMap,
} from '@kubernetes/client-node';
import { type KubeStandin, startKubeStandin } from '../../kube/index.ts';
import { rejectsWithStatus } from './helpers.ts';

describe('kube stand-in: CRUD through client-node', () => {
  let standin: KubeStandin;
  let core: CoreV1Api;
  before(async () => {
    standin = await startKubeStandin();
    core = standin.kubeConfig.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'crud' } } });
  });
  after(() => standin.stop());

  test('create stamps uid, creationTimestamp, generation and a resourceVersion; get returns it', async () => {
    const created = await core.createNamespacedConfigMap({
      namespace: 'crud',
      body: { metadata: { name: 'a' }, data: { k: 'v' } },
    });
    assert.match(created.metadata!.uid!, /^[0-9a-f-]{36}$/);
    assert.ok(created.metadata!.creationTimestamp instanceof Date);
    assert.equal(created.metadata!.generation, 1);
    assert.ok(Number(created.metadata!.resourceVersion) > 0);
    const read = await core.readNamespacedConfigMap({ namespace: 'crud', name: 'a' });
    assert.deepEqual(read.data, { k: 'v' });
    assert.equal(read.metadata!.resourceVersion, created.metadata!.resourceVersion);
  });

  test('resourceVersion increases globally across kinds', async () => {
    const cm = await core.createNamespacedConfigMap({
      namespace: 'crud',
      body: { metadata: { name: 'rv1' } },
    });
    const secret = await core.createNamespacedSecret({
      namespace: 'crud',
      body: { metadata: { name: 'rv2' } },
    });
    assert.ok(Number(secret.metadata!.resourceVersion) > Number(cm.metadata!.resourceVersion));
  });

  test('creating an existing name is 409 AlreadyExists with the apiserver message', async () => {
    await core.createNamespacedConfigMap({
      namespace: 'crud',
      body: { metadata: { name: 'dup' } },
    });
    const status = await rejectsWithStatus(
      core.createNamespacedConfigMap({ namespace: 'crud', body: { metadata: { name: 'dup' } } }),
      409,
      'AlreadyExists',
    );
    assert.equal(status.message, 'configmaps "dup" already exists');
  });

  test('reading a missing object is 404 NotFound naming group and resource', async () => {
    const status = await rejectsWithStatus(
      core.readNamespacedConfigMap({ namespace: 'crud', name: 'nope' }),
      404,
      'NotFound',
    );
    assert.equal(status.message, 'configmaps "nope" not found');
    assert.deepEqual(status.details, { name: 'nope', kind: 'configmaps' });
  });

  test('creating in a missing namespace is 404 for the namespace', async () => {
    const status = await rejectsWithStatus(
      core.createNamespacedConfigMap({ namespace: 'ghost', body: { metadata: { name: 'x' } } }),
      404,
      'NotFound',
    );
    assert.equal(status.message, 'namespaces "ghost" not found');
  });

  test('update with a stale resourceVersion is 409 Conflict; with the current one it succeeds', async () => {
    const v1 = await core.createNamespacedConfigMap({
      namespace: 'crud',
      body: { metadata: { name: 'cas' }, data: { n: '1' } },
    });
    const v2 = await core.replaceNamespacedConfigMap({
      namespace: 'crud',
      name: 'cas',
      body: { ...v1, data: { n: '2' } },
    });
    assert.ok(Number(v2.metadata!.resourceVersion) > Number(v1.metadata!.resourceVersion));
    const status = await rejectsWithStatus(
      core.replaceNamespacedConfigMap({
        namespace: 'crud',
        name: 'cas',
        body: { ...v1, data: { n: '3' } },
      }),
      409,
      'Conflict',
    );
    assert.equal(
      status.message,
      'Operation cannot be fulfilled on configmaps "cas": the object has been modified; please apply your changes to the latest version and try again',
    );
    const read = await core.readNamespacedConfigMap({ namespace: 'crud', name: 'cas' });
    assert.deepEqual(read.data, { n: '2' });
  });

  test('a no-op update keeps the resourceVersion', async () => {
    const v1 = await core.createNamespacedConfigMap({
      namespace: 'crud',
      body: { metadata: { name: 'noop' }, data: { a: 'b' } },
    });
    const same = await core.replaceNamespacedConfigMap({
      namespace: 'crud',
      name: 'noop',
      body: v1,
    });
    assert.equal(same.metadata!.resourceVersion, v1.metadata!.resourceVersion);
  });

  test('generateName gives a unique name with a 5-character suffix', async () => {
    const a = await core.createNamespacedConfigMap({
      namespace: 'crud',
      body: { metadata: { generateName: 'gen-' } },
    });
    const b = await core.createNamespacedConfigMap({
      namespace: 'crud',
      body: { metadata: { generateName: 'gen-' } },
    });
    assert.match(a.metadata!.name!, /^gen-[a-z0-9]{5}$/);
    assert.notEqual(a.metadata!.name, b.metadata!.name);
  });

  test('a name that is not a DNS subdomain is 422 Invalid', async () => {
    const status = await rejectsWithStatus(
      core.createNamespacedConfigMap({
        namespace: 'crud',
        body: { metadata: { name: 'Bad_Name' } },
      }),
      422,
      'Invalid',
    );
    assert.match(
      status.message,
      /^ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name"/,
    );
  });

  test('label selectors: =, ==, !=, in, notin, exists, !exists', async () => {
    const mk = (name: string, labels: Record<string, string>) =>
      core.createNamespacedConfigMap({
        namespace: 'crud',
        body: { metadata: { name, labels: { suite: 'sel', ...labels } } },
      });
    await mk('sel-a', { tier: 'web', env: 'prod' });
    await mk('sel-b', { tier: 'db', env: 'dev' });
    await mk('sel-c', { tier: 'cache' });
    const cases: Array<[string, string[]]> = [
      ['tier=web', ['sel-a']],
      ['tier==db', ['sel-b']],
      ['tier!=web', ['sel-b', 'sel-c']],
      ['tier in (web, cache)', ['sel-a', 'sel-c']],
      ['tier notin (web,cache)', ['sel-b']],
      ['env', ['sel-a', 'sel-b']],
      ['!env', ['sel-c']],
      ['env,tier=db', ['sel-b']],
    ];
    for (const [selector, expected] of cases) {
      const list = await core.listNamespacedConfigMap({
        namespace: 'crud',
        labelSelector: `suite=sel,${selector}`,
      });
      assert.deepEqual(
        list.items.map((i) => i.metadata!.name),
        expected,
        selector,
      );
    }
  });

  test('a malformed label selector is 400', async () => {
    await rejectsWithStatus(
      core.listNamespacedConfigMap({ namespace: 'crud', labelSelector: 'a in b' }),
      400,
      'BadRequest',
    );
  });

  test('field selectors: metadata.name, metadata.namespace, status.phase; unsupported fields are 400', async () => {
    await core.createNamespace({ body: { metadata: { name: 'fields' } } });
    await core.createNamespacedPod({
      namespace: 'fields',
      body: { metadata: { name: 'p1' }, spec: { containers: [{ name: 'c', image: 'i' }] } },
    });
    await core.createNamespacedPod({
      namespace: 'fields',
      body: { metadata: { name: 'p2' }, spec: { containers: [{ name: 'c', image: 'i' }] } },
    });
    await core.replaceNamespacedPodStatus({
      namespace: 'fields',
      name: 'p2',
      body: { metadata: { name: 'p2' }, status: { phase: 'Running' } },
    });
    const byName = await core.listNamespacedPod({
      namespace: 'fields',
      fieldSelector: 'metadata.name=p1',
    });
    assert.deepEqual(
      byName.items.map((p) => p.metadata!.name),
      ['p1'],
    );
    const running = await core.listPodForAllNamespaces({
      fieldSelector: 'status.phase=Running,metadata.namespace=fields',
    });
    assert.deepEqual(
      running.items.map((p) => p.metadata!.name),
      ['p2'],
    );
    const notRunning = await core.listNamespacedPod({
      namespace: 'fields',
      fieldSelector: 'status.phase!=Running',
    });
    assert.deepEqual(
      notRunning.items.map((p) => p.metadata!.name),
      ['p1'],
    );
    const status = await rejectsWithStatus(
      core.listNamespacedPod({ namespace: 'fields', fieldSelector: 'spec.priority=1' }),
      400,
      'BadRequest',
    );
    assert.equal(status.message, 'field label not supported: spec.priority');
  });

  test('list with limit and continue pages through every item once', async () => {
    await core.createNamespace({ body: { metadata: { name: 'paging' } } });
    for (let i = 0; i < 5; i++)
      await core.createNamespacedConfigMap({
        namespace: 'paging',
        body: { metadata: { name: `p${i}` } },
      });
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await core.listNamespacedConfigMap({
        namespace: 'paging',
        limit: 2,
        ...(token ? { _continue: token } : {}),
      });
      assert.ok(page.items.length <= 2);
      seen.push(...page.items.map((i) => i.metadata!.name!));
      token = page.metadata!._continue;
    } while (token);
    assert.deepEqual(seen, ['p0', 'p1', 'p2', 'p3', 'p4']);
  });

  test('merge, json and strategic-merge patches', async () => {
    await core.createNamespacedConfigMap({
      namespace: 'crud',
      body: { metadata: { name: 'patched', labels: { a: '1' } }, data: { x: '1', y: '2' } },
    });
    const merged = await core.patchNamespacedConfigMap(
      { namespace: 'crud', name: 'patched', body: { data: { x: null, z: '3' } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    assert.deepEqual(merged.data, { y: '2', z: '3' });
    const json = await core.patchNamespacedConfigMap(
      {
        namespace: 'crud',
        name: 'patched',
        body: [
          { op: 'add', path: '/metadata/labels/b', value: '2' },
          { op: 'remove', path: '/data/y' },
        ],
      },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );
    assert.deepEqual(json.metadata!.labels, { a: '1', b: '2' });
    assert.deepEqual(json.data, { z: '3' });
    const strategic = await core.patchNamespacedConfigMap(
      { namespace: 'crud', name: 'patched', body: { data: { w: '4' } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    assert.deepEqual(strategic.data, { z: '3', w: '4' });
    await rejectsWithStatus(
      core.patchNamespacedConfigMap(
        {
          namespace: 'crud',
          name: 'patched',
          body: [{ op: 'test', path: '/data/z', value: 'no' }],
        },
        setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
      ),
      422,
    );
  });

  test('a patch carrying a stale resourceVersion is 409 Conflict', async () => {
    const v1 = await core.createNamespacedConfigMap({
      namespace: 'crud',
      body: { metadata: { name: 'patch-cas' } },
    });
    await core.patchNamespacedConfigMap(
      { namespace: 'crud', name: 'patch-cas', body: { data: { a: '1' } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await rejectsWithStatus(
      core.patchNamespacedConfigMap(
        {
          namespace: 'crud',
          name: 'patch-cas',
          body: { metadata: { resourceVersion: v1.metadata!.resourceVersion }, data: { a: '2' } },
        },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      ),
      409,
      'Conflict',
    );
  });

  test('server-side apply creates then merges (requires fieldManager)', async () => {
    const objects = KubernetesObjectApi.makeApiClient(standin.kubeConfig);
    const spec: V1ConfigMap = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'applied', namespace: 'crud' },
      data: { a: '1' },
    };
    const created = await objects.patch(
      spec,
      undefined,
      undefined,
      'tests',
      true,
      PatchStrategy.ServerSideApply,
    );
    assert.deepEqual((created as V1ConfigMap).data, { a: '1' });
    const updated = await objects.patch(
      { ...spec, data: { b: '2' } },
      undefined,
      undefined,
      'tests',
      true,
      PatchStrategy.ServerSideApply,
    );
    assert.deepEqual((updated as V1ConfigMap).data, { a: '1', b: '2' });
    await rejectsWithStatus(
      objects.patch(spec, undefined, undefined, undefined, true, PatchStrategy.ServerSideApply),
      422,
      'Invalid',
    );
  });

  test('KubernetesObjectApi resolves kinds through discovery', async () => {
    const objects = KubernetesObjectApi.makeApiClient(standin.kubeConfig);
    await objects.create({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'r', namespace: 'crud' },
      rules: [],
    } as never);
    const read = await objects.read({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'r', namespace: 'crud' },
    });
    assert.equal(read.metadata!.name, 'r');
    const list = await objects.list('coordination.k8s.io/v1', 'Lease', 'crud');
    assert.deepEqual(list.items, []);
  });

  test('delete returns Success Status for configmaps and the object for pods; then 404', async () => {
    await core.createNamespacedConfigMap({
      namespace: 'crud',
      body: { metadata: { name: 'gone' } },
    });
    const status = await core.deleteNamespacedConfigMap({ namespace: 'crud', name: 'gone' });
    assert.equal(status.status, 'Success');
    await rejectsWithStatus(core.readNamespacedConfigMap({ namespace: 'crud', name: 'gone' }), 404);
    await core.createNamespacedPod({
      namespace: 'crud',
      body: { metadata: { name: 'pod-gone' }, spec: { containers: [{ name: 'c', image: 'i' }] } },
    });
    const pod = await core.deleteNamespacedPod({ namespace: 'crud', name: 'pod-gone' });
    assert.equal(pod.metadata!.name, 'pod-gone');
  });

  test('secrets fold stringData into base64 data', async () => {
    const s = await core.createNamespacedSecret({
      namespace: 'crud',
      body: { metadata: { name: 'sd' }, stringData: { token: 'hunter2' } },
    });
    assert.deepEqual(s.data, { token: Buffer.from('hunter2').toString('base64') });
    assert.equal(s.type, 'Opaque');
    assert.equal(s.stringData, undefined);
  });

  test('dryRun=All validates and returns the object without storing it', async () => {
    await core.createNamespacedConfigMap({
      namespace: 'crud',
      body: { metadata: { name: 'dry' } },
      dryRun: 'All',
    });
    await rejectsWithStatus(core.readNamespacedConfigMap({ namespace: 'crud', name: 'dry' }), 404);
  });

  test('unknown tokens are 401', async () => {
    const stranger = standin.kubeConfigFor({ token: 'not-a-token' }).makeApiClient(CoreV1Api);
    // client-node drops the body of a 401, so only the code can be checked
    await assert.rejects(
      stranger.listNamespace(),
      (e: unknown) => e instanceof ApiException && e.code === 401,
    );
  });
});
