// A real API server for the tests: the Kubernetes API stand-in (HTTPS, client-node, TokenReview,
// SubjectAccessReview) with the Orka CRDs, a SQLite store in a temporary file, pino output captured
// line by line, a local OIDC issuer (discovery + JWKS on 127.0.0.1, keys made per run), and
// helpers that make callers and bound worker tokens the way a cluster would.
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import {
  ApiextensionsV1Api,
  BatchV1Api,
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  RbacAuthorizationV1Api,
  setHeaderOptions,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import {
  Authenticator,
  type ContextTokenConfig,
  ContextTokenVerifier,
  parseOidcConfig,
} from '../../../api/auth/index.ts';
import { kubernetesTokenReviewer } from '../../../api/auth/token-review-k8s.ts';
import { parseContextTokenAuthzConfig } from '../../../api/authz/index.ts';
import { createApiServer, kubernetesAccess } from '../../../api/index.ts';
import { workerRbac } from '../../../reconcilers/task/worker-rbac.ts';
import { buildCrd } from '../../../resources/crd.ts';
import { KINDS } from '../../../resources/kinds.ts';
import { openStore, type Store } from '../../../store/index.ts';
import { componentKubeConfig, startStandinWithChartRbac } from '../../helpers/chart-rbac.ts';
import { type AccessRule, type KubeStandin, ruleAuthorizer } from '../../kube/index.ts';
import {
  type KeyServer,
  makeKey,
  signRaw,
  startKeyServer,
  type TestKey,
} from '../../unit/api-auth/fixtures.ts';

export const CONTROLLER = 'system:serviceaccount:orka-system:orka';
export const NAMESPACES = ['team-a', 'team-b'] as const;
export const CONTEXT_ISSUER_PATH = '/ctx';
export const CONTEXT_AUDIENCE = 'orka-api';
export const CONTEXT_SUBJECT = 'workload-a';

export const OIDC_AUDIENCE = 'orka-api-oidc';
/** The claim that binds an OIDC caller to a namespace (`--oidc-namespace-claim`). */
export const OIDC_NAMESPACE_CLAIM = 'orka_namespace';
/** OIDC users (preferred_username) and the namespace RBAC lets each create Tasks in. */
export const OIDC_USERS: Record<string, string[]> = {
  'alice@team-a': ['team-a'],
  'bob@team-b': ['team-b'],
  'carol@nowhere': ['team-a', 'team-b'],
};

export const clientOf = (namespace: string) => `system:serviceaccount:${namespace}:orka-client`;

export interface HarnessOptions {
  enforceIsolation?: boolean;
  watchNamespace?: string;
  authzMode?: 'off' | 'audit' | 'enforce';
  /** Serve Task and Agent reads from the API's own informers. */
  readCache?: boolean;
  /** Called with the stand-in before the API server is created (e.g. to inject faults). */
  beforeApi?: (standin: KubeStandin) => void;
}

export interface Response {
  status: number;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: assertions read response bodies field by field
  json: any;
  headers: Headers;
}

export interface RequestOptions {
  token?: string;
  contextToken?: string;
  body?: unknown;
  raw?: Buffer | string;
  contentType?: string;
  headers?: Record<string, string>;
}

export interface Worker {
  token: string;
  podName: string;
  jobName: string;
}

export interface Harness {
  url: string;
  standin: KubeStandin;
  store: Store;
  storePath: string;
  app: FastifyInstance;
  /** Every line the server logged, parsed. */
  logs: Record<string, unknown>[];
  logText(): string;
  tokens: { client: Record<string, string>; noRbac: string };
  custom: CustomObjectsApi;
  request(method: string, path: string, options?: RequestOptions): Promise<Response>;
  /** A Task object created directly in the cluster (as an admin), with an optional status. */
  putTask(
    namespace: string,
    name: string,
    spec?: Record<string, unknown>,
    status?: Record<string, unknown>,
    metadata?: Record<string, unknown>,
  ): Promise<Record<string, unknown>>;
  getTask(namespace: string, name: string): Promise<Record<string, unknown> | null>;
  /** A running worker of a Task: Job, Pod and a ServiceAccount token bound to that Pod. */
  startWorker(namespace: string, taskName: string, spec?: Record<string, unknown>): Promise<Worker>;
  /** A signed kontxt context token. */
  contextToken(claims: Record<string, unknown>): Promise<string>;
  /** An OIDC ID token from the local issuer: `preferred_username` and any other claims. */
  oidcToken(username: string, claims?: Record<string, unknown>): Promise<string>;
  keyServer: KeyServer;
  close(): Promise<void>;
}

function agentTaskSpec(): Record<string, unknown> {
  return { type: 'agent', agentRef: { name: 'claude-agent' }, prompt: 'Fix the tests' };
}

/** What the test callers may also do in their namespaces: write Agents, list Secret names. */
function agentAndSecretRules(namespaces: string[]): AccessRule[] {
  return [
    {
      verbs: ['create', 'update', 'delete'],
      apiGroups: ['core.orka.ai'],
      resources: ['agents'],
      namespaces,
    },
    { verbs: ['list'], apiGroups: [''], resources: ['secrets'], namespaces },
  ];
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  // The controller's rights are the chart's rendered RBAC; these rules are the test callers'.
  const rules: Record<string, AccessRule[]> = {};
  for (const namespace of NAMESPACES) {
    rules[clientOf(namespace)] = [
      {
        verbs: ['create', 'get', 'list'],
        apiGroups: ['core.orka.ai'],
        resources: ['tasks'],
        namespaces: [namespace],
      },
      ...agentAndSecretRules([namespace]),
    ];
  }
  for (const [username, namespaces] of Object.entries(OIDC_USERS)) {
    rules[username] = [
      { verbs: ['create'], apiGroups: ['core.orka.ai'], resources: ['tasks'], namespaces },
      ...agentAndSecretRules(namespaces),
    ];
  }
  // The subject of the test context tokens, bound to create Tasks as an RBAC user would be.
  rules[CONTEXT_SUBJECT] = [
    {
      verbs: ['create'],
      apiGroups: ['core.orka.ai'],
      resources: ['tasks'],
      namespaces: [...NAMESPACES],
    },
    ...agentAndSecretRules([...NAMESPACES]),
  ];
  const standin = await startStandinWithChartRbac({ authorizer: ruleAuthorizer(rules) });
  const admin = standin.kubeConfig;
  const core = admin.makeApiClient(CoreV1Api);
  const extensions = admin.makeApiClient(ApiextensionsV1Api);
  for (const info of KINDS.filter((kind) => kind.group === 'core.orka.ai')) {
    await extensions.createCustomResourceDefinition({
      body: buildCrd(info) as unknown as V1CustomResourceDefinition,
    });
  }
  const controllerConfig = componentKubeConfig(standin);
  // The worker ServiceAccount and its RoleBinding, made by the controller as it does before a Job.
  const workers = workerRbac(
    controllerConfig.makeApiClient(CoreV1Api),
    controllerConfig.makeApiClient(RbacAuthorizationV1Api),
  );
  for (const namespace of NAMESPACES) {
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    await workers.ensure(namespace);
  }
  await workers.ensure('orka-system');
  const clientTokens: Record<string, string> = {};
  for (const namespace of NAMESPACES) {
    clientTokens[namespace] = standin.addUser({
      username: clientOf(namespace),
      groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`],
    });
  }
  const noRbac = standin.addUser({
    username: 'system:serviceaccount:team-a:no-rbac',
    groups: ['system:serviceaccounts'],
  });

  const keyServer = await startKeyServer();
  const contextKey: TestKey = await makeKey('ctx-1');
  keyServer.contextKeys = [contextKey.publicJwk];
  const oidcKey: TestKey = await makeKey('oidc-1');
  keyServer.oidcKeys = [oidcKey.publicJwk];
  const contextConfig: ContextTokenConfig = {
    profile: 'kontxt',
    issuer: `${keyServer.url}${CONTEXT_ISSUER_PATH}`,
    audience: CONTEXT_AUDIENCE,
    jwksUrl: `${keyServer.url}/ctx/jwks`,
    headers: [{ name: 'Txn-Token', scheme: '' }],
  };

  const dir = await mkdtemp(join(tmpdir(), 'orka-api-'));
  const storePath = join(dir, 'orka.db');
  const store = openStore(storePath);
  const logs: Record<string, unknown>[] = [];
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line === '') continue;
        lines.push(line);
        logs.push(JSON.parse(line));
      }
      done();
    },
  });
  const logger = pino({ level: 'debug' }, sink);
  options.beforeApi?.(standin);
  const app = createApiServer({
    store,
    authenticator: new Authenticator({
      reviewToken: kubernetesTokenReviewer(controllerConfig),
      contextToken: contextConfig,
      // Discovery, not a JWKS URL: the issuer's /.well-known/openid-configuration names /jwks.
      oidc: parseOidcConfig({
        issuer: keyServer.url,
        audience: OIDC_AUDIENCE,
        namespaceClaim: OIDC_NAMESPACE_CLAIM,
      }),
    }),
    contextTokenVerifier: new ContextTokenVerifier(contextConfig),
    kube: kubernetesAccess(controllerConfig),
    config: {
      namespaces: {
        watchNamespace: options.watchNamespace ?? '',
        enforceIsolation: options.enforceIsolation ?? false,
      },
      contextTokenAuthz: parseContextTokenAuthzConfig({ mode: options.authzMode ?? 'enforce' }),
    },
    logger,
    readCache: options.readCache
      ? { kubeConfig: controllerConfig, watchNamespace: options.watchNamespace ?? '' }
      : null,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const custom = admin.makeApiClient(CustomObjectsApi);
  const batch = admin.makeApiClient(BatchV1Api);
  const tasks = (namespace: string) => ({
    group: 'core.orka.ai',
    version: 'v1alpha1',
    plural: 'tasks',
    namespace,
  });
  const task = (namespace: string, name: string) => ({ ...tasks(namespace), name });

  const harness: Harness = {
    url,
    standin,
    store,
    storePath,
    app,
    logs,
    logText: () => lines.join('\n'),
    tokens: { client: clientTokens, noRbac },
    custom,
    keyServer,
    async request(method, path, request = {}) {
      const headers: Record<string, string> = { ...request.headers };
      if (request.token !== undefined) headers.authorization = `Bearer ${request.token}`;
      if (request.contextToken !== undefined) headers['txn-token'] = request.contextToken;
      let body: string | Buffer | undefined;
      if (request.body !== undefined) {
        body = JSON.stringify(request.body);
        headers['content-type'] = 'application/json';
      } else if (request.raw !== undefined) {
        body = request.raw;
        headers['content-type'] = request.contentType ?? 'application/octet-stream';
      }
      const response = await fetch(`${url}${path}`, { method, headers, body });
      const text = await response.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: response.status, text, json, headers: response.headers };
    },
    async putTask(namespace, name, spec = agentTaskSpec(), status, metadata = {}) {
      await custom.createNamespacedCustomObject({
        ...tasks(namespace),
        body: {
          apiVersion: 'core.orka.ai/v1alpha1',
          kind: 'Task',
          metadata: { name, ...metadata },
          spec,
        },
      });
      if (status !== undefined) {
        await custom.patchNamespacedCustomObjectStatus(
          { ...task(namespace, name), body: { status } },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        );
      }
      return (await custom.getNamespacedCustomObject(task(namespace, name))) as Record<
        string,
        unknown
      >;
    },
    async getTask(namespace, name) {
      try {
        return (await custom.getNamespacedCustomObject(task(namespace, name))) as Record<
          string,
          unknown
        >;
      } catch {
        return null;
      }
    },
    async startWorker(namespace, taskName, spec) {
      const jobName = `${taskName}-job-0`;
      await harness.putTask(namespace, taskName, spec, { phase: 'Running', jobName });
      const job = await batch.createNamespacedJob({
        namespace,
        body: {
          metadata: { name: jobName },
          spec: {
            template: {
              spec: {
                restartPolicy: 'Never',
                containers: [{ name: 'worker', image: 'orka/worker' }],
              },
            },
          },
        },
      });
      const podName = `${jobName}-pod`;
      const pod = await core.createNamespacedPod({
        namespace,
        body: {
          metadata: {
            name: podName,
            labels: { 'job-name': jobName, 'orka.ai/task': taskName },
            ownerReferences: [
              {
                apiVersion: 'batch/v1',
                kind: 'Job',
                name: jobName,
                uid: job.metadata!.uid!,
                controller: true,
              },
            ],
          },
          spec: {
            serviceAccountName: 'orka-worker',
            restartPolicy: 'Never',
            containers: [{ name: 'worker', image: 'orka/worker' }],
          },
        },
      });
      const request = await core.createNamespacedServiceAccountToken({
        namespace,
        name: 'orka-worker',
        body: {
          spec: {
            audiences: [],
            boundObjectRef: {
              apiVersion: 'v1',
              kind: 'Pod',
              name: podName,
              uid: pod.metadata!.uid!,
            },
          },
        },
      });
      return { token: request.status!.token!, podName, jobName };
    },
    async contextToken(claims) {
      const now = Math.floor(Date.now() / 1000);
      return await signRaw(
        { alg: 'RS256', typ: 'txntoken+jwt', kid: contextKey.kid },
        {
          iss: contextConfig.issuer,
          aud: CONTEXT_AUDIENCE,
          sub: CONTEXT_SUBJECT,
          iat: now,
          exp: now + 600,
          txn: 'txn-1',
          scope: 'orka:tasks:create orka:tasks:get orka:tasks:list',
          req_wl: 'spiffe://example/ns/team-a/sa/app',
          ...claims,
        },
        contextKey,
      );
    },
    async oidcToken(username, claims = {}) {
      const now = Math.floor(Date.now() / 1000);
      return await signRaw(
        { alg: 'RS256', typ: 'JWT', kid: oidcKey.kid },
        {
          iss: keyServer.url,
          aud: OIDC_AUDIENCE,
          sub: `sub-${username}`,
          preferred_username: username,
          iat: now,
          exp: now + 600,
          ...claims,
        },
        oidcKey,
      );
    },
    async close() {
      await app.close();
      store.close();
      await standin.stop();
      await keyServer.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return harness;
}
