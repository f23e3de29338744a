// `orka policy eval|test|show` as child processes, against real files in a temporary folder.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const orka = join(root, 'bin/orka');
const examples = join(root, 'examples/policies');
const dir = mkdtempSync(join(tmpdir(), 'orka-policy-cli-'));

function run(...args: string[]) {
  return spawnSync(process.execPath, [orka, ...args], { encoding: 'utf8', cwd: root });
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const task = file(
  'task.yaml',
  `apiVersion: core.orka.ai/v1alpha1
kind: Task
metadata: { name: fix-tests }
spec:
  type: agent
  agentRef: { name: claude-agent }
  prompt: Fix the tests
  workspace: { gitRepo: "https://github.com/upstream/repo.git" }
`,
);
const badPriority = file(
  'bad.yaml',
  `apiVersion: core.orka.ai/v1alpha1
kind: Task
metadata: { name: bad }
spec: { type: agent, agentRef: { name: a }, prompt: p, priority: 5000 }
`,
);
const allowlist = join(examples, 'git-host-allowlist.yaml');

describe('orka policy eval', () => {
  test('-o json: the contract shape, denial without prefix, exit 1', () => {
    const result = run(
      'policy',
      'eval',
      '--resource',
      task,
      '--policies',
      allowlist,
      '--no-builtin',
      '-o',
      'json',
    );
    assert.equal(result.status, 1, result.stderr);
    const output = JSON.parse(result.stdout);
    assert.deepEqual(Object.keys(output), [
      'allowed',
      'denials',
      'warnings',
      'auditAnnotations',
      'patch',
    ]);
    assert.equal(output.allowed, false);
    assert.deepEqual(output.denials, [
      {
        policy: 'git-host-allowlist',
        message:
          'repository https://github.com/upstream/repo.git is not on an allowed git host (github.com/example, git.example.com)',
        reason: 'Forbidden',
      },
    ]);
    assert.deepEqual(output.patch, [
      { op: 'add', path: '/spec/priority', value: 500 },
      {
        op: 'add',
        path: '/spec/requestedBy',
        value: { username: 'orka-cli', groups: ['system:authenticated'] },
      },
    ]);
  });

  test('text output, allowed, exit 0', () => {
    const result = run('policy', 'eval', '--resource', task, '--no-builtin');
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^ALLOWED/);
  });

  test('schema failures first, policy schema, reason Invalid', () => {
    const result = run('policy', 'eval', '--resource', badPriority, '--no-builtin', '-o', 'json');
    assert.equal(result.status, 1);
    const output = JSON.parse(result.stdout);
    assert.equal(output.denials[0].policy, 'schema');
    assert.equal(output.denials[0].reason, 'Invalid');
    assert.match(output.denials[0].message, /^spec\.priority: Invalid value: 5000/);
  });

  test('--groups and --user reach requester', () => {
    const bash = join(examples, 'bash-reserved.yaml');
    const denied = run('policy', 'eval', '--resource', task, '--policies', bash, '--no-builtin');
    assert.equal(denied.status, 1);
    assert.match(denied.stdout, /bash-reserved-for-platform: Bash is reserved/);
    const allowed = run(
      'policy',
      'eval',
      '--resource',
      task,
      '--policies',
      bash,
      '--no-builtin',
      '--groups',
      'platform',
    );
    assert.equal(allowed.status, 0, allowed.stdout);
  });

  test('usage errors exit 2 with a one-line reason', () => {
    const missing = run('policy', 'eval');
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /--resource FILE is required/);
    const bad = run('policy', 'eval', '--resource', join(dir, 'nope.yaml'));
    assert.equal(bad.status, 2);
    assert.equal(bad.stdout, '');
  });

  test('a policy that does not compile is refused with its path and position, exit 2', () => {
    const broken = file(
      'broken.yaml',
      `apiVersion: policy.orka.ai/v1alpha1
kind: AdmissionPolicy
metadata: { name: broken }
spec:
  matchConstraints:
    resourceRules: [{ apiGroups: ["*"], apiVersions: ["*"], resources: ["*"], operations: ["*"] }]
  validations:
  - expression: "object.spec.("
`,
    );
    const result = run('policy', 'eval', '--resource', task, '--policies', broken);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /spec\.validations\[0\]\.expression: .*line 1, column/);
  });
});

describe('orka policy test', () => {
  test('the example suites pass', () => {
    const result = run('policy', 'test', examples);
    assert.equal(result.status, 0, result.stdout + result.stderr);
    assert.match(
      result.stdout,
      /^PASS .*bash-reserved\.test\.yaml: a platform member may run Bash$/m,
    );
    assert.match(result.stdout, /^\d+ cases, \d+ passed, 0 failed$/m);
  });

  test('a failing suite exits 1 and says why', () => {
    const suite = file(
      'failing.test.yaml',
      `policies: [${allowlist}]
builtin: false
cases:
- name: wrongly expected allowed
  object:
    apiVersion: core.orka.ai/v1alpha1
    kind: Task
    metadata: { name: t, namespace: default }
    spec: { type: agent, agentRef: { name: a }, prompt: p, workspace: { gitRepo: "https://evil.example/x.git" } }
  expect: { allowed: true }
- name: rightly expected denied
  object:
    apiVersion: core.orka.ai/v1alpha1
    kind: Task
    metadata: { name: t, namespace: default }
    spec: { type: agent, agentRef: { name: a }, prompt: p, workspace: { gitRepo: "https://evil.example/x.git" } }
  expect: { allowed: false, denials: ["not on an allowed git host"] }
`,
    );
    const result = run('policy', 'test', suite);
    assert.equal(result.status, 1);
    assert.match(
      result.stdout,
      /^FAIL .*: wrongly expected allowed: expected allowed, was denied: git-host-allowlist: /m,
    );
    assert.match(result.stdout, /^PASS .*: rightly expected denied$/m);
    assert.match(result.stdout, /^2 cases, 1 passed, 1 failed$/m);
  });

  test('a malformed suite is a usage error naming the field', () => {
    const suite = file('malformed.test.yaml', 'cases:\n- name: x\n  expect: { allowed: true }\n');
    const result = run('policy', 'test', suite);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /cases\[0\] \(x\)\.object: required/);
  });
});

describe('orka policy show', () => {
  test('prints file policies as YAML documents separated by ---', () => {
    const result = run('policy', 'show', '--policies', examples);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /name: git-host-allowlist/);
    assert.ok(result.stdout.split('\n').filter((line) => line === '---').length >= 3);
  });

  test('one policy by NAME', () => {
    const result = run('policy', 'show', '--policies', examples, 'max-turns-warn');
    assert.equal(result.status, 0, result.stderr);
    assert.match(
      result.stdout,
      /^apiVersion: policy\.orka\.ai\/v1alpha1\nkind: AdmissionPolicy\nmetadata:\n {2}name: max-turns-warn/,
    );
    assert.ok(!result.stdout.includes('---'));
  });

  test('an unknown NAME exits 2', () => {
    const result = run('policy', 'show', 'no-such-policy');
    assert.equal(result.status, 2);
    assert.match(result.stderr, /no policy named "no-such-policy"/);
  });
});
