// The JSON patch that turns one object into another, for reporting what defaulting changed:
// added and replaced members, recursively through objects; lists are replaced whole. Integers
// beyond 2^53 arrive as BigInt (exact), so values are compared by their exact JSON text.
import { stringifyJsonPreservingIntegers } from '../cel/json.ts';
import type { PatchOperation } from '../json-patch/apply.ts';

const NEEDS_ESCAPE = /[~/]/;
const escapeToken = (key: string) =>
  NEEDS_ESCAPE.test(key) ? key.replaceAll('~', '~0').replaceAll('/', '~1') : key;
const isMap = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A member set to undefined has no JSON form; it reads as absent, as JSON.stringify treats it. */
const jsonText = (value: unknown) =>
  value === undefined ? undefined : stringifyJsonPreservingIntegers(value);

/**
 * Whether both have the same JSON text. Identical strings, booleans, nulls and finite numbers
 * need no text (most members defaulting leaves alone); anything else is compared as text, which
 * also keeps a non-finite number an error and `1` equal to `1n`.
 */
function sameJson(before: unknown, after: unknown): boolean {
  if (before === after) {
    switch (typeof before) {
      case 'string':
      case 'boolean':
      case 'bigint':
        return true;
      case 'number':
        if (Number.isFinite(before)) return true;
        break;
      case 'object':
        if (before === null) return true;
        break;
    }
  }
  return jsonText(before) === jsonText(after);
}

function collect(before: unknown, after: unknown, path: string, into: PatchOperation[]): void {
  if (isMap(before) && isMap(after)) {
    for (const key of Object.keys(before)) {
      if (!Object.hasOwn(after, key))
        into.push({ op: 'remove', path: `${path}/${escapeToken(key)}` });
    }
    for (const key of Object.keys(after)) {
      const value = after[key];
      if (!Object.hasOwn(before, key)) {
        into.push({ op: 'add', path: `${path}/${escapeToken(key)}`, value });
        continue;
      }
      const old = before[key];
      // the member's path is spelled only for an operation or a map to walk: most members
      // defaulting leaves alone are neither
      if (isMap(old) && isMap(value)) collect(old, value, `${path}/${escapeToken(key)}`, into);
      else if (!sameJson(old, value))
        into.push({ op: 'replace', path: `${path}/${escapeToken(key)}`, value });
    }
    return;
  }
  if (!sameJson(before, after)) into.push({ op: 'replace', path, value: after });
}

export function diffPatch(before: unknown, after: unknown, path = ''): PatchOperation[] {
  const operations: PatchOperation[] = [];
  collect(before, after, path, operations);
  return operations;
}
