// Text as server-sent events (text/event-stream): each line of the input becomes one event,
// `data: <line>\n\n`. Pure stream transformation, no I/O.

import { Transform } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

/**
 * Sent first, so that headers reach the client before the first line: a quiet worker would
 * otherwise leave it waiting for a response at all. Clients ignore comment lines.
 */
export const SSE_OPENING_COMMENT = ': following the worker log\n\n';

/** One event per line; a carriage return inside a line (progress bars) also ends a line. */
export function sseEvent(line: string): string {
  return line
    .split('\r')
    .map((part) => `data: ${part}\n\n`)
    .join('');
}

/** A Transform from text (bytes, UTF-8) to SSE events, a trailing partial line sent at the end. */
export function serverSentLines(): Transform {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  const eventsOf = (text: string): string => {
    const lines = (pending + text).split('\n');
    pending = lines.pop() ?? '';
    return lines.map((line) => sseEvent(line.endsWith('\r') ? line.slice(0, -1) : line)).join('');
  };
  const transform = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      done(null, eventsOf(decoder.write(chunk)));
    },
    flush(done) {
      const rest = pending + decoder.end();
      pending = '';
      done(null, rest === '' ? '' : sseEvent(rest.endsWith('\r') ? rest.slice(0, -1) : rest));
    },
  });
  transform.push(SSE_OPENING_COMMENT);
  return transform;
}
