// Worker-side delegation rules (reference §3.7): when a token exchange happens, the subset rule
// with the reference's messages, the parent's scopes, the token types and the child TTL.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ACCESS_TOKEN_TYPE,
  childScopeFailure,
  childTaskName,
  DelegationError,
  exchangeSettings,
  parentScopes,
  TXN_TOKEN_TYPE,
} from '../../../worker/delegation.ts';
import { WorkerConfigError } from '../../../worker/errors.ts';

const PARENT = {
  ORKA_TRANSACTION_ID: 'txn-1',
  ORKA_TRANSACTION_SCOPES: 'a,b',
  ORKA_CONTEXT_TOKEN_TTS_URL: 'http://tts/',
  ORKA_CONTEXT_TOKEN_CHILD_SCOPE: 'a',
};

describe('delegation rules', () => {
  const subset: [string, string[], string | null][] = [
    ['a', ['a', 'b'], null],
    ['  a   b ', ['a', 'b'], null],
    [' ', ['a'], 'child transaction scope is required'],
    ['a', [], 'parent transaction scopes are required for child token exchange'],
    ['a c', ['a', 'b'], 'child transaction scope "c" is not present in parent transaction scopes'],
  ];
  for (const [child, parent, want] of subset) {
    test(`child scope "${child}" against [${parent}]`, () => {
      assert.equal(childScopeFailure(child, parent), want);
    });
  }

  test('parent scopes: the csv list, else the fields of the scope string', () => {
    assert.deepEqual(parentScopes({ ORKA_TRANSACTION_SCOPES: ' a, b ,' }), ['a', 'b']);
    assert.deepEqual(parentScopes({ ORKA_TRANSACTION_SCOPE: 'c  d' }), ['c', 'd']);
  });

  const noExchange: [string, Record<string, string>][] = [
    ['no token service', { ...PARENT, ORKA_CONTEXT_TOKEN_TTS_URL: '' }],
    ['token source none', { ...PARENT, ORKA_CONTEXT_TOKEN_TTS_TOKEN_SOURCE: 'none' }],
    [
      'a parent without a transaction',
      { ORKA_CONTEXT_TOKEN_TTS_URL: 'http://tts', ORKA_CONTEXT_TOKEN_CHILD_SCOPE: 'a' },
    ],
  ];
  for (const [name, env] of noExchange) {
    test(`no exchange: ${name}`, () => assert.equal(exchangeSettings(env), null));
  }

  test('exchange settings: URL, token type by source, TTL rounded up to whole seconds', () => {
    const incoming = exchangeSettings({ ...PARENT, ORKA_CONTEXT_TOKEN_CHILD_TOKEN_TTL: '1500ms' });
    assert.equal(incoming?.ttsUrl, 'http://tts');
    assert.equal(incoming?.subjectTokenType, TXN_TOKEN_TYPE);
    assert.equal(incoming?.childTtlSeconds, 2);
    const sa = exchangeSettings({
      ...PARENT,
      ORKA_CONTEXT_TOKEN_TTS_TOKEN_SOURCE: 'serviceAccount',
    });
    assert.equal(sa?.subjectTokenType, ACCESS_TOKEN_TYPE);
    assert.equal(sa?.childTtlSeconds, undefined);
  });

  const refusals: [string, Record<string, string>, new (message: string) => Error, RegExp][] = [
    [
      'a scope outside the parent',
      { ...PARENT, ORKA_CONTEXT_TOKEN_CHILD_SCOPE: 'z' },
      DelegationError,
      /"z" is not present/,
    ],
    [
      'no child scope',
      { ...PARENT, ORKA_CONTEXT_TOKEN_CHILD_SCOPE: '' },
      WorkerConfigError,
      /ORKA_CONTEXT_TOKEN_CHILD_SCOPE is required/,
    ],
    [
      'an unknown source',
      { ...PARENT, ORKA_CONTEXT_TOKEN_TTS_TOKEN_SOURCE: 'x' },
      WorkerConfigError,
      /invalid ORKA_CONTEXT_TOKEN_TTS_TOKEN_SOURCE/,
    ],
    [
      'a malformed TTL',
      { ...PARENT, ORKA_CONTEXT_TOKEN_CHILD_TOKEN_TTL: '5 minutes' },
      WorkerConfigError,
      /invalid ORKA_CONTEXT_TOKEN_CHILD_TOKEN_TTL/,
    ],
  ];
  for (const [name, env, kind, message] of refusals) {
    test(`refuses ${name}`, () => {
      assert.throws(
        () => exchangeSettings(env),
        (e: Error) => e instanceof kind && message.test(e.message),
      );
    });
  }

  test('child names are DNS-safe and at most 63 characters', () => {
    assert.equal(childTaskName('Parent_Task', 'abc123'), 'parent-task-child-abc123');
    const long = childTaskName('x'.repeat(80), 'abc123');
    assert.equal(long.length, 63);
    assert.match(long, /^x+-child-abc123$/);
  });
});
