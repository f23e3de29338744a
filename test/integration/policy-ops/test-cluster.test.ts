// `orka policy test --cluster` against the stand-in: local suites and manifests evaluated with the
// AdmissionPolicies deployed in the cluster, the built-ins the command's flags switch on, and live
// Agents and Namespaces (including a per-namespace action override).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parse } from 'yaml';
import { BASH_RESERVED, orka, type SeededCluster, seededCluster } from './cluster.ts';

const SUITE = `# cases only: with --cluster the deployed policies are used
cases:
- name: alice may not use Bash in team-a
  user: alice
  groups: [dev]
  object:
    apiVersion: core.orka.ai/v1alpha1
    kind: Task
    metadata: { name: t1, namespace: team-a }
    spec: { type: agent, agentRef: { name: claude }, prompt: go }
  expect:
    allowed: false
    denials: ["bash-reserved: Bash is reserved for platform,sre (requested by alice)"]
- name: team-b lowers bash-reserved to Warn by label
  user: carol
  groups: [dev]
  object:
    apiVersion: core.orka.ai/v1alpha1
    kind: Task
    metadata: { name: t2, namespace: team-b }
    spec: { type: agent, agentRef: { name: claude }, prompt: go }
  expect:
    allowed: true
    warnings: ["bash-reserved: Bash is reserved"]
- name: team-c's live Agent has no Bash
  user: dave
  groups: [dev]
  object:
    apiVersion: core.orka.ai/v1alpha1
    kind: Task
    metadata: { name: t3, namespace: team-c }
    spec: { type: agent, agentRef: { name: claude }, prompt: go }
  expect:
    allowed: true
`;

const MANIFESTS = `apiVersion: core.orka.ai/v1alpha1
kind: Agent
metadata: { name: bash-agent, namespace: team-c }
spec: { runtime: { type: claude } }
---
apiVersion: core.orka.ai/v1alpha1
kind: Task
metadata: { name: uses-new-agent, namespace: team-c }
spec: { type: agent, agentRef: { name: bash-agent }, prompt: go }
---
apiVersion: core.orka.ai/v1alpha1
kind: Task
metadata: { name: uses-live-agent, namespace: team-c }
spec: { type: agent, agentRef: { name: claude }, prompt: go }
`;

const CROSS_NAMESPACE = `apiVersion: core.orka.ai/v1alpha1
kind: Task
metadata: { name: borrow, namespace: team-c }
spec: { type: agent, agentRef: { name: claude, namespace: team-a }, prompt: go, agentRuntime: { allowBash: false } }
`;

describe('orka policy test --cluster', () => {
  let cluster: SeededCluster;
  before(async () => {
    cluster = await seededCluster();
    const deploy = (text: string) =>
      cluster.custom.createClusterCustomObject({
        group: 'policy.orka.ai',
        version: 'v1alpha1',
        plural: 'admissionpolicies',
        body: parse(text),
      });
    await deploy(BASH_RESERVED);
    await deploy(
      BASH_RESERVED.replace('bash-reserved', 'broken').replace(
        '!effective.allowBash',
        'effective.nope +',
      ),
    );
  });
  after(() => cluster.stop());

  test('a suite runs against the deployed policies and live objects', async () => {
    const suite = cluster.file('bash.test.yaml', SUITE);
    const result = await orka([
      'policy',
      'test',
      '--cluster',
      '--kubeconfig',
      cluster.kubeconfig,
      suite,
    ]);
    assert.equal(result.code, 0, result.stdout);
    assert.deepEqual(result.stdout.trimEnd().split('\n'), [
      `PASS ${suite}: alice may not use Bash in team-a`,
      `PASS ${suite}: team-b lowers bash-reserved to Warn by label`,
      `PASS ${suite}: team-c's live Agent has no Bash`,
      '3 cases, 3 passed, 0 failed',
    ]);
    assert.match(result.stderr, /AdmissionPolicy "broken" does not compile and is left out/);
    assert.match(result.stderr, /against the cluster: 5 built-in and 1 custom policies/);
  });

  test('the same suite offline has no deployed policy, so its expectations fail', async () => {
    const suite = cluster.file('offline.test.yaml', SUITE);
    const result = await orka(['policy', 'test', suite]);
    assert.equal(result.code, 1);
    assert.match(
      result.stdout,
      /FAIL .*alice may not use Bash in team-a: expected denied, was allowed/,
    );
  });

  test('manifests: an Agent in the same files wins over the live one; each document a line', async () => {
    const file = cluster.file('apply.yaml', MANIFESTS);
    const result = await orka([
      'policy',
      'test',
      '--cluster',
      '--kubeconfig',
      cluster.kubeconfig,
      file,
    ]);
    assert.equal(result.code, 1);
    const lines = result.stdout.trimEnd().split('\n');
    assert.equal(lines[0], `ALLOWED ${file}: Agent team-c/bash-agent`);
    assert.equal(
      lines[1],
      `DENIED ${file}: Task team-c/uses-new-agent: bash-reserved: Bash is reserved for platform,sre (requested by orka-cli)`,
    );
    assert.equal(lines[2], `ALLOWED ${file}: Task team-c/uses-live-agent`);
    assert.equal(lines.at(-1), '3 cases, 2 passed, 1 failed');
  });

  const isolation: [string, string[], number, RegExp][] = [
    ['isolation off (default)', [], 0, /^ALLOWED .*Task team-c\/borrow$/m],
    [
      'isolation switched on by the flag',
      ['--enforce-namespace-isolation'],
      1,
      /^DENIED .*Task team-c\/borrow: orka-namespace-isolation: /m,
    ],
  ];
  for (const [name, flags, code, line] of isolation) {
    test(`built-ins follow the command's controller flags: ${name}`, async () => {
      const file = cluster.file('cross.yaml', CROSS_NAMESPACE);
      const result = await orka([
        'policy',
        'test',
        '--cluster',
        '--kubeconfig',
        cluster.kubeconfig,
        ...flags,
        file,
      ]);
      assert.equal(result.code, code, result.stdout);
      assert.match(result.stdout, line);
    });
  }

  test('--cluster without paths is a usage error', async () => {
    const result = await orka(['policy', 'test', '--cluster', '--kubeconfig', cluster.kubeconfig]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--cluster needs suite files, folders or manifests/);
  });
});
