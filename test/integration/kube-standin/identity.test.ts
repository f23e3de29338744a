import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  AuthenticationV1Api,
  AuthorizationV1Api,
  CoordinationV1Api,
  CoreV1Api,
  KubeConfig,
} from '@kubernetes/client-node';
import { type KubeStandin, ruleAuthorizer, startKubeStandin } from '../../kube/index.ts';
import { rejectsWithStatus } from './helpers.ts';

describe('kube stand-in: identities, reviews and the request log', () => {
  let standin: KubeStandin;
  let core: CoreV1Api;
  let authn: AuthenticationV1Api;
  let authz: AuthorizationV1Api;
  before(async () => {
    standin = await startKubeStandin({
      authorizer: ruleAuthorizer({
        bob: [
          {
            verbs: ['get', 'list', 'watch'],
            apiGroups: [''],
            resources: ['configmaps'],
            namespaces: ['team'],
          },
        ],
        'group:auditors': [{ verbs: ['get'], apiGroups: ['*'], resources: ['*'] }],
        'group:system:authenticated': [
          {
            verbs: ['create'],
            apiGroups: ['authentication.k8s.io', 'authorization.k8s.io'],
            resources: ['selfsubjectreviews', 'selfsubjectaccessreviews'],
          },
        ],
      }),
    });
    core = standin.kubeConfig.makeApiClient(CoreV1Api);
    authn = standin.kubeConfig.makeApiClient(AuthenticationV1Api);
    authz = standin.kubeConfig.makeApiClient(AuthorizationV1Api);
    await core.createNamespace({ body: { metadata: { name: 'team' } } });
    standin.addUser(
      { username: 'bob', uid: 'u-bob', groups: ['devs'], extra: { scopes: ['a'] } },
      'bob-token',
    );
  });
  after(() => standin.stop());

  test('TokenReview authenticates registered tokens and refuses unknown ones', async () => {
    const ok = await authn.createTokenReview({ body: { spec: { token: 'bob-token' } } });
    assert.equal(ok.status!.authenticated, true);
    assert.deepEqual(
      { ...ok.status!.user },
      {
        username: 'bob',
        uid: 'u-bob',
        groups: ['devs', 'system:authenticated'],
        extra: { scopes: ['a'] },
      },
    );
    const bad = await authn.createTokenReview({ body: { spec: { token: 'nope' } } });
    assert.equal(bad.status!.authenticated, undefined);
    assert.ok(bad.status!.error);
  });

  test('TokenRequest issues a bound ServiceAccount JWT whose TokenReview carries the pod claims', async () => {
    await core.createNamespacedServiceAccount({
      namespace: 'team',
      body: { metadata: { name: 'worker' } },
    });
    const pod = await core.createNamespacedPod({
      namespace: 'team',
      body: { metadata: { name: 'w-pod' }, spec: { containers: [{ name: 'c', image: 'i' }] } },
    });
    const issued = await core.createNamespacedServiceAccountToken({
      namespace: 'team',
      name: 'worker',
      body: {
        spec: {
          audiences: ['orka'],
          expirationSeconds: 3600,
          boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'w-pod', uid: pod.metadata!.uid },
        },
      },
    });
    const token = issued.status!.token!;
    assert.equal(token.split('.').length, 3);
    const review = await authn.createTokenReview({
      body: { spec: { token, audiences: ['orka'] } },
    });
    assert.equal(review.status!.authenticated, true);
    assert.equal(review.status!.user!.username, 'system:serviceaccount:team:worker');
    assert.deepEqual(review.status!.user!.groups, [
      'system:serviceaccounts',
      'system:serviceaccounts:team',
      'system:authenticated',
    ]);
    assert.deepEqual(review.status!.user!.extra!['authentication.kubernetes.io/pod-name'], [
      'w-pod',
    ]);
    assert.deepEqual(review.status!.user!.extra!['authentication.kubernetes.io/pod-uid'], [
      pod.metadata!.uid,
    ]);
    assert.deepEqual(review.status!.audiences, ['orka']);
    const wrongAudience = await authn.createTokenReview({
      body: { spec: { token, audiences: ['other'] } },
    });
    assert.equal(wrongAudience.status!.authenticated, undefined);
    await rejectsWithStatus(
      core.createNamespacedServiceAccountToken({
        namespace: 'team',
        name: 'ghost',
        body: { spec: {} },
      }),
      404,
      'NotFound',
    );
  });

  test('SubjectAccessReview asks the configured authorizer about another user', async () => {
    const ask = (user: string, verb: string, namespace: string) =>
      authz.createSubjectAccessReview({
        body: {
          spec: {
            user,
            groups: [],
            resourceAttributes: { verb, group: '', resource: 'configmaps', namespace },
          },
        },
      });
    assert.equal((await ask('bob', 'list', 'team')).status!.allowed, true);
    assert.equal((await ask('bob', 'delete', 'team')).status!.allowed, false);
    assert.equal((await ask('bob', 'list', 'default')).status!.allowed, false);
    await rejectsWithStatus(
      authz.createSubjectAccessReview({
        body: { spec: { resourceAttributes: { verb: 'get', resource: 'pods' } } },
      }),
      422,
      'Invalid',
    );
  });

  test('SelfSubjectAccessReview and SelfSubjectReview describe the caller', async () => {
    const asBob = standin.kubeConfigFor('bob');
    const self = await asBob
      .makeApiClient(AuthenticationV1Api)
      .createSelfSubjectReview({ body: {} });
    assert.equal(self.status!.userInfo!.username, 'bob');
    const ssar = await asBob.makeApiClient(AuthorizationV1Api).createSelfSubjectAccessReview({
      body: {
        spec: { resourceAttributes: { verb: 'get', resource: 'configmaps', namespace: 'team' } },
      },
    });
    assert.equal(ssar.status!.allowed, true);
  });

  test('ordinary requests are authorized: a denied request is 403 with the apiserver message', async () => {
    const asBob = standin.kubeConfigFor('bob').makeApiClient(CoreV1Api);
    assert.ok(await asBob.listNamespacedConfigMap({ namespace: 'team' }));
    const status = await rejectsWithStatus(
      asBob.createNamespacedConfigMap({ namespace: 'team', body: { metadata: { name: 'x' } } }),
      403,
      'Forbidden',
    );
    assert.equal(
      status.message,
      'configmaps is forbidden: User "bob" cannot create resource "configmaps" in API group "" in the namespace "team": no rule allows it',
    );
    const leases = standin.kubeConfigFor('bob').makeApiClient(CoordinationV1Api);
    await rejectsWithStatus(leases.readNamespacedLease({ namespace: 'team', name: 'l' }), 403);
  });

  test('the request log records who did what, per identity', async () => {
    const auditor = standin.addUser({ username: 'carol', groups: ['auditors'] });
    const asCarol = standin.kubeConfigFor({ token: auditor }).makeApiClient(CoreV1Api);
    await rejectsWithStatus(
      asCarol.readNamespacedSecret({ namespace: 'team', name: 'missing' }),
      404,
    );
    await rejectsWithStatus(asCarol.listNamespacedSecret({ namespace: 'team' }), 403);
    const log = standin
      .requestsBy('carol')
      .map(({ verb, group, resource, subresource, namespace, name, code }) => ({
        verb,
        group,
        resource,
        subresource,
        namespace,
        name,
        code,
      }));
    assert.deepEqual(log, [
      {
        verb: 'get',
        group: '',
        resource: 'secrets',
        subresource: '',
        namespace: 'team',
        name: 'missing',
        code: 404,
      },
      {
        verb: 'list',
        group: '',
        resource: 'secrets',
        subresource: '',
        namespace: 'team',
        name: '',
        code: 403,
      },
    ]);
  });

  test('writeKubeconfig writes a file client-node loads and that trusts the stand-in CA', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'standin-'));
    const path = join(dir, 'kubeconfig');
    await standin.writeKubeconfig(path, 'bob', 'team');
    const kc = new KubeConfig();
    kc.loadFromFile(path);
    assert.equal(kc.getContextObject(kc.getCurrentContext())!.namespace, 'team');
    const list = await kc.makeApiClient(CoreV1Api).listNamespacedConfigMap({ namespace: 'team' });
    assert.ok(Array.isArray(list.items));
    assert.match(await readFile(path, 'utf8'), /certificate-authority-data/);
  });

  test('/version and discovery answer', async () => {
    const res = await standin.kubeConfig
      .makeApiClient((await import('@kubernetes/client-node')).VersionApi)
      .getCode();
    assert.equal(res.major, '1');
    const groups = await standin.kubeConfig
      .makeApiClient((await import('@kubernetes/client-node')).ApisApi)
      .getAPIVersions();
    assert.ok(groups.groups.some((g) => g.name === 'batch'));
  });
});
