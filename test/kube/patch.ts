// Patch bodies as the apiserver accepts them. Strategic merge patch is applied as a JSON merge
// patch: the stand-in knows no patch-merge keys, so lists are replaced whole and `$patch`
// directives are rejected rather than misapplied.
import { isDeepStrictEqual } from 'node:util';
import { badRequest, StatusError } from './status.ts';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function clone<T>(v: T): T {
  return structuredClone(v);
}

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return clone(patch);
  const result: JsonObject = isObject(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key] ?? null, value);
  }
  return result;
}

function rejectDirectives(patch: Json, path: string): void {
  if (Array.isArray(patch)) {
    for (const [i, v] of patch.entries()) rejectDirectives(v, `${path}[${i}]`);
  } else if (isObject(patch)) {
    for (const [key, value] of Object.entries(patch)) {
      if (key.startsWith('$')) {
        throw badRequest(
          `strategic merge patch directive ${key} at ${path || '.'} is not supported by the stand-in`,
        );
      }
      rejectDirectives(value, `${path}.${key}`);
    }
  }
}

export function strategicMergePatch(target: Json, patch: Json): Json {
  rejectDirectives(patch, '');
  return mergePatch(target, patch);
}

interface Operation {
  op: string;
  path: string;
  value?: Json;
  from?: string;
}

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw badRequest(`JSON pointer "${pointer}" must start with "/"`);
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function patchFailure(message: string): StatusError {
  return new StatusError(422, 'Invalid', message);
}

function parentOf(doc: Json, tokens: string[], pointer: string): { parent: Json; key: string } {
  let cur: Json = doc;
  for (const token of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(token)] ?? null;
    else if (isObject(cur)) cur = cur[token] ?? null;
    else cur = null;
    if (cur === null) throw patchFailure(`doc is missing path: "${pointer}"`);
  }
  return { parent: cur, key: tokens[tokens.length - 1]! };
}

function arrayIndex(arr: Json[], key: string, forInsert: boolean, pointer: string): number {
  if (forInsert && key === '-') return arr.length;
  const idx = Number(key);
  const max = forInsert ? arr.length : arr.length - 1;
  if (!/^\d+$/.test(key) || idx > max) throw patchFailure(`index out of range at "${pointer}"`);
  return idx;
}

function getAt(doc: Json, pointer: string): Json {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return doc;
  const { parent, key } = parentOf(doc, tokens, pointer);
  if (Array.isArray(parent)) return parent[arrayIndex(parent, key, false, pointer)]!;
  if (isObject(parent) && Object.hasOwn(parent, key)) return parent[key]!;
  throw patchFailure(`doc is missing key: "${pointer}"`);
}

function removeAt(doc: Json, pointer: string): Json {
  const tokens = parsePointer(pointer);
  const { parent, key } = parentOf(doc, tokens, pointer);
  if (Array.isArray(parent)) return parent.splice(arrayIndex(parent, key, false, pointer), 1)[0]!;
  if (isObject(parent) && Object.hasOwn(parent, key)) {
    const old = parent[key]!;
    delete parent[key];
    return old;
  }
  throw patchFailure(`unable to remove nonexistent key: "${pointer}"`);
}

function addAt(doc: Json, pointer: string, value: Json, replace: boolean): Json {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return value;
  const { parent, key } = parentOf(doc, tokens, pointer);
  if (Array.isArray(parent)) {
    const idx = arrayIndex(parent, key, !replace, pointer);
    parent.splice(idx, replace ? 1 : 0, value);
  } else if (isObject(parent)) {
    if (replace && !Object.hasOwn(parent, key)) {
      throw patchFailure(`replace operation does not apply: doc is missing key: "${pointer}"`);
    }
    parent[key] = value;
  } else throw patchFailure(`doc is missing path: "${pointer}"`);
  return doc;
}

/** RFC 6902 JSON patch. */
export function jsonPatch(target: Json, patch: Json): Json {
  if (!Array.isArray(patch)) throw badRequest('json patch must be an array of operations');
  let doc = clone(target);
  for (const raw of patch) {
    if (!isObject(raw) || typeof raw.op !== 'string' || typeof raw.path !== 'string') {
      throw badRequest(`invalid json patch operation: ${JSON.stringify(raw)}`);
    }
    const op = raw as unknown as Operation;
    switch (op.op) {
      case 'add':
        doc = addAt(doc, op.path, clone(op.value ?? null), false);
        break;
      case 'replace':
        doc = addAt(doc, op.path, clone(op.value ?? null), true);
        break;
      case 'remove':
        removeAt(doc, op.path);
        break;
      case 'move': {
        const value = removeAt(doc, op.from ?? '');
        doc = addAt(doc, op.path, value, false);
        break;
      }
      case 'copy':
        doc = addAt(doc, op.path, clone(getAt(doc, op.from ?? '')), false);
        break;
      case 'test':
        if (!isDeepStrictEqual(getAt(doc, op.path), op.value ?? null)) {
          throw patchFailure(`testing value ${op.path} failed: test failed`);
        }
        break;
      default:
        throw badRequest(`unknown json patch operation "${op.op}"`);
    }
  }
  return doc;
}
