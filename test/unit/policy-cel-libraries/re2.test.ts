import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EvaluationError } from '@marcbachmann/cel-js';
import { compileRe2, RE2_CACHE_LIMIT, re2CacheSize } from '../../../policy/cel/libraries/re2.ts';

describe('compileRe2', () => {
  test('returns the cached program for a pattern seen before', () => {
    assert.equal(compileRe2('^a+$'), compileRe2('^a+$'));
  });

  test('keeps at most RE2_CACHE_LIMIT programs', () => {
    for (let i = 0; i < RE2_CACHE_LIMIT + 20; i++) compileRe2(`^x${i}$`);
    assert.equal(re2CacheSize(), RE2_CACHE_LIMIT);
  });

  test('refuses syntax RE2 lacks, naming the pattern', () => {
    for (const pattern of ['(?=a)', '(a)\\1', '(?<!a)b']) {
      assert.throws(
        () => compileRe2(pattern),
        (error: unknown) =>
          error instanceof EvaluationError &&
          error.code === 'invalid_regular_expression' &&
          error.message.includes(JSON.stringify(pattern)),
      );
    }
  });

  test('matches catastrophic-backtracking input without backtracking', () => {
    assert.equal(compileRe2('^(a+)+$').matches(`${'a'.repeat(5000)}!`), false);
  });
});
