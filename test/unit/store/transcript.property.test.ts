// Random sequences of appends and loads against a plain-array model of the transcript.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { MessageRole, NewMessage } from '../../../store/index.ts';
import { tempStore } from './temp-store.ts';

const SESSIONS = ['s1', 's2'] as const;

const message = fc.record({
  role: fc.constantFrom<MessageRole>('user', 'assistant', 'system', 'tool'),
  content: fc.string({ maxLength: 40, unit: 'grapheme' }),
});

const operation = fc.oneof(
  fc.record({
    kind: fc.constant('append' as const),
    session: fc.constantFrom(...SESSIONS),
    messages: fc.array(message, { minLength: 0, maxLength: 6 }),
  }),
  fc.record({
    kind: fc.constant('load' as const),
    session: fc.constantFrom(...SESSIONS),
    maxMessages: fc.option(fc.integer({ min: 1, max: 30 }), { nil: undefined }),
  }),
);

describe('transcript property', () => {
  test('any sequence of appends and loads keeps order and count per session', (t) => {
    const store = tempStore(t);
    let run = 0;
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 25 }), (operations) => {
        const namespace = `run-${run++}`;
        const model = new Map<string, NewMessage[]>();
        for (const session of SESSIONS) {
          store.sessions.getOrCreate(namespace, session, { create: true });
          model.set(session, []);
        }
        for (const op of operations) {
          const expected = model.get(op.session)!;
          if (op.kind === 'append') {
            const count = store.sessions.appendMessages(namespace, op.session, op.messages);
            expected.push(...op.messages);
            assert.equal(count, expected.length);
          } else {
            const options = op.maxMessages === undefined ? {} : { maxMessages: op.maxMessages };
            const loaded = store.sessions.loadTranscript(namespace, op.session, options);
            const want = op.maxMessages === undefined ? expected : expected.slice(-op.maxMessages);
            // fast-check builds records without a prototype; compare plain copies.
            const plain = (m: { role: MessageRole; content: string }) => ({
              role: m.role,
              content: m.content,
            });
            assert.deepEqual(loaded.map(plain), want.map(plain));
            const ids = loaded.map((m) => m.id);
            assert.deepEqual(
              ids,
              [...ids].sort((a, b) => a - b),
            );
          }
          assert.equal(store.sessions.messageCount(namespace, op.session), expected.length);
        }
      }),
      { numRuns: 200 },
    );
  });
});
