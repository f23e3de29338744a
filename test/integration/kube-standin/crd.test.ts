import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  ApiextensionsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubernetesObjectApi,
  makeInformer,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { eventually } from '../../helpers/eventually.ts';
import { type KubeStandin, startKubeStandin } from '../../kube/index.ts';
import { rejectsWithStatus } from './helpers.ts';

// Written with client-node's property names (_enum, _default, x_kubernetes_...): its serializer
// drops the wire names when the CRD goes through ApiextensionsV1Api.
const widgetCrd = {
  metadata: { name: 'widgets.example.com' },
  spec: {
    group: 'example.com',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget', shortNames: ['wd'] },
    scope: 'Namespaced',
    versions: [
      {
        name: 'v1alpha1',
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                required: ['size'],
                properties: {
                  size: { type: 'string', _enum: ['small', 'large'] },
                  replicas: { type: 'integer', _default: 1, minimum: 0 },
                  options: {
                    type: 'object',
                    _default: {},
                    properties: { color: { type: 'string', _default: 'blue' } },
                  },
                  free: { type: 'object', x_kubernetes_preserve_unknown_fields: true },
                },
              },
              status: { type: 'object', properties: { phase: { type: 'string' } } },
            },
          },
        },
      },
    ],
  },
};

describe('kube stand-in: CustomResourceDefinitions', () => {
  let standin: KubeStandin;
  let custom: CustomObjectsApi;
  before(async () => {
    standin = await startKubeStandin();
    await standin.kubeConfig
      .makeApiClient(CoreV1Api)
      .createNamespace({ body: { metadata: { name: 'crd' } } });
    custom = standin.kubeConfig.makeApiClient(CustomObjectsApi);
  });
  after(() => standin.stop());

  test('creating a CRD sets Established and serves the new kind with defaults and pruning', async () => {
    const crd = await standin.kubeConfig
      .makeApiClient(ApiextensionsV1Api)
      .createCustomResourceDefinition({ body: widgetCrd as never });
    assert.deepEqual(
      crd.status!.conditions!.map((c) => [c.type, c.status]),
      [
        ['NamesAccepted', 'True'],
        ['Established', 'True'],
      ],
    );
    assert.deepEqual(crd.status!.storedVersions, ['v1alpha1']);
    const created = (await custom.createNamespacedCustomObject({
      group: 'example.com',
      version: 'v1alpha1',
      namespace: 'crd',
      plural: 'widgets',
      body: {
        apiVersion: 'example.com/v1alpha1',
        kind: 'Widget',
        metadata: { name: 'w' },
        spec: { size: 'small', unknown: 'dropped', free: { anything: 1 } },
        status: { phase: 'Ignored' },
      },
    })) as { spec: Record<string, unknown>; status?: unknown; metadata: { generation: number } };
    assert.deepEqual(created.spec, {
      size: 'small',
      replicas: 1,
      options: { color: 'blue' },
      free: { anything: 1 },
    });
    assert.equal(created.status, undefined);
    assert.equal(created.metadata.generation, 1);
  });

  test('schema validation: required and enum give 422 with the apiserver wording', async () => {
    const status = await rejectsWithStatus(
      custom.createNamespacedCustomObject({
        group: 'example.com',
        version: 'v1alpha1',
        namespace: 'crd',
        plural: 'widgets',
        body: {
          apiVersion: 'example.com/v1alpha1',
          kind: 'Widget',
          metadata: { name: 'bad' },
          spec: { size: 'huge', replicas: -1 },
        },
      }),
      422,
      'Invalid',
    );
    assert.equal(
      status.message,
      'Widget.example.com "bad" is invalid: [spec.size: Unsupported value: "huge": supported values: "small", "large", spec.replicas: Invalid value: -1: spec.replicas in body should be greater than or equal to 0]',
    );
    const missing = await rejectsWithStatus(
      custom.createNamespacedCustomObject({
        group: 'example.com',
        version: 'v1alpha1',
        namespace: 'crd',
        plural: 'widgets',
        body: {
          apiVersion: 'example.com/v1alpha1',
          kind: 'Widget',
          metadata: { name: 'bad2' },
          spec: {},
        },
      }),
      422,
    );
    assert.equal(
      missing.message,
      'Widget.example.com "bad2" is invalid: spec.size: Required value',
    );
  });

  test('the status subresource of a custom resource', async () => {
    const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
    const updated = (await custom.patchNamespacedCustomObjectStatus(
      {
        group: 'example.com',
        version: 'v1alpha1',
        namespace: 'crd',
        plural: 'widgets',
        name: 'w',
        body: { status: { phase: 'Ready' }, spec: { size: 'large' } },
      },
      merge,
    )) as { spec: { size: string }; status: { phase: string } };
    assert.equal(updated.status.phase, 'Ready');
    assert.equal(updated.spec.size, 'small');
  });

  test('KubernetesObjectApi and informers work for the new kind', async () => {
    const objects = KubernetesObjectApi.makeApiClient(standin.kubeConfig);
    const read = await objects.read({
      apiVersion: 'example.com/v1alpha1',
      kind: 'Widget',
      metadata: { name: 'w', namespace: 'crd' },
    });
    assert.equal(read.metadata!.name, 'w');
    const informer = makeInformer(
      standin.kubeConfig,
      '/apis/example.com/v1alpha1/namespaces/crd/widgets',
      () =>
        custom.listNamespacedCustomObject({
          group: 'example.com',
          version: 'v1alpha1',
          namespace: 'crd',
          plural: 'widgets',
        }) as never,
    );
    const names: string[] = [];
    informer.on('add', (o) => names.push(o.metadata!.name!));
    await informer.start();
    await objects.create({
      apiVersion: 'example.com/v1alpha1',
      kind: 'Widget',
      metadata: { name: 'w2', namespace: 'crd' },
      spec: { size: 'large' },
    } as never);
    await eventually('informer saw both', () => names.includes('w2') && names.includes('w'));
    await informer.stop();
  });

  test('a CRD whose name is not plural.group is 422; deleting a CRD stops serving its kind', async () => {
    const api = standin.kubeConfig.makeApiClient(ApiextensionsV1Api);
    await rejectsWithStatus(
      api.createCustomResourceDefinition({
        body: { ...widgetCrd, metadata: { name: 'wrong.example.com' } } as never,
      }),
      422,
      'Invalid',
    );
    await api.deleteCustomResourceDefinition({ name: 'widgets.example.com' });
    await rejectsWithStatus(
      custom.listNamespacedCustomObject({
        group: 'example.com',
        version: 'v1alpha1',
        namespace: 'crd',
        plural: 'widgets',
      }),
      404,
      'NotFound',
    );
  });
});
