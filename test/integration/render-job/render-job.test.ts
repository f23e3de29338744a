// `orka render job` as a child process (DESIGN §11): stdout carries only the Job, notes and
// errors go to stderr, bad input exits 2 with a one-line reason naming the file and field.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const orka = fileURLToPath(new URL('../../../bin/orka', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'orka-render-job-'));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function run(...args: string[]) {
  return spawnSync(process.execPath, [orka, 'render', 'job', ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '' },
  });
}

const task = file(
  'task.yaml',
  `apiVersion: core.orka.ai/v1alpha1
kind: Task
metadata:
  name: refactor-task
spec:
  type: agent
  agentRef:
    name: claude-agent
  prompt: "Refactor the main.go file to use structured logging"
  timeout: "30m"
`,
);
const agent = file(
  'agent.yaml',
  `apiVersion: core.orka.ai/v1alpha1
kind: Agent
metadata:
  name: claude-agent
spec:
  secretRef:
    name: claude-api-key
  runtime:
    type: codex
`,
);
const taskWithUid = file(
  'task-uid.json',
  JSON.stringify({
    apiVersion: 'core.orka.ai/v1alpha1',
    kind: 'Task',
    metadata: {
      name: 'refactor-task',
      namespace: 'team-a',
      uid: 'abcdef12-0000-0000-0000-000000000000',
    },
    spec: { type: 'agent', agentRef: { name: 'claude-agent' }, prompt: 'go' },
  }),
);

describe('orka render job', () => {
  test('YAML by default; the placeholder UID is said on stderr', () => {
    const result = run('--task', task, '--agent', agent);
    assert.equal(result.status, 0, result.stderr);
    const job = parse(result.stdout);
    assert.equal(job.kind, 'Job');
    assert.equal(job.metadata.name, 'refactor-task-job-00000000-0');
    assert.equal(job.metadata.namespace, 'default');
    assert.equal(job.metadata.ownerReferences[0].uid, '00000000-0000-0000-0000-000000000000');
    assert.equal(job.spec.activeDeadlineSeconds, 1800);
    const worker = job.spec.template.spec.containers[0];
    assert.equal(worker.image, 'orka/worker-codex:latest');
    assert.deepEqual(worker.command, ['orka', 'worker', '--runtime', 'codex']);
    assert.deepEqual(worker.envFrom, [{ secretRef: { name: 'claude-api-key' } }]);
    const env = Object.fromEntries(
      worker.env.map((v: { name: string; value: string }) => [v.name, v.value]),
    );
    assert.equal(env.ORKA_CONTROLLER_URL, 'http://orka-api.orka-system.svc:8080');
    assert.match(result.stderr, /no metadata\.uid; using 00000000-0000-0000-0000-000000000000/);
  });

  test('-o json, --namespace and --controller-url; no UID note when the Task has one', () => {
    const result = run(
      '--task',
      taskWithUid,
      '--agent',
      agent,
      '-o',
      'json',
      '--namespace',
      'team-a',
      '--controller-url',
      'http://127.0.0.1:8080',
    );
    assert.equal(result.status, 0, result.stderr);
    const job = JSON.parse(result.stdout);
    assert.equal(job.metadata.name, 'refactor-task-job-abcdef12-0');
    assert.equal(job.metadata.namespace, 'team-a');
    const env = job.spec.template.spec.containers[0].env;
    assert.deepEqual(
      env.find((v: { name: string }) => v.name === 'ORKA_RESULT_ENDPOINT'),
      {
        name: 'ORKA_RESULT_ENDPOINT',
        value: 'http://127.0.0.1:8080/internal/v1/results/team-a/refactor-task',
      },
    );
    assert.doesNotMatch(result.stderr, /uid/);
  });

  test('the controller namespace sets the default controller URL', () => {
    const result = run(
      '--task',
      task,
      '--agent',
      agent,
      '-o',
      'json',
      '--controller-namespace',
      'platform',
    );
    const env = JSON.parse(result.stdout).spec.template.spec.containers[0].env;
    assert.equal(
      env.find((v: { name: string }) => v.name === 'ORKA_CONTROLLER_URL').value,
      'http://orka-api.platform.svc:8080',
    );
  });

  test('without --agent: the claude image and a note on stderr', () => {
    const result = run('--task', task);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(
      parse(result.stdout).spec.template.spec.containers[0].image,
      'orka/worker-claude:latest',
    );
    assert.match(result.stderr, /no --agent given/);
  });

  const failures: [string, string[], RegExp][] = [
    ['no --task', [], /--task FILE is required/],
    ['a missing file', ['--task', join(dir, 'absent.yaml')], /absent\.yaml: cannot read/],
    [
      'not YAML',
      ['--task', file('bad.yaml', 'kind: [Task\n')],
      /bad\.yaml: not valid YAML or JSON/,
    ],
    [
      'not a Task',
      ['--task', agent],
      /agent\.yaml: apiVersion\/kind: expected core\.orka\.ai\/v1alpha1 Task, got core\.orka\.ai\/v1alpha1 Agent/,
    ],
    [
      'a schema error names the field',
      [
        '--task',
        file(
          'invalid.yaml',
          'apiVersion: core.orka.ai/v1alpha1\nkind: Task\nmetadata: {name: t}\nspec: {type: agent, agentRef: {name: a}, prompt: p, timeout: soon}\n',
        ),
      ],
      /invalid\.yaml: Task "t" is invalid: .*spec\.timeout/,
    ],
    [
      'the Agent is not the Task’s',
      [
        '--task',
        task,
        '--agent',
        file(
          'other.yaml',
          'apiVersion: core.orka.ai/v1alpha1\nkind: Agent\nmetadata: {name: other}\nspec: {runtime: {type: claude}}\n',
        ),
      ],
      /other\.yaml: metadata\.name "other" is not the Task's agentRef "claude-agent"/,
    ],
    [
      'a namespace conflict',
      ['--task', taskWithUid, '--namespace', 'team-b'],
      /metadata\.namespace "team-a" does not match --namespace "team-b"/,
    ],
    [
      'a sandbox Task without --agent-sandbox-enabled',
      [
        '--task',
        file(
          'sandbox.yaml',
          'apiVersion: core.orka.ai/v1alpha1\nkind: Task\nmetadata: {name: s}\nspec: {type: agent, agentRef: {name: a}, prompt: p, execution: {workspace: {enabled: true, templateRef: {name: t}}}}\n',
        ),
      ],
      /sandbox\.yaml: execution workspace requires agent sandbox to be enabled/,
    ],
    [
      'two documents',
      [
        '--task',
        file('two.yaml', `${'apiVersion: core.orka.ai/v1alpha1\nkind: Task\n'}---\nkind: Task\n`),
      ],
      /two\.yaml: expected one Task document, found 2/,
    ],
    ['a bad output format', ['--task', task, '-o', 'xml'], /"xml" is not one of yaml, json/],
  ];
  for (const [name, args, reason] of failures) {
    test(`${name} → exit 2, one line on stderr, nothing on stdout`, () => {
      const result = run(...args);
      assert.equal(result.status, 2, result.stderr);
      assert.equal(result.stdout, '');
      const lines = result.stderr.trim().split('\n');
      assert.equal(lines.length, 1, result.stderr);
      assert.match(lines[0]!, /^orka render job: /);
      assert.match(lines[0]!, reason);
    });
  }
});
