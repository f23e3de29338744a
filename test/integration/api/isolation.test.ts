// The isolation matrix (DESIGN §7, reference §4.4): with --enforce-namespace-isolation, every kind
// of caller (ServiceAccount, context token, OIDC with the namespace claim) is confined to its
// namespace on every endpoint, and an OIDC caller without the claim reaches none; each cross
// access is a 403 and a security log line naming the caller and IP.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CONTEXT_SUBJECT,
  clientOf,
  type Harness,
  NAMESPACES,
  OIDC_NAMESPACE_CLAIM,
  OIDC_USERS,
  startHarness,
} from './harness.ts';

/** The OIDC user RBAC binds to `namespace` alone. */
const oidcUserOf = (namespace: string) =>
  Object.entries(OIDC_USERS).find(
    ([, namespaces]) => namespaces.length === 1 && namespaces[0] === namespace,
  )![0];
const UNBOUND_OIDC_USER = 'carol@nowhere';

const ALL_SCOPES = [
  'orka:tasks:create',
  'orka:tasks:get',
  'orka:tasks:list',
  'orka:tasks:delete',
  'orka:sessions:read',
  'orka:sessions:write',
  'orka:agents:read',
  'orka:agents:write',
  'orka:secrets:read',
].join(' ');

type Endpoint = [
  name: string,
  method: string,
  path: (ns: string) => string,
  body?: (ns: string) => unknown,
];

const ENDPOINTS: Endpoint[] = [
  ['list tasks', 'GET', (ns) => `/api/v1/tasks?namespace=${ns}`],
  ['get task', 'GET', (ns) => `/api/v1/tasks/t1?namespace=${ns}`],
  ['task result', 'GET', (ns) => `/api/v1/tasks/t1/result?namespace=${ns}`],
  ['task logs', 'GET', (ns) => `/api/v1/tasks/t1/logs?namespace=${ns}`],
  ['task artifacts', 'GET', (ns) => `/api/v1/tasks/t1/artifacts?namespace=${ns}`],
  ['artifact download', 'GET', (ns) => `/api/v1/tasks/t1/artifacts/a.txt?namespace=${ns}`],
  ['list sessions', 'GET', (ns) => `/api/v1/sessions?namespace=${ns}`],
  ['get session', 'GET', (ns) => `/api/v1/sessions/s1?namespace=${ns}`],
  ['delete session', 'DELETE', (ns) => `/api/v1/sessions/s1?namespace=${ns}`],
  ['list agents', 'GET', (ns) => `/api/v1/agents?namespace=${ns}`],
  ['get agent', 'GET', (ns) => `/api/v1/agents/a1?namespace=${ns}`],
  ['delete task', 'DELETE', (ns) => `/api/v1/tasks/gone?namespace=${ns}`],
  ['task children', 'GET', (ns) => `/api/v1/tasks/t1/children?namespace=${ns}`],
  ['task plan', 'GET', (ns) => `/api/v1/tasks/t1/plan?namespace=${ns}`],
  ['list secrets', 'GET', (ns) => `/api/v1/secrets?namespace=${ns}`],
  [
    'create agent',
    'POST',
    () => '/api/v1/agents',
    (ns) => ({ name: `agent-${ns}`, namespace: ns, spec: { runtime: { type: 'claude' } } }),
  ],
  [
    'update agent',
    'PUT',
    (ns) => `/api/v1/agents/agent-${ns}?namespace=${ns}`,
    () => ({ spec: { runtime: { type: 'codex' } } }),
  ],
  ['delete agent', 'DELETE', (ns) => `/api/v1/agents/a1?namespace=${ns}`],
  [
    'create task',
    'POST',
    () => '/api/v1/tasks',
    (ns) => ({ name: `new-${ns}`, namespace: ns, type: 'ai', ai: { prompt: 'p' } }),
  ],
];

describe('namespace isolation matrix', () => {
  let h: Harness;
  const callers: {
    kind: string;
    namespace: string;
    credentials: () => Promise<{ token?: string; contextToken?: string }>;
  }[] = [];
  before(async () => {
    h = await startHarness({ enforceIsolation: true, authzMode: 'enforce' });
    for (const namespace of NAMESPACES) {
      await h.putTask(namespace, 't1');
      callers.push({
        kind: 'serviceAccount',
        namespace,
        credentials: async () => ({ token: h.tokens.client[namespace]! }),
      });
      callers.push({
        kind: 'contextToken',
        namespace,
        credentials: async () => ({
          contextToken: await h.contextToken({ scope: ALL_SCOPES, tctx: { namespace } }),
        }),
      });
      callers.push({
        kind: 'oidc',
        namespace,
        credentials: async () => ({
          token: await h.oidcToken(oidcUserOf(namespace), { [OIDC_NAMESPACE_CLAIM]: namespace }),
        }),
      });
    }
  });
  after(() => h.close());

  test('every cross-namespace access is 403 and logged; same-namespace access is never 403', async () => {
    let crossChecked = 0;
    for (const caller of callers) {
      for (const target of NAMESPACES) {
        for (const [name, method, path, body] of ENDPOINTS) {
          const credentials = await caller.credentials();
          const logsBefore = h.logs.length;
          const response = await h.request(method, path(target), {
            ...credentials,
            body: body?.(target),
          });
          const where = `${caller.kind}@${caller.namespace} → ${target}: ${name}`;
          if (target === caller.namespace) {
            assert.ok(
              ![401, 403, 500].includes(response.status),
              `${where}: ${response.status} ${response.text}`,
            );
            continue;
          }
          crossChecked++;
          assert.equal(response.status, 403, `${where}: ${response.text}`);
          assert.equal(
            response.json.error.message,
            `namespace "${target}" not allowed, restricted to "${caller.namespace}"`,
            where,
          );
          const logged = h.logs
            .slice(logsBefore)
            .find((line) => line.msg === 'namespace access denied: isolation violation');
          assert.ok(logged, `${where}: no security log line`);
          assert.equal(logged.requestedNamespace, target);
          assert.equal(logged.userNamespace, caller.namespace);
          assert.equal(logged.ip, '127.0.0.1');
          assert.equal(typeof logged.username, 'string');
        }
      }
    }
    assert.equal(crossChecked, callers.length * ENDPOINTS.length);
  });

  test('the Tasks the matrix created exist only where their callers belong', async () => {
    for (const namespace of NAMESPACES) {
      const task = (await h.getTask(namespace, `new-${namespace}`)) as {
        spec: { requestedBy: { username: string } };
      } | null;
      assert.ok(task, `new-${namespace}`);
      assert.ok(
        [clientOf(namespace), CONTEXT_SUBJECT, oidcUserOf(namespace)].includes(
          task.spec.requestedBy.username,
        ),
      );
      const other = NAMESPACES.find((ns) => ns !== namespace)!;
      assert.equal(await h.getTask(other, `new-${namespace}`), null);
    }
  });

  test('an OIDC caller bound by the claim creates Tasks in its namespace as itself', async () => {
    const token = await h.oidcToken(oidcUserOf('team-b'), { [OIDC_NAMESPACE_CLAIM]: 'team-b' });
    const created = await h.request('POST', '/api/v1/tasks', {
      token,
      body: { name: 'oidc-made', namespace: 'team-b', type: 'ai', ai: { prompt: 'p' } },
    });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.json.spec.requestedBy.username, oidcUserOf('team-b'));
    assert.equal(created.json.spec.requestedBy.subject, `sub-${oidcUserOf('team-b')}`);
    assert.equal(created.json.spec.requestedBy.issuer, h.keyServer.url);
  });

  test('an OIDC caller without the namespace claim is refused on every endpoint of every namespace, and each refusal is logged', async () => {
    const token = await h.oidcToken(UNBOUND_OIDC_USER);
    let refused = 0;
    for (const target of NAMESPACES) {
      for (const [name, method, path, body] of ENDPOINTS) {
        const logsBefore = h.logs.length;
        const response = await h.request(method, path(target), { token, body: body?.(target) });
        const where = `unbound oidc → ${target}: ${name}`;
        assert.equal(response.status, 403, `${where}: ${response.text}`);
        assert.equal(
          response.json.error.message,
          `namespace "${target}" not allowed, caller is not bound to a namespace`,
          where,
        );
        const logged = h.logs
          .slice(logsBefore)
          .find((line) => line.msg === 'namespace access denied: isolation violation');
        assert.ok(logged, `${where}: no security log line`);
        assert.equal(logged.username, UNBOUND_OIDC_USER);
        assert.equal(logged.userNamespace, '');
        assert.equal(logged.requestedNamespace, target);
        assert.equal(logged.ip, '127.0.0.1');
        refused++;
      }
    }
    assert.equal(refused, NAMESPACES.length * ENDPOINTS.length);
  });

  test('an OIDC caller whose claim names another namespace cannot reach this one by asking for it', async () => {
    const token = await h.oidcToken(oidcUserOf('team-a'), { [OIDC_NAMESPACE_CLAIM]: 'team-a' });
    const response = await h.request('GET', '/api/v1/tasks/t1?namespace=team-b', { token });
    assert.equal(response.status, 403);
    const unknownIssuer = await h.request('GET', '/api/v1/tasks/t1?namespace=team-a', {
      token: await h.oidcToken(oidcUserOf('team-a'), {
        [OIDC_NAMESPACE_CLAIM]: 'team-a',
        iss: 'https://elsewhere.example',
      }),
    });
    assert.equal(unknownIssuer.status, 401, 'a token of another issuer is not an OIDC caller');
  });

  test('a context token whose tctx names another namespace is refused even without isolation of SA callers', async () => {
    const token = await h.contextToken({ scope: ALL_SCOPES, tctx: { namespace: 'team-a' } });
    const response = await h.request('GET', '/api/v1/tasks?namespace=team-b', {
      contextToken: token,
    });
    assert.equal(response.status, 403);
  });
});
