// `orka policy replay` against the Kubernetes API stand-in: live Tasks with requestedBy, live
// Agents and Namespaces (with an action override label), a params ConfigMap; read-only.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BASH_RESERVED, orka, type SeededCluster, seededCluster } from './cluster.ts';

describe('orka policy replay', () => {
  let cluster: SeededCluster;
  let policy: string;
  before(async () => {
    cluster = await seededCluster();
    policy = cluster.file('bash-reserved.yaml', BASH_RESERVED);
  });
  after(() => cluster.stop());

  test('one line per would-be denial or warning, grouped per namespace, and a summary; exit 1', async () => {
    const result = await orka([
      'policy',
      'replay',
      '--policy',
      policy,
      '--kubeconfig',
      cluster.kubeconfig,
    ]);
    assert.equal(result.stderr, '');
    assert.equal(result.code, 1);
    assert.deepEqual(result.stdout.trimEnd().split('\n'), [
      'team-a/fix-tests: deny: Bash is reserved for platform,sre (requested by alice)',
      'namespace team-a: 4 objects, 3 matched, 1 denied, 0 warned, 0 audited, 0 evaluation errors',
      'team-b/refactor: warn: Bash is reserved for platform,sre (requested by carol)',
      'namespace team-b: 2 objects, 1 matched, 0 denied, 1 warned, 0 audited, 0 evaluation errors',
      // docs uses team-c's Agent (no Bash); borrowed-agent uses team-a's Agent (Bash allowed)
      'team-c/borrowed-agent: deny: Bash is reserved for platform,sre (requested by erin)',
      'namespace team-c: 3 objects, 2 matched, 1 denied, 0 warned, 0 audited, 0 evaluation errors',
      'summary: policy bash-reserved: 3 namespaces, 9 objects, 6 matched, 2 denied, 1 warned, 0 audited, 0 evaluation errors',
    ]);
  });

  test('replay only reads: every request it makes is a get or a list', async () => {
    const before = cluster.standin.requestLog.length;
    await orka(['policy', 'replay', '--policy', policy, '--kubeconfig', cluster.kubeconfig]);
    const made = cluster.standin.requestLog.slice(before);
    assert.ok(made.length > 0);
    assert.deepEqual([...new Set(made.map((record) => record.verb))].sort(), ['get', 'list']);
  });

  test('--watch-namespace limits the replay; a warning alone exits 0', async () => {
    const result = await orka([
      'policy',
      'replay',
      '--policy',
      policy,
      '--kubeconfig',
      cluster.kubeconfig,
      '--watch-namespace',
      'team-b',
    ]);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^team-b\/refactor: warn: /);
    assert.doesNotMatch(result.stdout, /team-a|team-c/);
  });

  test('an Audit candidate lists audit lines and exits 0', async () => {
    const audit = cluster.file('audit.yaml', BASH_RESERVED.replace('[Deny]', '[Audit]'));
    const result = await orka([
      'policy',
      'replay',
      '--policy',
      audit,
      '--kubeconfig',
      cluster.kubeconfig,
    ]);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^team-a\/fix-tests: audit: Bash is reserved/m);
    // team-b's Warn label never raises an Audit policy
    assert.match(result.stdout, /^team-b\/refactor: audit: /m);
    assert.match(result.stdout, /0 denied, 0 warned, 3 audited/);
  });

  test('-o json carries findings, namespace tallies and the summary', async () => {
    const result = await orka([
      'policy',
      'replay',
      '--policy',
      policy,
      '--kubeconfig',
      cluster.kubeconfig,
      '-o',
      'json',
    ]);
    const report = JSON.parse(result.stdout) as {
      findings: { namespace: string; name: string; kind: string; action: string }[];
      namespaces: Record<string, { denied: number }>;
      summary: { objects: number; denied: number };
    };
    assert.deepEqual(
      report.findings.map((f) => `${f.kind} ${f.namespace}/${f.name} ${f.action}`),
      [
        'Task team-a/fix-tests deny',
        'Task team-b/refactor warn',
        'Task team-c/borrowed-agent deny',
      ],
    );
    assert.equal(report.namespaces['team-c']?.denied, 1);
    assert.equal(report.summary.objects, 9);
  });

  test('a missing params ConfigMap is an evaluation error, a denial under failurePolicy Fail', async () => {
    const broken = cluster.file(
      'broken.yaml',
      BASH_RESERVED.replace('name: bash-admins', 'name: nowhere'),
    );
    const result = await orka([
      'policy',
      'replay',
      '--policy',
      broken,
      '--kubeconfig',
      cluster.kubeconfig,
    ]);
    assert.equal(result.code, 1);
    assert.match(
      result.stdout,
      /team-a\/fix-tests: deny: spec.paramRef: params ConfigMap "orka-system\/nowhere" not found/,
    );
    assert.match(result.stdout, /6 evaluation errors/);
  });

  const failures: [string, string[], RegExp][] = [
    ['no --policy', [], /--policy FILE is required/],
    ['a file with two policies', ['two'], /expected exactly one AdmissionPolicy, found 2/],
    ['a policy that does not compile', ['bad'], /AdmissionPolicy "bad" refused/],
    ['no Kubernetes access', ['nokube'], /no Kubernetes access/],
  ];
  for (const [name, setup, message] of failures) {
    test(`exit 2 with a one-line reason: ${name}`, async () => {
      const args = ['policy', 'replay'];
      if (setup[0] === 'two') {
        args.push(
          '--policy',
          cluster.file(
            'two.yaml',
            `${BASH_RESERVED}---\n${BASH_RESERVED.replace('bash-reserved', 'other')}`,
          ),
        );
      } else if (setup[0] === 'bad') {
        args.push(
          '--policy',
          cluster.file(
            'bad.yaml',
            BASH_RESERVED.replace('bash-reserved', 'bad').replace(
              '!effective.allowBash',
              'effective.nope +',
            ),
          ),
        );
      } else if (setup[0] === 'nokube') {
        args.push('--policy', policy);
      }
      if (setup[0] !== 'nokube') args.push('--kubeconfig', cluster.kubeconfig);
      const result = await orka(args, { HOME: cluster.dir });
      assert.equal(result.code, 2);
      assert.equal(result.stdout, '');
      assert.match(result.stderr, message);
      assert.equal(result.stderr.trimEnd().split('\n').length, 1);
    });
  }

  test('an unreachable cluster is exit 2 naming what was being read', async () => {
    const dead = cluster.file(
      'dead-kubeconfig',
      cluster.standin
        .kubeconfigFor('kubernetes-admin')
        .replace(cluster.standin.url, 'https://127.0.0.1:1'),
    );
    const result = await orka(['policy', 'replay', '--policy', policy, '--kubeconfig', dead]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /reading (tasks|agents) in all namespaces/);
  });
});
