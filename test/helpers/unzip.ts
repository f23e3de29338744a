// Reads named entries out of a zip archive, for machines without the `unzip` program. Handles the
// two methods real archives use (stored, deflate) and refuses anything else by name.
import { inflateRawSync } from 'node:zlib';

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_DIRECTORY_ENTRY = 0x02014b50;
const LOCAL_FILE_HEADER = 0x04034b50;
const STORED = 0;
const DEFLATED = 8;

function findEndOfCentralDirectory(zip: Buffer): number {
  // The record is 22 bytes plus a comment of at most 65535 bytes at the very end.
  const earliest = Math.max(0, zip.length - 22 - 0xffff);
  for (let at = zip.length - 22; at >= earliest; at--) {
    if (zip.readUInt32LE(at) === END_OF_CENTRAL_DIRECTORY) return at;
  }
  throw new Error('not a zip archive: no end-of-central-directory record');
}

/** The contents of each wanted entry, by name; throws naming any entry that is missing. */
export function extractZipEntries(zip: Buffer, wanted: readonly string[]): Map<string, Buffer> {
  const end = findEndOfCentralDirectory(zip);
  const entries = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const found = new Map<string, Buffer>();
  for (let i = 0; i < entries; i++) {
    if (zip.readUInt32LE(at) !== CENTRAL_DIRECTORY_ENTRY) {
      throw new Error(`corrupt zip archive: bad central directory entry ${i}`);
    }
    const method = zip.readUInt16LE(at + 10);
    const compressedSize = zip.readUInt32LE(at + 20);
    const size = zip.readUInt32LE(at + 24);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const localHeader = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    at += 46 + nameLength + extraLength + commentLength;
    if (!wanted.includes(name)) continue;

    if (zip.readUInt32LE(localHeader) !== LOCAL_FILE_HEADER) {
      throw new Error(`corrupt zip archive: bad local header of ${name}`);
    }
    const dataStart =
      localHeader + 30 + zip.readUInt16LE(localHeader + 26) + zip.readUInt16LE(localHeader + 28);
    const data = zip.subarray(dataStart, dataStart + compressedSize);
    let content: Buffer;
    if (method === STORED) content = Buffer.from(data);
    else if (method === DEFLATED) content = inflateRawSync(data);
    else throw new Error(`zip entry ${name} uses unsupported compression method ${method}`);
    if (content.length !== size) {
      throw new Error(`zip entry ${name}: expected ${size} bytes, got ${content.length}`);
    }
    found.set(name, content);
  }
  const missing = wanted.filter((name) => !found.has(name));
  if (missing.length > 0) throw new Error(`zip archive has no entry ${missing.join(', ')}`);
  return found;
}
