import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseStructuredResult, truncateSummary } from '../../../worker/result.ts';
import { composePrompt, MAX_HISTORY_CHARS, parseTranscript } from '../../../worker/session.ts';

describe('transcript', () => {
  test('JSON lines become messages; other lines are reported by number', () => {
    const parsed = parseTranscript(
      [
        '{"role":"user","content":"hi","ts":"2026-01-01T00:00:00Z"}',
        'not json',
        '{"role":"assistant"}',
        '',
        '{"role":"assistant","content":"hello","name":"bot"}',
      ].join('\n'),
    );
    assert.deepEqual(parsed.messages, [
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: 'hello' },
    ]);
    assert.deepEqual(parsed.skippedLines, [2, 3]);
  });

  test('no history leaves the prompt unchanged', () => {
    assert.equal(composePrompt('do it', []), 'do it');
  });

  test('history beyond the limit drops the oldest messages and says so', () => {
    const big = 'x'.repeat(MAX_HISTORY_CHARS / 2);
    const prompt = composePrompt('now', [
      { role: 'user', content: `oldest ${big}` },
      { role: 'assistant', content: `middle ${big}` },
      { role: 'user', content: 'newest' },
    ]);
    assert.match(prompt, /^<conversation-history> \(1 older messages left out\)\n/);
    assert.ok(!prompt.includes('oldest'));
    assert.ok(prompt.includes('middle') && prompt.includes('newest'));
    assert.ok(prompt.endsWith('\n\nnow'));
  });
});

describe('results', () => {
  test('summaries over 32768 characters are cut with a note', () => {
    const long = 'a'.repeat(40000);
    assert.equal(
      truncateSummary(long),
      `${'a'.repeat(32768)}\n[summary truncated, full summary: 40000 chars]`,
    );
    assert.equal(truncateSummary('short'), 'short');
  });

  test('only JSON with a non-zero version is a structured result', () => {
    assert.equal(parseStructuredResult('plain text'), undefined);
    assert.equal(parseStructuredResult('{"version":0,"diff":"x"}'), undefined);
    assert.equal(parseStructuredResult('[1]'), undefined);
    assert.deepEqual(parseStructuredResult('{"version":1,"summary":"s","diff":"d"}'), {
      version: 1,
      summary: 's',
      diff: 'd',
    });
  });
});
