// Frames HTTP/1.1 responses out of a keep-alive byte stream for the load generator: status line,
// headers, and a body of Content-Length bytes. Anything else (chunked bodies, a missing or bad
// Content-Length, a malformed status line) is reported as a failure, never guessed at, so the
// generator counts it instead of hanging on a response it cannot frame.

export interface HttpResponse {
  status: number;
  body: Buffer;
}

export type Framed =
  | { kind: 'response'; response: HttpResponse }
  | { kind: 'malformed'; reason: string };

const HEADER_END = Buffer.from('\r\n\r\n');
/** a response head larger than this is refused rather than buffered without end */
const MAX_HEAD_BYTES = 16 * 1024;

export class ResponseFramer {
  private buffered: Buffer = Buffer.alloc(0);

  /** Adds bytes read from the socket; returns every response they complete, in order. */
  push(chunk: Buffer): Framed[] {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const framed: Framed[] = [];
    for (;;) {
      const next = this.next();
      if (next === undefined) return framed;
      framed.push(next);
      if (next.kind === 'malformed') return framed;
    }
  }

  private next(): Framed | undefined {
    const headEnd = this.buffered.indexOf(HEADER_END);
    if (headEnd < 0) {
      return this.buffered.length > MAX_HEAD_BYTES
        ? { kind: 'malformed', reason: `response head longer than ${MAX_HEAD_BYTES} bytes` }
        : undefined;
    }
    const lines = this.buffered.toString('latin1', 0, headEnd).split('\r\n');
    const status = /^HTTP\/1\.[01] (\d{3})(?: |$)/.exec(lines[0] ?? '');
    if (!status)
      return { kind: 'malformed', reason: `bad status line ${JSON.stringify(lines[0])}` };
    let length: number | undefined;
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === 'transfer-encoding') {
        return { kind: 'malformed', reason: `unsupported transfer-encoding ${value}` };
      }
      if (name === 'content-length') {
        if (!/^\d{1,9}$/.test(value) || (length !== undefined && length !== Number(value))) {
          return { kind: 'malformed', reason: `bad content-length ${JSON.stringify(value)}` };
        }
        length = Number(value);
      }
    }
    if (length === undefined)
      return { kind: 'malformed', reason: 'response without content-length' };
    const bodyStart = headEnd + HEADER_END.length;
    if (this.buffered.length < bodyStart + length) return undefined;
    const body = this.buffered.subarray(bodyStart, bodyStart + length);
    this.buffered = this.buffered.subarray(bodyStart + length);
    return { kind: 'response', response: { status: Number(status[1]), body } };
  }
}
