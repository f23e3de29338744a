// The Copilot SDK session the worker asks for, and how the reply becomes the result (reference
// §7.2), without starting a CLI: the integration test drives the same plan through a stand-in.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadWorkerConfig } from '../../../worker/config.ts';
import { effectivePermissions } from '../../../worker/permissions.ts';
import {
  approveEveryRequest,
  copilotResultText,
  copilotSessionPlan,
  findExecutable,
} from '../../../worker/runtimes/copilot-sdk.ts';

const base = {
  ORKA_TASK_NAME: 't',
  ORKA_TASK_NAMESPACE: 'ns',
  ORKA_RESULT_ENDPOINT: 'http://api/results',
  ORKA_PROMPT: 'Fix the tests',
  ORKA_COPILOT_MODE: 'sdk',
};

function plan(env: Record<string, string>, processEnv: NodeJS.ProcessEnv = {}) {
  const config = loadWorkerConfig({ ...base, ...env }, 'copilot');
  const permissions = effectivePermissions(config.agent);
  return copilotSessionPlan(
    { config, permissions, prompt: config.agent.prompt },
    '/workspace/services/api',
    processEnv,
  );
}

describe('copilotSessionPlan', () => {
  const rows: { name: string; env: Record<string, string>; session: Record<string, unknown> }[] = [
    {
      name: 'defaults: no model, no system message, no tool lists; Bash not allowed excludes shell',
      env: {},
      session: { workingDirectory: '/workspace/services/api', excludedTools: ['shell'] },
    },
    {
      name: 'Bash allowed: nothing excluded',
      env: { ORKA_ALLOW_BASH: 'true' },
      session: { workingDirectory: '/workspace/services/api' },
    },
    {
      name: 'everything set: the system prompt is appended, disallowed tools win',
      env: {
        ORKA_MODEL: 'gpt-5.2',
        ORKA_SYSTEM_PROMPT: 'Be careful.',
        ORKA_ALLOWED_TOOLS: 'view,edit,web_fetch',
        ORKA_DISALLOWED_TOOLS: 'web_fetch',
        ORKA_ALLOW_BASH: 'true',
      },
      session: {
        workingDirectory: '/workspace/services/api',
        model: 'gpt-5.2',
        systemMessage: { mode: 'append', content: 'Be careful.' },
        availableTools: ['view', 'edit'],
        excludedTools: ['web_fetch'],
      },
    },
    {
      name: 'shell already disallowed is excluded once',
      env: { ORKA_DISALLOWED_TOOLS: 'shell' },
      session: { workingDirectory: '/workspace/services/api', excludedTools: ['shell'] },
    },
  ];
  for (const row of rows) {
    test(row.name, () => {
      assert.deepEqual(plan(row.env).session, row.session);
    });
  }

  test('client: the CLI path, the workspace root as its cwd, HOME and the GitHub token', () => {
    const result = plan(
      { COPILOT_CLI_PATH: '/opt/copilot', ORKA_WORKSPACE_DIR: '/w', ORKA_HOME_DIR: '/h' },
      { GITHUB_TOKEN: 'ghp_x', PATH: '/usr/bin' },
    );
    assert.equal(result.cliCommand, '/opt/copilot');
    assert.equal(result.clientWorkingDirectory, '/w');
    assert.deepEqual(result.env, { GITHUB_TOKEN: 'ghp_x', PATH: '/usr/bin', HOME: '/h' });
    assert.equal(result.gitHubToken, 'ghp_x');
    assert.equal(result.prompt, 'Fix the tests');
  });

  test('timeout: ORKA_TIMEOUT_SECONDS, else the reference default of 20 minutes', () => {
    assert.equal(plan({ ORKA_TIMEOUT_SECONDS: '90' }).timeoutSeconds, 90);
    assert.equal(plan({}).timeoutSeconds, 20 * 60);
    assert.equal(plan({}, { GITHUB_TOKEN: '' }).gitHubToken, undefined);
  });
});

describe('copilotResultText', () => {
  const rows: { name: string; data: unknown; text: string }[] = [
    { name: 'no reply', data: undefined, text: '' },
    { name: 'content first', data: { content: 'a', summaryContent: 'b' }, text: 'a' },
    { name: 'then summaryContent', data: { content: '', summaryContent: 'b' }, text: 'b' },
    {
      name: 'then result.detailedContent',
      data: { result: { detailedContent: 'c', content: 'd' } },
      text: 'c',
    },
    { name: 'then result.content', data: { result: { content: 'd' } }, text: 'd' },
    { name: 'nothing usable', data: { content: 7, result: 'x' }, text: '' },
  ];
  for (const row of rows) {
    test(row.name, () => assert.equal(copilotResultText(row.data), row.text));
  }
});

test('every permission request is approved', async () => {
  const request = { kind: 'shell' } as Parameters<typeof approveEveryRequest>[0];
  assert.deepEqual(await approveEveryRequest(request, { sessionId: 's' }), {
    kind: 'approve-once',
  });
});

describe('findExecutable', () => {
  const root = mkdtempSync(join(tmpdir(), 'orka-find-'));
  const [first, second] = [join(root, 'a'), join(root, 'b')];
  mkdirSync(first);
  mkdirSync(second);
  writeFileSync(join(first, 'copilot'), 'not executable');
  writeFileSync(join(second, 'copilot'), '#!/bin/sh\n');
  chmodSync(join(second, 'copilot'), 0o755);

  test('a bare name is the first executable of that name on PATH', async () => {
    assert.equal(await findExecutable('copilot', `${first}::${second}`), join(second, 'copilot'));
    assert.equal(await findExecutable('copilot', first), undefined);
    assert.equal(await findExecutable('copilot', undefined), undefined);
  });

  test('a path is used as it is, when executable', async () => {
    assert.equal(await findExecutable(join(second, 'copilot'), ''), join(second, 'copilot'));
    assert.equal(await findExecutable(join(first, 'copilot'), second), undefined);
  });
});
