// The offline object validator the chart tests rely on: it must refuse what the apiserver would.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateObject } from './model-check.ts';

const deployment = () => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'apps', labels: { app: 'web' } },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [
          {
            name: 'web',
            image: 'nginx:1.27',
            ports: [{ containerPort: 8080 }],
            readinessProbe: { httpGet: { path: '/readyz', port: 'http' } },
            resources: { limits: { cpu: '1' } },
          },
        ],
      },
    },
  },
});

type Mutation = (object: ReturnType<typeof deployment>) => void;
const container = (o: ReturnType<typeof deployment>) => o.spec.template.spec.containers[0]!;

test('a valid Deployment has no problems', () => {
  assert.deepEqual(validateObject(deployment()), []);
});

const refusals: [string, Mutation, RegExp][] = [
  [
    'an unknown field',
    (o) => Object.assign(container(o), { imagePulPolicy: 'Always' }),
    /spec\.template\.spec\.containers\[0\]\.imagePulPolicy: unknown field \(not in V1Container\)/,
  ],
  [
    'a string where an integer belongs',
    (o) => Object.assign(o.spec, { replicas: '2' }),
    /spec\.replicas: expected number/,
  ],
  [
    'a fractional integer',
    (o) => Object.assign(o.spec, { replicas: 1.5 }),
    /spec\.replicas: expected number/,
  ],
  [
    'a number where a quantity string belongs',
    (o) => Object.assign(container(o).resources.limits, { cpu: 1 }),
    /resources\.limits\.cpu: expected string/,
  ],
  [
    'an object where a list belongs',
    (o) => Object.assign(o.spec.template.spec, { containers: { name: 'web' } }),
    /containers: expected Array<V1Container>/,
  ],
  [
    'a missing required field',
    (o) => Reflect.deleteProperty(container(o), 'name'),
    /containers\[0\]\.name: required by V1Container/,
  ],
  [
    'a missing selector',
    (o) => Reflect.deleteProperty(o.spec, 'selector'),
    /spec\.selector: required by V1DeploymentSpec/,
  ],
  [
    'a namespaced object without a namespace',
    (o) => Reflect.deleteProperty(o.metadata, 'namespace'),
    /metadata\.namespace: apps\/v1\/Deployment is namespaced/,
  ],
  [
    'a kind under the wrong apiVersion',
    (o) => Object.assign(o, { apiVersion: 'extensions/v1beta1' }),
    /extensions\/v1beta1\/Deployment: not a kind this chart may render/,
  ],
];

for (const [name, mutate, expected] of refusals) {
  test(`refuses ${name}`, () => {
    const object = deployment();
    mutate(object);
    const problems = validateObject(object);
    assert.ok(
      problems.some((problem) => expected.test(problem)),
      `expected ${expected}, got ${JSON.stringify(problems)}`,
    );
  });
}

test('a cluster-scoped object must not carry a namespace', () => {
  const role = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: 'reader', namespace: 'apps' },
    rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }],
  };
  assert.deepEqual(validateObject(role), [
    'rbac.authorization.k8s.io/v1/ClusterRole reader: metadata.namespace: rbac.authorization.k8s.io/v1/ClusterRole is cluster-scoped',
  ]);
  const rules = role.rules as { verbs?: string[] }[];
  delete rules[0]!.verbs;
  assert.ok(
    validateObject(role).some((p) => p.includes('rules[0].verbs: required by V1PolicyRule')),
  );
});
