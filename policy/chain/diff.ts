// The JSON patch that turns one object into another, for reporting what defaulting changed:
// added and replaced members, recursively through objects; lists are replaced whole. Integers
// beyond 2^53 arrive as BigInt (exact), so values are compared by their exact JSON text.
import { stringifyJsonPreservingIntegers } from '../cel/json.ts';
import type { PatchOperation } from '../json-patch/apply.ts';

const escapeToken = (key: string) => key.replaceAll('~', '~0').replaceAll('/', '~1');
const isMap = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A member set to undefined has no JSON form; it reads as absent, as JSON.stringify treats it. */
const jsonText = (value: unknown) =>
  value === undefined ? undefined : stringifyJsonPreservingIntegers(value);

export function diffPatch(before: unknown, after: unknown, path = ''): PatchOperation[] {
  if (isMap(before) && isMap(after)) {
    const operations: PatchOperation[] = [];
    for (const key of Object.keys(before)) {
      if (!Object.hasOwn(after, key))
        operations.push({ op: 'remove', path: `${path}/${escapeToken(key)}` });
    }
    for (const [key, value] of Object.entries(after)) {
      const at = `${path}/${escapeToken(key)}`;
      if (!Object.hasOwn(before, key)) operations.push({ op: 'add', path: at, value });
      else operations.push(...diffPatch(before[key], value, at));
    }
    return operations;
  }
  return jsonText(before) === jsonText(after) ? [] : [{ op: 'replace', path, value: after }];
}
