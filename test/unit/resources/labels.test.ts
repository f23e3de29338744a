import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import {
  isValidLabelValue,
  MANAGED_ANNOTATION_KEYS,
  MANAGED_LABEL_KEYS,
  selectorValue,
} from '../../../resources/labels.ts';

const sha12 = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 12);

describe('selectorValue (reference §6.1)', () => {
  const long = `Very_Long/Task Name ${'x'.repeat(80)}`;
  const cases: [string, string, string][] = [
    ['a valid value is kept', 'refactor-task', 'refactor-task'],
    ['valid with capitals, dots and underscores is kept', 'My_Task.v2', 'My_Task.v2'],
    ['surrounding spaces are trimmed', '  fix-tests  ', 'fix-tests'],
    ['invalid characters become dashes, lowercased', 'Team/Task Name', 'team-task-name'],
    ['non-alphanumerics trimmed from both ends', '--Hello World!--', 'hello-world'],
    ['nothing left gives label', '!!!', 'label'],
    ['empty gives empty (a valid label value)', '', ''],
    ['exactly 63 valid characters are kept', 'a'.repeat(63), 'a'.repeat(63)],
    [
      '64 valid characters: first 50, a dash, 12 hex of sha256',
      'a'.repeat(64),
      `${'a'.repeat(50)}-${sha12('a'.repeat(64))}`,
    ],
    [
      'long and invalid: normalised, cut, hashed from the trimmed original',
      long,
      `${'very_long-task-name-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'.slice(0, 50)}-${sha12(long)}`,
    ],
    [
      'a cut that ends in a dash is trimmed before the hash',
      `${'a'.repeat(49)}--${'b'.repeat(20)}`,
      `${'a'.repeat(49)}-${sha12(`${'a'.repeat(49)}--${'b'.repeat(20)}`)}`,
    ],
  ];
  for (const [name, input, expected] of cases) {
    test(name, () => {
      const value = selectorValue(input);
      assert.equal(value, expected);
      assert.ok(isValidLabelValue(value), `${value} is not a valid label value`);
    });
  }

  test('distinct long values stay distinct', () => {
    assert.notEqual(selectorValue('a'.repeat(70)), selectorValue('a'.repeat(71)));
  });
});

describe('managed provenance keys (reference §2.2)', () => {
  test('labels and annotations in the order denials list them', () => {
    assert.deepEqual(MANAGED_LABEL_KEYS, ['orka.ai/transaction-id', 'orka.ai/auth-profile']);
    assert.deepEqual(MANAGED_ANNOTATION_KEYS, [
      'orka.ai/transaction-id',
      'orka.ai/context-token-profile',
      'orka.ai/transaction-issuer',
      'orka.ai/transaction-subject',
      'orka.ai/transaction-requesting-workload',
      'orka.ai/transaction-scope',
      'orka.ai/transaction-context-digest',
      'orka.ai/requester-context-digest',
      'orka.ai/transaction-token-secret',
      'orka.ai/transaction-token-pending',
      'orka.ai/transaction-token-pending-since',
    ]);
  });
});
