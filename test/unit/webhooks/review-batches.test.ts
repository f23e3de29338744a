// ReviewBatches: every submitted review is answered exactly once, with its own answer; a turn's
// reviews are all evaluated before any answer is written; a review whose evaluation throws goes to
// the error handler without holding up the others; a burst is cut into batches of MAX_BATCH.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import fc from 'fast-check';
import type { Endpoint, HandlerAnswer } from '../../../webhooks/handler.ts';
import { MAX_BATCH, type PendingReply, ReviewBatches } from '../../../webhooks/review-batches.ts';

type Step = `evaluate ${string}` | `send ${string}`;

class RecordingReply implements PendingReply {
  statusCode = 0;
  contentType = '';
  sent: (string | Error)[] = [];
  constructor(
    private readonly name: string,
    private readonly steps: Step[],
  ) {}
  code(statusCode: number) {
    this.statusCode = statusCode;
    return this;
  }
  type(contentType: string) {
    this.contentType = contentType;
    return this;
  }
  send(payload: string | Error) {
    this.steps.push(`send ${this.name}`);
    this.sent.push(payload);
  }
}

function recordingBatches(throwing: ReadonlySet<string> = new Set()) {
  const steps: Step[] = [];
  const batches = new ReviewBatches((endpoint: Endpoint, text: string): HandlerAnswer => {
    steps.push(`evaluate ${text}`);
    if (throwing.has(text)) throw new Error(`handler failed on ${text}`);
    return { statusCode: text.startsWith('bad') ? 400 : 200, body: `${endpoint}:${text}` };
  });
  const submit = (endpoint: Endpoint, text: string) => {
    const reply = new RecordingReply(text, steps);
    batches.submit(endpoint, text, reply);
    return reply;
  };
  return { steps, submit };
}

describe('ReviewBatches', () => {
  test('a turn’s reviews are all evaluated before the first answer is written', async () => {
    const { steps, submit } = recordingBatches();
    const replies = ['a', 'b', 'c'].map((text) => submit('validate', text));
    assert.deepEqual(steps, [], 'nothing is evaluated inside the route handler');
    await nextTurn();
    assert.deepEqual(steps, [
      'evaluate a',
      'evaluate b',
      'evaluate c',
      'send a',
      'send b',
      'send c',
    ]);
    for (const reply of replies) {
      assert.equal(reply.statusCode, 200);
      assert.equal(reply.contentType, 'application/json');
    }
  });

  test('each reply gets its own endpoint’s answer and status code', async () => {
    const { submit } = recordingBatches();
    const mutate = submit('mutate', 'x');
    const rejected = submit('validate', 'bad body');
    await nextTurn();
    assert.deepEqual(mutate.sent, ['mutate:x']);
    assert.deepEqual([rejected.statusCode, rejected.sent], [400, ['validate:bad body']]);
  });

  test('a throwing evaluation sends its Error to the error handler; the others are answered', async () => {
    const { submit } = recordingBatches(new Set(['boom']));
    const before = submit('validate', 'a');
    const failed = submit('validate', 'boom');
    const after = submit('validate', 'b');
    await nextTurn();
    assert.deepEqual(before.sent, ['validate:a']);
    assert.deepEqual(after.sent, ['validate:b']);
    assert.equal(failed.sent.length, 1);
    assert.ok(failed.sent[0] instanceof Error);
    assert.equal((failed.sent[0] as Error).message, 'handler failed on boom');
  });

  test('a burst larger than MAX_BATCH is written in batches of at most MAX_BATCH', async () => {
    const { steps, submit } = recordingBatches();
    const count = MAX_BATCH * 2 + 3;
    for (let index = 0; index < count; index++) submit('validate', String(index));
    await nextTurn();
    assert.equal(steps.filter((step) => step.startsWith('send')).length, MAX_BATCH);
    await nextTurn();
    await nextTurn();
    const sends = steps.filter((step) => step.startsWith('send'));
    assert.equal(sends.length, count);
    const firstSendOfSecondBatch = steps.indexOf(`send ${MAX_BATCH}`);
    assert.ok(
      steps.indexOf(`evaluate ${MAX_BATCH * 2}`) > firstSendOfSecondBatch,
      'the third batch is evaluated after the second is written',
    );
  });

  test('property: any arrival pattern answers every review once, in arrival order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.boolean(), { maxLength: 80 }), { minLength: 1, maxLength: 4 }),
        async (turns) => {
          const throwing = new Set<string>();
          const { steps, submit } = recordingBatches(throwing);
          const replies: { text: string; reply: RecordingReply }[] = [];
          for (const [turn, failures] of turns.entries()) {
            for (const [index, fails] of failures.entries()) {
              const text = `${turn}-${index}`;
              if (fails) throwing.add(text);
              replies.push({ text, reply: submit('validate', text) });
            }
            await nextTurn();
          }
          for (let turn = 0; turn < 4; turn++) await nextTurn();
          for (const { text, reply } of replies) {
            assert.equal(reply.sent.length, 1, `${text} answered once`);
            if (throwing.has(text)) assert.ok(reply.sent[0] instanceof Error);
            else assert.equal(reply.sent[0], `validate:${text}`);
          }
          const sendOrder = steps.filter((step) => step.startsWith('send')).map((s) => s.slice(5));
          assert.deepEqual(
            sendOrder,
            replies.map(({ text }) => text),
          );
        },
      ),
      { numRuns: 100 },
    );
  });
});
