// helm lint, and values.schema.json as helm applies it: good values render, each bad value is
// refused by helm with a message naming the key.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CHART_DIR, HELM_UNAVAILABLE, helm } from './chart.ts';

test('helm and kubectl are available to test the chart', (t) => {
  if (!HELM_UNAVAILABLE) return;
  process.stderr.write(`\n*** ${HELM_UNAVAILABLE} ***\n\n`);
  if (process.env.CI) assert.fail(HELM_UNAVAILABLE);
  t.skip(HELM_UNAVAILABLE);
});

describe('helm lint charts/orka', { skip: HELM_UNAVAILABLE }, () => {
  const cases: [string, unknown][] = [
    ['default values', undefined],
    ['sandbox', { controller: { agentSandbox: { enabled: true, defaultTemplate: 'coding' } } }],
    ['isolation', { controller: { enforceNamespaceIsolation: true, maxTasksPerNamespace: 5 } }],
    ['OIDC', { controller: { oidc: { issuer: 'https://idp.example.com', audience: 'orka' } } }],
    ['persistence', { store: { persistence: { enabled: true } } }],
    ['policies', { networkPolicy: { workerEgress: { enabled: true } } }],
  ];
  for (const [name, values] of cases) {
    test(name, () => {
      const result = helm(['lint', CHART_DIR, '--strict'], values);
      assert.equal(result.status, 0, result.stdout + result.stderr);
      assert.match(result.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
    });
  }
});

describe('values.schema.json refuses bad values', { skip: HELM_UNAVAILABLE }, () => {
  const cases: { name: string; values: unknown; names: RegExp }[] = [
    {
      name: 'a failurePolicy Kubernetes does not know',
      values: { webhook: { failurePolicy: 'Never' } },
      names: /webhook\.failurePolicy/,
    },
    {
      name: 'no webhook worker process',
      values: { webhook: { workers: 0 } },
      names: /webhook\.workers/,
    },
    {
      name: 'a second controller replica (one SQLite writer)',
      values: { controller: { replicas: 2 } },
      names: /controller\.replicas/,
    },
    {
      name: 'an unknown sandbox cleanup policy',
      values: { controller: { agentSandbox: { cleanupPolicy: 'forever' } } },
      names: /controller\.agentSandbox\.cleanupPolicy/,
    },
    {
      name: 'a claim timeout that is not a Go duration',
      values: { controller: { agentSandbox: { claimTimeout: 'two minutes' } } },
      names: /controller\.agentSandbox\.claimTimeout/,
    },
    {
      name: 'a misspelt key',
      values: { controller: { enforceNamespaceIsolaton: true } },
      names: /enforceNamespaceIsolaton/,
    },
    {
      name: 'a flag the CLI does not accept (leader election)',
      values: { controller: { leaderElect: true } },
      names: /leaderElect/,
    },
    {
      name: 'a writable root filesystem',
      values: { securityContext: { readOnlyRootFilesystem: false } },
      names: /securityContext\.readOnlyRootFilesystem/,
    },
    {
      name: 'a negative task limit',
      values: { controller: { maxTasksPerNamespace: -1 } },
      names: /controller\.maxTasksPerNamespace/,
    },
    {
      name: 'a model endpoint that is not a CIDR',
      values: { networkPolicy: { workerEgress: { modelEndpoints: [{ cidr: 'api.example' }] } } },
      names: /networkPolicy\.workerEgress\.modelEndpoints/,
    },
    {
      name: 'an unknown context-token authorization mode',
      values: { controller: { contextToken: { authzMode: 'strict' } } },
      names: /controller\.contextToken\.authzMode/,
    },
  ];
  for (const { name, values, names } of cases) {
    test(name, () => {
      const result = helm(['template', 'orka', CHART_DIR], values);
      assert.notEqual(result.status, 0, `helm accepted ${JSON.stringify(values)}`);
      assert.match(result.stderr, /values don't meet the specifications of the schema/);
      assert.match(result.stderr, names);
    });
  }
});
