import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { type Framed, ResponseFramer } from '../../../bench/http-responses.ts';

const response = (status: number, body: string, headers = '') =>
  `HTTP/1.1 ${status} X\r\nContent-Type: application/json\r\n${headers}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

const summary = (framed: Framed[]) =>
  framed.map((f) =>
    f.kind === 'response' ? `${f.response.status} ${f.response.body.toString()}` : `! ${f.reason}`,
  );

describe('ResponseFramer', () => {
  test('frames back-to-back keep-alive responses, however the bytes are split', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(200, 400, 500), fc.string({ maxLength: 40 })), {
          minLength: 1,
          maxLength: 5,
        }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (answers, cuts) => {
          const stream = Buffer.from(answers.map(([s, b]) => response(s, b)).join(''));
          const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort(
            (a, b) => a - b,
          );
          const framer = new ResponseFramer();
          const framed: Framed[] = [];
          let from = 0;
          for (const point of [...points, stream.length]) {
            framed.push(...framer.push(stream.subarray(from, point)));
            from = point;
          }
          assert.deepEqual(
            summary(framed),
            answers.map(([s, b]) => `${s} ${b}`),
          );
        },
      ),
    );
  });

  test('waits for the rest of a body before answering', () => {
    const framer = new ResponseFramer();
    const whole = response(200, '{"a":1}');
    assert.deepEqual(framer.push(Buffer.from(whole.slice(0, -2))), []);
    assert.deepEqual(summary(framer.push(Buffer.from(whole.slice(-2)))), ['200 {"a":1}']);
  });

  const malformed: [string, string, string][] = [
    [
      'a bad status line',
      'HTTP/2 200\r\nContent-Length: 0\r\n\r\n',
      'bad status line "HTTP/2 200"',
    ],
    [
      'a chunked body',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      'unsupported transfer-encoding chunked',
    ],
    ['no content-length', 'HTTP/1.1 200 OK\r\n\r\n', 'response without content-length'],
    [
      'a negative content-length',
      'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n',
      'bad content-length "-1"',
    ],
    [
      'conflicting content-lengths',
      'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab',
      'bad content-length "2"',
    ],
  ];
  for (const [name, bytes, reason] of malformed) {
    test(`reports ${name} as malformed`, () => {
      assert.deepEqual(summary(new ResponseFramer().push(Buffer.from(bytes))), [`! ${reason}`]);
    });
  }

  test('refuses a response head that never ends instead of buffering it', () => {
    const framer = new ResponseFramer();
    assert.deepEqual(framer.push(Buffer.from(`HTTP/1.1 200 OK\r\nX: ${'a'.repeat(8 * 1024)}`)), []);
    assert.deepEqual(summary(framer.push(Buffer.from('a'.repeat(9 * 1024)))), [
      '! response head longer than 16384 bytes',
    ]);
  });
});
