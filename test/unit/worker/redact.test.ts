import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  LineRedactor,
  Redactor,
  secretEnvValues,
  secretFileValues,
} from '../../../worker/redact.ts';

describe('Redactor', () => {
  const rows: { name: string; secrets: string[]; input: string; output: string }[] = [
    { name: 'plain', secrets: ['abcdefgh12'], input: 'x abcdefgh12 y', output: 'x [REDACTED] y' },
    {
      name: 'every occurrence',
      secrets: ['abcdefgh12'],
      input: 'abcdefgh12abcdefgh12',
      output: '[REDACTED][REDACTED]',
    },
    {
      name: 'trimmed file content',
      secrets: ['abcdefgh12\n'],
      input: '"abcdefgh12"',
      output: '"[REDACTED]"',
    },
    {
      name: 'JSON-escaped form',
      secrets: ['pa"ss\\word'],
      input: JSON.stringify({ v: 'pa"ss\\word' }),
      output: '{"v":"[REDACTED]"}',
    },
    {
      name: 'longest first',
      secrets: ['abcdefgh', 'abcdefgh-longer'],
      input: 'abcdefgh-longer',
      output: '[REDACTED]',
    },
    {
      name: 'short values are left alone',
      secrets: ['1', 'true', 'short'],
      input: '1 true short',
      output: '1 true short',
    },
  ];
  for (const row of rows) {
    test(row.name, () => {
      assert.equal(new Redactor(row.secrets).redact(row.input), row.output);
    });
  }

  test('a secret split across chunks is redacted once its line is complete', () => {
    const out: string[] = [];
    const lines = new LineRedactor(new Redactor(['supersecret99']), (text) => out.push(text));
    lines.write('one super');
    lines.write('secret99 two\nthree supersec');
    lines.write('ret99');
    lines.flush();
    assert.equal(out.join(''), 'one [REDACTED] two\nthree [REDACTED]');
  });
});

describe('secret sources', () => {
  test('env variables named as credentials, not their paths or URLs', () => {
    const values = secretEnvValues({
      ANTHROPIC_API_KEY: 'k1',
      GITHUB_TOKEN: 'k2',
      ORKA_SA_TOKEN: 'k3',
      DB_PASSWORD: 'k4',
      ORKA_SA_TOKEN_PATH: '/path',
      ORKA_TRANSACTION_TOKEN_FILE: '/file',
      ORKA_CONTEXT_TOKEN_TTS_URL: 'http://tts',
      ORKA_PROMPT: 'hello',
    });
    assert.deepEqual(values.sort(), ['k1', 'k2', 'k3', 'k4']);
  });

  test('mounted Secret files, through the ..data links, without duplicates from ..data', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'orka-secrets-'));
    mkdirSync(join(dir, 'agent', '..2026_01_01'), { recursive: true });
    writeFileSync(join(dir, 'agent', '..2026_01_01', 'ANTHROPIC_API_KEY'), 'sk-file-value');
    symlinkSync('..2026_01_01', join(dir, 'agent', '..data'));
    symlinkSync('..data/ANTHROPIC_API_KEY', join(dir, 'agent', 'ANTHROPIC_API_KEY'));
    mkdirSync(join(dir, 'git'));
    writeFileSync(join(dir, 'git', 'token'), 'ghp-token');
    assert.deepEqual((await secretFileValues(dir)).sort(), ['ghp-token', 'sk-file-value']);
    assert.deepEqual(await secretFileValues(join(dir, 'absent')), []);
  });
});
