import { InvalidArgumentError } from './errors.ts';

/** Bytes to store as a BLOB: text is stored as UTF-8, binary exactly as given. */
export function toBytes(data: unknown, what: string): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (data instanceof Uint8Array) {
    return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.length);
  }
  throw new InvalidArgumentError(`${what} must be a string or bytes, got ${typeof data}`);
}
