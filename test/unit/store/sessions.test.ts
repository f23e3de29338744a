import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  InvalidArgumentError,
  MAX_MESSAGE_CONTENT_BYTES,
  type NewMessage,
  SessionNotFoundError,
  TooLargeError,
} from '../../../store/index.ts';
import { manualClock, tempStore } from './temp-store.ts';

function texts(messages: Array<{ content: string }>): string[] {
  return messages.map((m) => m.content);
}

function numbered(from: number, to: number): NewMessage[] {
  const messages: NewMessage[] = [];
  for (let i = from; i <= to; i++) messages.push({ role: 'user', content: `m${i}` });
  return messages;
}

describe('sessions', () => {
  test('getOrCreate creates a missing session only with create=true', (t) => {
    const clock = manualClock('2026-01-01T00:00:00.000Z');
    const store = tempStore(t, { clock: clock.now });
    assert.throws(
      () => store.sessions.getOrCreate('team-a', 'my-session', { create: false }),
      (error: unknown) =>
        error instanceof SessionNotFoundError &&
        error.code === 'session-not-found' &&
        error.message === 'session my-session not found in namespace team-a and create=false',
    );
    assert.equal(store.sessions.get('team-a', 'my-session'), undefined);

    const created = store.sessions.getOrCreate('team-a', 'my-session', { create: true });
    assert.deepEqual(created, {
      created: true,
      session: {
        namespace: 'team-a',
        name: 'my-session',
        sessionType: 'task',
        messageCount: 0,
        inputTokens: 0,
        outputTokens: 0,
        activeTask: null,
        createdAt: '2026-01-01T00:00:00.000Z',
        updatedAt: '2026-01-01T00:00:00.000Z',
      },
    });
    clock.set('2026-01-02T00:00:00.000Z');
    for (const create of [true, false]) {
      const again = store.sessions.getOrCreate('team-a', 'my-session', { create });
      assert.equal(again.created, false);
      assert.deepEqual(again.session, created.session);
    }
  });

  test('getOrCreate checks its options and the session type', (t) => {
    const store = tempStore(t);
    assert.throws(
      () => store.sessions.getOrCreate('team-a', 's', {} as { create: boolean }),
      /create must be true or false, got undefined/,
    );
    assert.throws(
      () =>
        store.sessions.getOrCreate('team-a', 's', {
          create: true,
          sessionType: 'voice' as 'chat',
        }),
      /session type must be one of task, chat, got "voice"/,
    );
    const chat = store.sessions.getOrCreate('team-a', 's', { create: true, sessionType: 'chat' });
    assert.equal(chat.session.sessionType, 'chat');
  });

  test('list is ordered by name and shows the lock holder', (t) => {
    const store = tempStore(t);
    store.sessions.getOrCreate('team-a', 'zeta', { create: true });
    store.sessions.getOrCreate('team-a', 'alpha', { create: true });
    store.locks.acquire('team-a', 'zeta', 'fix-tests');
    assert.deepEqual(
      store.sessions.list('team-a').map((s) => [s.name, s.activeTask]),
      [
        ['alpha', null],
        ['zeta', 'fix-tests'],
      ],
    );
    assert.deepEqual(store.sessions.list('team-b'), []);
  });

  test('append keeps every field, counts messages and stamps the times', (t) => {
    const clock = manualClock('2026-01-01T00:00:00.000Z');
    const store = tempStore(t, { clock: clock.now });
    store.sessions.getOrCreate('team-a', 's', { create: true });
    clock.set('2026-01-01T00:05:00.000Z');
    const count = store.sessions.appendMessages('team-a', 's', [
      { role: 'user', content: 'Fix the tests', taskName: 'fix-tests' },
      {
        role: 'assistant',
        content: '{"version":1}',
        taskName: 'fix-tests',
        name: 'claude',
        input: { path: 'a.ts', lines: [1, 2] },
        toolCalls: [{ id: 'c1', name: 'Read' }],
        toolCallId: 'c1',
      },
    ]);
    assert.equal(count, 2);
    assert.equal(store.sessions.messageCount('team-a', 's'), 2);
    const [user, assistant] = store.sessions.loadTranscript('team-a', 's');
    assert.deepEqual(user, {
      id: user!.id,
      role: 'user',
      content: 'Fix the tests',
      taskName: 'fix-tests',
      createdAt: '2026-01-01T00:05:00.000Z',
    });
    assert.deepEqual(assistant, {
      id: assistant!.id,
      role: 'assistant',
      content: '{"version":1}',
      taskName: 'fix-tests',
      name: 'claude',
      input: { path: 'a.ts', lines: [1, 2] },
      toolCalls: [{ id: 'c1', name: 'Read' }],
      toolCallId: 'c1',
      createdAt: '2026-01-01T00:05:00.000Z',
    });
    assert.ok(assistant!.id > user!.id);
    const session = store.sessions.get('team-a', 's')!;
    assert.equal(session.messageCount, 2);
    assert.equal(session.createdAt, '2026-01-01T00:00:00.000Z');
    assert.equal(session.updatedAt, '2026-01-01T00:05:00.000Z');
  });

  test('a batch with one bad message stores none of it', (t) => {
    const store = tempStore(t);
    store.sessions.getOrCreate('team-a', 's', { create: true });
    store.sessions.appendMessages('team-a', 's', numbered(1, 2));
    const batches: Array<[string, NewMessage[], RegExp | typeof TooLargeError]> = [
      [
        'unknown role',
        [...numbered(3, 4), { role: 'robot' as 'user', content: 'x' }],
        /message 2: role must be one of system, user, assistant, tool, got "robot"/,
      ],
      [
        'content not text',
        [{ role: 'user', content: 42 as unknown as string }],
        /message 0: content must be a string, got number/,
      ],
      [
        'bad task name',
        [{ role: 'user', content: 'x', taskName: 'Not A Task' }],
        /message 0: task name "Not A Task" is not a valid Task name/,
      ],
      [
        'input that is not JSON',
        [{ role: 'tool', content: 'x', input: { big: 1n } }],
        /message 0: input is not JSON-serialisable/,
      ],
      [
        'content over 10 MiB',
        [
          ...numbered(3, 3),
          { role: 'assistant', content: 'x'.repeat(MAX_MESSAGE_CONTENT_BYTES + 1) },
        ],
        TooLargeError,
      ],
    ];
    for (const [name, batch, expected] of batches) {
      assert.throws(() => store.sessions.appendMessages('team-a', 's', batch), expected, name);
    }
    assert.deepEqual(texts(store.sessions.loadTranscript('team-a', 's')), ['m1', 'm2']);
    assert.equal(store.sessions.messageCount('team-a', 's'), 2);
  });

  test('appending to a missing session fails and creates nothing', (t) => {
    const store = tempStore(t);
    assert.throws(
      () => store.sessions.appendMessages('team-a', 'ghost', numbered(1, 1)),
      /session ghost not found in namespace team-a/,
    );
    assert.equal(store.sessions.get('team-a', 'ghost'), undefined);
    assert.deepEqual(store.sessions.loadTranscript('team-a', 'ghost'), []);
    assert.equal(store.sessions.messageCount('team-a', 'ghost'), 0);
  });

  test('maxMessages loads the newest N, oldest first', (t) => {
    const store = tempStore(t);
    store.sessions.getOrCreate('team-a', 's', { create: true });
    store.sessions.appendMessages('team-a', 's', numbered(1, 3));
    store.sessions.appendMessages('team-a', 's', numbered(4, 4));
    store.sessions.appendMessages('team-a', 's', numbered(5, 7));
    const cases: Array<[number | undefined, string[]]> = [
      [undefined, ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7']],
      [1, ['m7']],
      [3, ['m5', 'm6', 'm7']],
      [4, ['m4', 'm5', 'm6', 'm7']],
      [7, ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7']],
      [50, ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7']],
    ];
    for (const [maxMessages, expected] of cases) {
      const options = maxMessages === undefined ? {} : { maxMessages };
      assert.deepEqual(
        texts(store.sessions.loadTranscript('team-a', 's', options)),
        expected,
        `maxMessages=${maxMessages}`,
      );
    }
  });

  test('maxMessages must be a positive integer', (t) => {
    const store = tempStore(t);
    for (const maxMessages of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(
        () => store.sessions.loadTranscript('team-a', 's', { maxMessages }),
        (error: unknown) =>
          error instanceof InvalidArgumentError &&
          error.message === `maxMessages must be a positive integer, got ${maxMessages}`,
      );
    }
  });

  test('delete removes the session with its messages and lock; a new one starts empty', (t) => {
    const store = tempStore(t);
    store.locks.acquire('team-a', 's', 'fix-tests', { createSession: true });
    store.sessions.appendMessages('team-a', 's', numbered(1, 3));
    assert.equal(store.sessions.delete('team-a', 's'), true);
    assert.equal(store.sessions.delete('team-a', 's'), false);
    assert.equal(store.sessions.get('team-a', 's'), undefined);
    assert.equal(store.locks.holder('team-a', 's'), undefined);

    store.sessions.getOrCreate('team-a', 's', { create: true });
    assert.deepEqual(store.sessions.loadTranscript('team-a', 's'), []);
    assert.equal(store.sessions.get('team-a', 's')!.activeTask, null);
  });

  const badNames: Array<[string, unknown, RegExp]> = [
    ['empty', '', /session name is required/],
    ['not a string', 7, /session name is required \(a non-empty string\), got number/],
    ['too long', 'x'.repeat(254), /longer than 253 characters/],
    ['with a newline', 'a\nb', /contains invalid characters/],
    ['with a slash', 'a/b', /contains invalid characters/],
  ];
  for (const [name, value, message] of badNames) {
    test(`refuses a session name that is ${name}`, (t) => {
      const store = tempStore(t);
      assert.throws(
        () => store.sessions.getOrCreate('team-a', value as string, { create: true }),
        message,
      );
      assert.deepEqual(store.sessions.list('team-a'), []);
    });
  }

  test('accepts free-text session names the CRD allows', (t) => {
    const store = tempStore(t);
    for (const name of ['feature-123', 'My Session', 'ticket#42', 'über']) {
      assert.equal(store.sessions.getOrCreate('team-a', name, { create: true }).session.name, name);
    }
  });
});
