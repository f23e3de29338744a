// Go `encoding/json` output for transaction digests (reference §3.6): compact, object keys sorted
// by bytes, `<`, `>`, `&`, U+2028 and U+2029 escaped, numbers as their original literals, and the
// set-valued context lists sorted by their elements' encodings so that order does not change the
// digest.
import { createHash } from 'node:crypto';
import {
  isJsonNumber,
  isJsonObject,
  type JsonObject,
  type JsonValue,
} from '../auth/json-literal.ts';

/** tctx keys whose lists are sets: sorted before hashing, kept as `[]` when empty. */
export const SET_VALUED_KEYS: ReadonlySet<string> = new Set([
  'allowedAgents',
  'allowedModels',
  'allowedProviders',
  'allowedTools',
]);

function byUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function encodeString(value: string): string {
  let out = '"';
  for (const char of value) {
    const code = char.codePointAt(0)!;
    if (char === '"') out += '\\"';
    else if (char === '\\') out += '\\\\';
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (char === '\t') out += '\\t';
    else if (char === '\b') out += '\\b';
    else if (char === '\f') out += '\\f';
    else if (code < 0x20 || char === '<' || char === '>' || char === '&') {
      out += `\\u${code.toString(16).padStart(4, '0')}`;
    } else if (code === 0x2028 || code === 0x2029) out += `\\u${code.toString(16)}`;
    else if (code >= 0xd800 && code <= 0xdfff)
      out += '\ufffd'; // lone surrogate: Go writes U+FFFD
    else out += char;
  }
  return `${out}"`;
}

/** Go's json.Marshal of a decoded (UseNumber) value. */
export function goJsonEncode(value: JsonValue): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'string') return encodeString(value);
  if (isJsonNumber(value)) return value.literal;
  if (Array.isArray(value)) return `[${value.map(goJsonEncode).join(',')}]`;
  const keys = Object.keys(value).sort(byUtf8);
  return `{${keys.map((k) => `${encodeString(k)}:${goJsonEncode(value[k]!)}`).join(',')}}`;
}

/** Sorts the set-valued lists at any depth (by each element's encoding); returns a new value. */
export function canonicaliseContext(value: JsonValue, key = ''): JsonValue {
  if (Array.isArray(value)) {
    const items = value.map((item) => canonicaliseContext(item));
    if (!SET_VALUED_KEYS.has(key)) return items;
    return items
      .map((item) => ({ item, encoded: goJsonEncode(item) }))
      .sort((a, b) => byUtf8(a.encoded, b.encoded))
      .map(({ item }) => item);
  }
  if (isJsonObject(value)) {
    const out: JsonObject = Object.create(null);
    for (const [k, v] of Object.entries(value)) out[k] = canonicaliseContext(v, k);
    return out;
  }
  return value;
}

/** `sha256:<hex>` of the canonical JSON of a context claim; "" when absent or empty. */
export function contextDigest(context: JsonObject | null | undefined): string {
  if (context === null || context === undefined || Object.keys(context).length === 0) return '';
  const json = goJsonEncode(canonicaliseContext(context));
  return `sha256:${createHash('sha256').update(json, 'utf8').digest('hex')}`;
}
