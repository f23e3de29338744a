// Reference §6.3 row by row (plus ORKA_AGENT_RUNTIME, DESIGN §6): the worker's environment and
// its order, and the rule that Task env can add variables but not override the controller's.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildWorkerJob, SANDBOX_VARIABLES } from '../../../reconcilers/job/index.ts';
import type { Agent, Task } from '../../../resources/types.ts';
import { config, envMap, envNames, envOf, makeAgent, makeTask, sandboxConfig } from './fixtures.ts';

const build = (task: Task, agent: Agent | undefined = makeAgent(), cfg = config) =>
  buildWorkerJob(task, agent, cfg);

describe('reference §6.3 rows', () => {
  type Row = [string, Task, Agent | undefined, Record<string, string | undefined>];
  const rows: Row[] = [
    [
      '1. identity and endpoints (+ ORKA_AGENT_RUNTIME)',
      makeTask(),
      makeAgent(),
      {
        ORKA_TASK_NAME: 'refactor-task',
        ORKA_TASK_NAMESPACE: 'team-a',
        ORKA_RESULT_ENDPOINT: `${config.controllerUrl}/internal/v1/results/team-a/refactor-task`,
        ORKA_CONTROLLER_URL: config.controllerUrl,
        ORKA_AGENT_RUNTIME: 'claude',
      },
    ],
    [
      '2. Task env verbatim',
      makeTask({ env: [{ name: 'LOG_LEVEL', value: 'debug' }] }),
      makeAgent(),
      { LOG_LEVEL: 'debug' },
    ],
    [
      '3. transaction variables (scopes as CSV)',
      makeTask({
        transaction: {
          id: 't-1',
          profile: 'kontxt',
          issuer: 'iss',
          subject: 'sub',
          requestingWorkload: 'wl',
          scope: 'a b',
          scopes: ['a', 'b'],
          contextDigest: 'sha256:c',
          requesterContextDigest: 'sha256:r',
        },
      }),
      makeAgent(),
      {
        ORKA_TRANSACTION_ID: 't-1',
        ORKA_TRANSACTION_PROFILE: 'kontxt',
        ORKA_TRANSACTION_ISSUER: 'iss',
        ORKA_TRANSACTION_SUBJECT: 'sub',
        ORKA_TRANSACTION_REQUESTING_WORKLOAD: 'wl',
        ORKA_TRANSACTION_SCOPE: 'a b',
        ORKA_TRANSACTION_SCOPES: 'a,b',
        ORKA_TRANSACTION_CONTEXT_DIGEST: 'sha256:c',
        ORKA_TRANSACTION_REQUESTER_CONTEXT_DIGEST: 'sha256:r',
      },
    ],
    [
      '4. prior Task, namespace defaulting to the Task’s',
      makeTask({ priorTaskRef: { name: 'earlier' } }),
      makeAgent(),
      { ORKA_PRIOR_TASK: 'earlier', ORKA_PRIOR_TASK_NAMESPACE: 'team-a' },
    ],
    [
      '4. prior Task in another namespace',
      makeTask({ priorTaskRef: { name: 'earlier', namespace: 'team-b' } }),
      makeAgent(),
      { ORKA_PRIOR_TASK: 'earlier', ORKA_PRIOR_TASK_NAMESPACE: 'team-b' },
    ],
    [
      '5. parent Task from the annotation (wins over the label)',
      makeTask(
        {},
        {
          annotations: { 'orka.ai/parent-task-name': 'Parent.Name' },
          labels: { 'orka.ai/parent-task': 'parent-name' },
        },
      ),
      makeAgent(),
      { ORKA_PARENT_TASK: 'Parent.Name' },
    ],
    [
      '5. parent Task from the label',
      makeTask({}, { labels: { 'orka.ai/parent-task': 'parent-name' } }),
      makeAgent(),
      { ORKA_PARENT_TASK: 'parent-name' },
    ],
    ['6. prompt', makeTask({ prompt: 'Do it' }), makeAgent(), { ORKA_PROMPT: 'Do it' }],
    [
      '6. prompt falls back to ai.prompt',
      makeTask({ prompt: '', ai: { prompt: 'From ai' } }),
      makeAgent(),
      { ORKA_PROMPT: 'From ai' },
    ],
    [
      '7. model from the Agent',
      makeTask(),
      makeAgent({ model: { name: 'claude-sonnet-4' } }),
      { ORKA_MODEL: 'claude-sonnet-4' },
    ],
    ['7. no model: omitted', makeTask(), makeAgent(), { ORKA_MODEL: undefined }],
    [
      '8. inline system prompt wins over configMapRef',
      makeTask(),
      makeAgent({ systemPrompt: { inline: 'Be brief.', configMapRef: { name: 'cm', key: 'k' } } }),
      { ORKA_SYSTEM_PROMPT: 'Be brief.' },
    ],
    [
      '9. maxTurns: Task wins',
      makeTask({ agentRuntime: { maxTurns: 7 } }),
      makeAgent({ runtime: { type: 'claude', defaultMaxTurns: 30 } }),
      { ORKA_MAX_TURNS: '7' },
    ],
    [
      '9. maxTurns: Agent default',
      makeTask(),
      makeAgent({ runtime: { type: 'claude', defaultMaxTurns: 30 } }),
      { ORKA_MAX_TURNS: '30' },
    ],
    ['9. maxTurns: 50 without an Agent', makeTask(), undefined, { ORKA_MAX_TURNS: '50' }],
    [
      '10. allowed tools: the Task’s non-empty list replaces the Agent’s',
      makeTask({ agentRuntime: { allowedTools: ['Read', 'Grep'] } }),
      makeAgent({ runtime: { type: 'claude', defaultAllowedTools: ['Read', 'Write'] } }),
      { ORKA_ALLOWED_TOOLS: 'Read,Grep' },
    ],
    [
      '10. allowed tools: an empty Task list keeps the Agent’s',
      makeTask({ agentRuntime: { allowedTools: [] } }),
      makeAgent({ runtime: { type: 'claude', defaultAllowedTools: ['Read', 'Write'] } }),
      { ORKA_ALLOWED_TOOLS: 'Read,Write' },
    ],
    [
      '10. allowed tools: disallowedTools always win (seed 000)',
      makeTask({
        agentRuntime: { allowedTools: ['Read', 'WebFetch'], disallowedTools: ['WebFetch'] },
      }),
      makeAgent(),
      { ORKA_ALLOWED_TOOLS: 'Read', ORKA_DISALLOWED_TOOLS: 'WebFetch' },
    ],
    [
      '10-11. no tools: both omitted',
      makeTask(),
      makeAgent(),
      { ORKA_ALLOWED_TOOLS: undefined, ORKA_DISALLOWED_TOOLS: undefined },
    ],
    ['12. allowBash defaults to true', makeTask(), makeAgent(), { ORKA_ALLOW_BASH: 'true' }],
    [
      '12. Task allowBash false wins; omitted, not "false"; Bash leaves the tool list',
      makeTask({ agentRuntime: { allowBash: false, allowedTools: ['Read', 'Bash'] } }),
      makeAgent({ runtime: { type: 'claude', defaultAllowBash: true } }),
      { ORKA_ALLOW_BASH: undefined, ORKA_ALLOWED_TOOLS: 'Read' },
    ],
    [
      '12. Agent defaultAllowBash false',
      makeTask(),
      makeAgent({ runtime: { type: 'claude', defaultAllowBash: false } }),
      { ORKA_ALLOW_BASH: undefined },
    ],
    [
      '12. Bash in disallowedTools turns allowBash off',
      makeTask({ agentRuntime: { allowBash: true, disallowedTools: ['Bash'] } }),
      makeAgent(),
      { ORKA_ALLOW_BASH: undefined, ORKA_DISALLOWED_TOOLS: 'Bash' },
    ],
    [
      '13. workspace: repository, safe.directory and every optional field',
      makeTask({
        agentRuntime: {
          workspace: {
            gitRepo: 'https://git.test/up.git',
            ref: 'v1.2.3',
            subPath: 'services/api',
            forkRepo: 'https://git.test/fork.git',
            prBaseBranch: 'main',
            pushBranch: 'feature/x',
          },
        },
      }),
      makeAgent(),
      {
        ORKA_GIT_REPO: 'https://git.test/up.git',
        GIT_CONFIG_COUNT: '1',
        GIT_CONFIG_KEY_0: 'safe.directory',
        GIT_CONFIG_VALUE_0: '/workspace',
        ORKA_GIT_BRANCH: undefined,
        ORKA_GIT_REF: 'v1.2.3',
        ORKA_WORKSPACE_SUBPATH: 'services/api',
        ORKA_FORK_REPO: 'https://git.test/fork.git',
        ORKA_PR_BASE_BRANCH: 'main',
        ORKA_PUSH_BRANCH: 'feature/x',
        ORKA_REQUIRE_PUSH_BRANCH: 'true',
      },
    ],
    [
      '13. the top-level workspace wins over agentRuntime.workspace',
      makeTask({
        workspace: { gitRepo: 'top', branch: 'dev' },
        agentRuntime: { workspace: { gitRepo: 'inner' } },
      }),
      makeAgent(),
      { ORKA_GIT_REPO: 'top', ORKA_GIT_BRANCH: 'dev' },
    ],
    [
      '13. no workspace: no git variables',
      makeTask(),
      makeAgent(),
      { ORKA_GIT_REPO: undefined, GIT_CONFIG_COUNT: undefined },
    ],
    [
      '14. timeout seconds',
      makeTask({ timeout: '1h30m' }),
      makeAgent(),
      { ORKA_TIMEOUT_SECONDS: '5400' },
    ],
    ['14. no timeout: omitted', makeTask(), makeAgent(), { ORKA_TIMEOUT_SECONDS: undefined }],
    [
      '19. session name',
      makeTask({ sessionRef: { name: 'my-session' } }),
      makeAgent(),
      { ORKA_SESSION_NAME: 'my-session' },
    ],
    ['19. no session: omitted', makeTask(), makeAgent(), { ORKA_SESSION_NAME: undefined }],
  ];
  for (const [name, task, agent, expected] of rows) {
    test(name, () => {
      const env = envMap(build(task, agent));
      for (const [variable, value] of Object.entries(expected)) {
        assert.equal(env[variable], value, variable);
      }
    });
  }

  test('8. a ConfigMap system prompt is read by Kubernetes; a missing key leaves it unset', () => {
    const job = build(
      makeTask(),
      makeAgent({ systemPrompt: { configMapRef: { name: 'prompts', key: 'coder' } } }),
    );
    assert.deepEqual(
      envOf(job).find((v) => v.name === 'ORKA_SYSTEM_PROMPT'),
      {
        name: 'ORKA_SYSTEM_PROMPT',
        valueFrom: { configMapKeyRef: { name: 'prompts', key: 'coder', optional: true } },
      },
    );
  });

  test('3. an empty transaction value removes a same-named Task variable', () => {
    const job = build(
      makeTask({
        env: [{ name: 'ORKA_TRANSACTION_SUBJECT', value: 'forged' }],
        transaction: { id: 't-1', subject: '' },
      }),
    );
    assert.ok(!envNames(job).includes('ORKA_TRANSACTION_SUBJECT'));
  });

  test('3. a transaction value replaces a same-named Task variable in place', () => {
    const job = build(
      makeTask({
        env: [
          { name: 'A', value: '1' },
          { name: 'ORKA_TRANSACTION_ID', value: 'forged' },
          { name: 'B', value: '2' },
        ],
        transaction: { id: 't-1' },
      }),
    );
    const names = envNames(job);
    assert.deepEqual(names.slice(names.indexOf('A'), names.indexOf('A') + 3), [
      'A',
      'ORKA_TRANSACTION_ID',
      'B',
    ]);
    assert.equal(envMap(job).ORKA_TRANSACTION_ID, 't-1');
  });

  test('15. codex sandbox mode for codex workers only, and a Task value wins', () => {
    const codex = makeAgent({ runtime: { type: 'codex' } });
    const withMode = { ...config, codexSandboxMode: 'danger-full-access' };
    assert.equal(
      envMap(build(makeTask(), codex, withMode)).ORKA_CODEX_SANDBOX_MODE,
      'danger-full-access',
    );
    assert.equal(
      envMap(build(makeTask(), makeAgent(), withMode)).ORKA_CODEX_SANDBOX_MODE,
      undefined,
    );
    assert.equal(envMap(build(makeTask(), codex, config)).ORKA_CODEX_SANDBOX_MODE, undefined);
    const own = makeTask({ env: [{ name: 'ORKA_CODEX_SANDBOX_MODE', value: 'read-only' }] });
    const job = build(own, codex, withMode);
    assert.equal(envMap(job).ORKA_CODEX_SANDBOX_MODE, 'read-only');
    assert.equal(envNames(job).filter((name) => name === 'ORKA_CODEX_SANDBOX_MODE').length, 1);
  });

  test('16. sandbox variables: all thirteen with a workspace request, none without', () => {
    const requested = makeTask({
      execution: { workspace: { enabled: true, templateRef: { name: 't' } } },
    });
    const names = envNames(build(requested, makeAgent(), sandboxConfig));
    assert.deepEqual(
      names.filter((name) => name.startsWith('ORKA_AGENT_SANDBOX_')),
      SANDBOX_VARIABLES,
    );
    assert.equal(SANDBOX_VARIABLES.length, 13);
    const forged = makeTask({ env: [{ name: 'ORKA_AGENT_SANDBOX_ENABLED', value: 'true' }] });
    assert.ok(
      !envNames(build(forged, makeAgent(), sandboxConfig)).some((n) =>
        n.startsWith('ORKA_AGENT_SANDBOX_'),
      ),
    );
  });

  test('17. context-token exchange variables are removed even when the Task sets them', () => {
    const names = [
      'ORKA_CONTEXT_TOKEN_TTS_URL',
      'ORKA_CONTEXT_TOKEN_TTS_AUDIENCE',
      'ORKA_CONTEXT_TOKEN_TTS_TIMEOUT',
      'ORKA_CONTEXT_TOKEN_TTS_TOKEN_SOURCE',
      'ORKA_CONTEXT_TOKEN_SUBJECT_TOKEN_TYPE',
      'ORKA_CONTEXT_TOKEN_CHILD_SCOPE',
      'ORKA_CONTEXT_TOKEN_OUTBOUND_SCOPE',
      'ORKA_CONTEXT_TOKEN_CHILD_TOKEN_TTL',
      'ORKA_CONTEXT_TOKEN_TOOL_TOKEN_TTL',
    ];
    const job = build(
      makeTask({
        env: [...names.map((name) => ({ name, value: 'x' })), { name: 'KEEP', value: 'y' }],
      }),
    );
    assert.deepEqual(
      envNames(job).filter((name) => names.includes(name)),
      [],
    );
    assert.equal(envMap(job).KEEP, 'y');
  });

  test('18. token files: user values always removed; the delegated token file when annotated', () => {
    const forged = [
      { name: 'ORKA_TRANSACTION_TOKEN_FILE', value: '/etc/shadow' },
      { name: 'ORKA_CONTEXT_TOKEN_SUBJECT_TOKEN_FILE', value: '/etc/shadow' },
    ];
    const plain = envMap(build(makeTask({ env: forged })));
    assert.equal(plain.ORKA_TRANSACTION_TOKEN_FILE, undefined);
    assert.equal(plain.ORKA_CONTEXT_TOKEN_SUBJECT_TOKEN_FILE, undefined);
    const annotated = envMap(
      build(
        makeTask(
          { env: forged },
          { annotations: { 'orka.ai/transaction-token-secret': 'child-secret' } },
        ),
      ),
    );
    assert.equal(annotated.ORKA_TRANSACTION_TOKEN_FILE, '/var/run/orka/transaction-token/token');
    assert.equal(annotated.ORKA_CONTEXT_TOKEN_SUBJECT_TOKEN_FILE, undefined);
  });
});

describe('order and precedence', () => {
  test('variables appear in the order of reference §6.3', () => {
    const job = build(
      makeTask(
        {
          env: [{ name: 'USER_VAR', value: 'u' }],
          transaction: { id: 't' },
          priorTaskRef: { name: 'p' },
          prompt: 'go',
          agentRuntime: {
            maxTurns: 3,
            allowedTools: ['Read'],
            disallowedTools: ['WebFetch'],
            workspace: { gitRepo: 'r', branch: 'b' },
          },
          timeout: '1m',
          sessionRef: { name: 's' },
        },
        {
          annotations: {
            'orka.ai/parent-task-name': 'parent',
            'orka.ai/transaction-token-secret': 'tok',
          },
        },
      ),
      makeAgent({ model: { name: 'm' }, systemPrompt: { inline: 'sp' } }),
    );
    assert.deepEqual(envNames(job), [
      'ORKA_TASK_NAME',
      'ORKA_TASK_NAMESPACE',
      'ORKA_RESULT_ENDPOINT',
      'ORKA_CONTROLLER_URL',
      'ORKA_AGENT_RUNTIME',
      'USER_VAR',
      'ORKA_TRANSACTION_ID',
      'ORKA_PRIOR_TASK',
      'ORKA_PRIOR_TASK_NAMESPACE',
      'ORKA_PARENT_TASK',
      'ORKA_PROMPT',
      'ORKA_MODEL',
      'ORKA_SYSTEM_PROMPT',
      'ORKA_MAX_TURNS',
      'ORKA_ALLOWED_TOOLS',
      'ORKA_DISALLOWED_TOOLS',
      'ORKA_ALLOW_BASH',
      'ORKA_GIT_REPO',
      'GIT_CONFIG_COUNT',
      'GIT_CONFIG_KEY_0',
      'GIT_CONFIG_VALUE_0',
      'ORKA_GIT_BRANCH',
      'ORKA_TIMEOUT_SECONDS',
      'ORKA_TRANSACTION_TOKEN_FILE',
      'ORKA_SESSION_NAME',
    ]);
  });

  const overrides: [string, string, string | undefined][] = [
    [
      'ORKA_RESULT_ENDPOINT',
      'http://evil.test',
      `${config.controllerUrl}/internal/v1/results/team-a/refactor-task`,
    ],
    ['ORKA_TASK_NAMESPACE', 'kube-system', 'team-a'],
    ['ORKA_AGENT_RUNTIME', 'codex', 'claude'],
    ['ORKA_ALLOW_BASH', 'true', undefined],
    ['ORKA_ALLOWED_TOOLS', 'Bash,WebFetch', 'Read'],
    ['ORKA_MAX_TURNS', '1000', '5'],
    ['ORKA_GIT_REPO', 'https://evil.test/r.git', undefined],
    ['ORKA_PROMPT', 'something else', 'Refactor main.go'],
  ];
  for (const [name, forged, expected] of overrides) {
    test(`Task env cannot override ${name}`, () => {
      const job = build(
        makeTask({
          env: [{ name, value: forged }],
          agentRuntime: { allowBash: false, allowedTools: ['Read'], maxTurns: 5 },
        }),
      );
      assert.equal(envMap(job)[name], expected);
      assert.ok(envNames(job).filter((candidate) => candidate === name).length <= 1);
    });
  }

  test('runtime follows the Agent; an unknown Agent means claude', () => {
    for (const runtime of ['claude', 'codex', 'copilot'] as const) {
      const job = build(makeTask(), makeAgent({ runtime: { type: runtime } }));
      assert.equal(envMap(job).ORKA_AGENT_RUNTIME, runtime);
    }
    assert.equal(envMap(build(makeTask(), undefined)).ORKA_AGENT_RUNTIME, 'claude');
  });
});
