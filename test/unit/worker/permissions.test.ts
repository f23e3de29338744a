import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadWorkerConfig } from '../../../worker/config.ts';
import { effectivePermissions } from '../../../worker/permissions.ts';
import { webSearchSetting } from '../../../worker/runtimes/codex.ts';

const base = {
  ORKA_TASK_NAME: 't',
  ORKA_TASK_NAMESPACE: 'ns',
  ORKA_CONTROLLER_URL: 'http://c',
  ORKA_PROMPT: 'p',
};
const permissionsOf = (env: Record<string, string>) =>
  effectivePermissions(loadWorkerConfig({ ...base, ...env }, 'claude').agent);

describe('effective permissions (DESIGN §3)', () => {
  const rows: {
    env: Record<string, string>;
    allowed: string[];
    disallowed: string[];
    bash: boolean;
  }[] = [
    { env: {}, allowed: [], disallowed: [], bash: false },
    { env: { ORKA_ALLOW_BASH: 'true' }, allowed: [], disallowed: [], bash: true },
    { env: { ORKA_ALLOW_BASH: 'TRUE' }, allowed: [], disallowed: [], bash: false },
    { env: { ORKA_ALLOWED_TOOLS: 'Read,Bash' }, allowed: ['Read'], disallowed: [], bash: false },
    {
      env: {
        ORKA_ALLOW_BASH: 'true',
        ORKA_ALLOWED_TOOLS: 'Read,Bash,Read',
        ORKA_DISALLOWED_TOOLS: 'Read',
      },
      allowed: ['Bash'],
      disallowed: ['Read'],
      bash: true,
    },
    {
      env: { ORKA_ALLOW_BASH: 'true', ORKA_ALLOWED_TOOLS: 'Bash', ORKA_DISALLOWED_TOOLS: 'Bash' },
      allowed: [],
      disallowed: ['Bash'],
      bash: false,
    },
  ];
  for (const row of rows) {
    test(JSON.stringify(row.env), () => {
      const permissions = permissionsOf(row.env);
      assert.deepEqual(permissions.allowedTools, row.allowed);
      assert.deepEqual(permissions.disallowedTools, row.disallowed);
      assert.equal(permissions.allowBash, row.bash);
    });
  }
});

describe('codex web_search', () => {
  const rows: { allowed: string[]; disallowed: string[]; expected: string | undefined }[] = [
    { allowed: [], disallowed: [], expected: undefined },
    { allowed: ['Read'], disallowed: [], expected: 'disabled' },
    { allowed: ['Web Search'], disallowed: [], expected: 'live' },
    { allowed: ['WebSearch'], disallowed: ['web-search'], expected: 'disabled' },
    { allowed: [], disallowed: ['WEB_SEARCH'], expected: 'disabled' },
  ];
  for (const row of rows) {
    test(`${row.allowed} / ${row.disallowed} -> ${row.expected}`, () => {
      const setting = webSearchSetting({
        allowedTools: row.allowed,
        disallowedTools: row.disallowed,
        allowBash: true,
        maxTurns: 1,
      });
      assert.equal(setting, row.expected);
    });
  }
});
