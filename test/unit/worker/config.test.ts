import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cleanSubPath, loadWorkerConfig, toolList, workerPaths } from '../../../worker/config.ts';
import { WorkerConfigError } from '../../../worker/errors.ts';

const base = {
  ORKA_TASK_NAME: 't',
  ORKA_TASK_NAMESPACE: 'ns',
  ORKA_CONTROLLER_URL: 'http://orka-api.orka-system.svc:8080/',
  ORKA_PROMPT: 'p',
};

describe('loadWorkerConfig refusals name the variable', () => {
  const rows: { env: Record<string, string>; runtime?: string; message: string }[] = [
    { env: { ORKA_PROMPT: '' }, message: 'ORKA_PROMPT is required' },
    { env: { ORKA_TASK_NAME: '' }, message: 'ORKA_TASK_NAME is required' },
    { env: { ORKA_TASK_NAMESPACE: '' }, message: 'ORKA_TASK_NAMESPACE is required' },
    {
      env: { ORKA_MAX_TURNS: 'ten' },
      message: 'invalid ORKA_MAX_TURNS: expected an integer, got "ten"',
    },
    {
      env: { ORKA_MAX_TURNS: '0' },
      message: 'invalid ORKA_MAX_TURNS: expected an integer >= 1, got "0"',
    },
    {
      env: { ORKA_TIMEOUT_SECONDS: '1.5' },
      message: 'invalid ORKA_TIMEOUT_SECONDS: expected an integer, got "1.5"',
    },
    {
      env: { ORKA_REQUIRE_PUSH_BRANCH: 'yes' },
      message: 'invalid ORKA_REQUIRE_PUSH_BRANCH: expected true or false, got "yes"',
    },
    {
      env: { ORKA_WORKSPACE_SUBPATH: '../x' },
      message: 'ORKA_WORKSPACE_SUBPATH "../x" contains path traversal',
    },
    {
      env: { ORKA_WORKSPACE_SUBPATH: '/etc' },
      message: 'ORKA_WORKSPACE_SUBPATH "/etc" contains path traversal',
    },
    {
      env: { ORKA_PRIOR_TASK: 'prev', ORKA_CONTROLLER_URL: '', ORKA_RESULT_ENDPOINT: 'http://x' },
      message: 'ORKA_CONTROLLER_URL must be set when ORKA_PRIOR_TASK is specified',
    },
    {
      env: { ORKA_CONTROLLER_URL: '' },
      message: 'no result endpoint: set ORKA_RESULT_ENDPOINT or ORKA_CONTROLLER_URL',
    },
    {
      env: {},
      runtime: '',
      message: 'no agent runtime: pass --runtime or set ORKA_AGENT_RUNTIME',
    },
    {
      env: { ORKA_COPILOT_MODE: 'acp' },
      message: 'invalid ORKA_COPILOT_MODE: "acp" is not cli or sdk',
    },
  ];
  for (const row of rows) {
    test(row.message, () => {
      assert.throws(
        () => loadWorkerConfig({ ...base, ...row.env }, row.runtime ?? 'claude'),
        (error: unknown) => error instanceof WorkerConfigError && error.message === row.message,
      );
    });
  }
});

describe('loadWorkerConfig values', () => {
  test('defaults are the Pod paths and the reference defaults', () => {
    const config = loadWorkerConfig(base, 'codex');
    assert.deepEqual(config.paths, {
      workspace: '/workspace',
      home: '/home/worker',
      tmp: '/tmp',
      artifacts: '/tmp/artifacts',
      secrets: '/secrets',
      session: '/session',
      serviceAccountToken: '/var/run/secrets/kubernetes.io/serviceaccount/token',
    });
    assert.equal(
      config.api.resultEndpoint,
      'http://orka-api.orka-system.svc:8080/internal/v1/results/ns/t',
    );
    assert.equal(config.agent.maxTurns, 50);
    assert.equal(config.agent.allowBash, false);
    assert.equal(config.agent.timeoutSeconds, 0);
    assert.equal(config.agent.codex.sandboxMode, 'workspace-write');
    assert.equal(config.agent.codex.autoCompactTokenLimit, '240000');
    assert.equal(config.agent.codex.disableSandbox, undefined);
    assert.deepEqual(config.agent.cliPaths, {
      claude: 'claude',
      codex: 'codex',
      copilot: 'copilot',
    });
  });

  test('every path has an env override', () => {
    const paths = workerPaths({
      ORKA_WORKSPACE_DIR: '/w',
      ORKA_HOME_DIR: '/h',
      ORKA_TMP_DIR: '/t',
      ORKA_SECRETS_DIR: '/s',
      ORKA_SESSION_DIR: '/sess',
      ORKA_SA_TOKEN_PATH: '/sa',
    });
    assert.deepEqual(paths, {
      workspace: '/w',
      home: '/h',
      tmp: '/t',
      artifacts: '/t/artifacts',
      secrets: '/s',
      session: '/sess',
      serviceAccountToken: '/sa',
    });
  });

  test('--runtime wins over ORKA_AGENT_RUNTIME; the prior task defaults to the Task namespace', () => {
    const config = loadWorkerConfig(
      { ...base, ORKA_AGENT_RUNTIME: 'codex', ORKA_PRIOR_TASK: 'prev', ORKA_ALLOW_BASH: 'true' },
      'copilot',
    );
    assert.equal(config.runtime, 'copilot');
    assert.deepEqual(config.priorTask, { name: 'prev', namespace: 'ns' });
    assert.equal(config.agent.allowBash, true);
  });

  test('ORKA_COPILOT_MODE: the Copilot CLI by default, the Copilot SDK session on request', () => {
    assert.equal(loadWorkerConfig(base, 'copilot').agent.copilotMode, 'cli');
    for (const mode of ['cli', 'sdk'] as const) {
      const config = loadWorkerConfig({ ...base, ORKA_COPILOT_MODE: mode }, 'copilot');
      assert.equal(config.agent.copilotMode, mode);
    }
  });

  test('tool lists are split on commas and trimmed', () => {
    assert.deepEqual(toolList(' Read, ,Bash ,'), ['Read', 'Bash']);
    assert.deepEqual(toolList(undefined), []);
  });

  test('subPath is cleaned', () => {
    assert.equal(cleanSubPath('./services//api/'), 'services/api');
    assert.equal(cleanSubPath('a/../b'), 'b');
    assert.equal(cleanSubPath('.'), undefined);
  });
});
