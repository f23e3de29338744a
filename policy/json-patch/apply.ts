// RFC 6902 JSON Patch applied to a copy of a document. Every operation's target parent must
// exist (RFC 6902 §4.1), so a mutation that adds `/spec/execution/runtimeClassName` to a Task
// without `spec.execution` fails instead of inventing intermediate objects.

export interface PatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  value?: unknown;
  from?: string;
}

export class JsonPatchError extends Error {
  override name = 'JsonPatchError';
}

type Container = Record<string, unknown> | unknown[];

export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new JsonPatchError(`path "${pointer}" must start with "/"`);
  return pointer
    .slice(1)
    .split('/')
    .map((token) => token.replaceAll('~1', '/').replaceAll('~0', '~'));
}

const isContainer = (value: unknown): value is Container =>
  typeof value === 'object' && value !== null;

function parentOf(document: unknown, tokens: string[], pointer: string): Container {
  let current: unknown = document;
  for (const token of tokens.slice(0, -1)) {
    if (Array.isArray(current)) current = current[arrayIndex(current, token, pointer, false)];
    else if (isContainer(current) && Object.hasOwn(current, token)) {
      current = (current as Record<string, unknown>)[token];
    } else throw new JsonPatchError(`path "${pointer}": parent does not exist`);
  }
  if (!isContainer(current))
    throw new JsonPatchError(`path "${pointer}": parent is not an object or list`);
  return current;
}

function arrayIndex(list: unknown[], token: string, pointer: string, forInsert: boolean): number {
  if (forInsert && token === '-') return list.length;
  if (!/^(0|[1-9]\d*)$/.test(token))
    throw new JsonPatchError(`path "${pointer}": "${token}" is not a list index`);
  const index = Number(token);
  const limit = forInsert ? list.length : list.length - 1;
  if (index > limit) throw new JsonPatchError(`path "${pointer}": index ${index} is out of range`);
  return index;
}

function read(document: unknown, pointer: string): unknown {
  let current: unknown = document;
  for (const token of parsePointer(pointer)) {
    if (Array.isArray(current)) current = current[arrayIndex(current, token, pointer, false)];
    else if (isContainer(current) && Object.hasOwn(current, token)) {
      current = (current as Record<string, unknown>)[token];
    } else throw new JsonPatchError(`path "${pointer}" does not exist`);
  }
  return current;
}

function add(document: unknown, pointer: string, value: unknown): unknown {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return value;
  const parent = parentOf(document, tokens, pointer);
  const last = tokens.at(-1)!;
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, last, pointer, true), 0, value);
  else parent[last] = value;
  return document;
}

function remove(document: unknown, pointer: string): unknown {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) throw new JsonPatchError('cannot remove the whole document');
  const parent = parentOf(document, tokens, pointer);
  const last = tokens.at(-1)!;
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, last, pointer, false), 1);
  else if (Object.hasOwn(parent, last)) delete parent[last];
  else throw new JsonPatchError(`path "${pointer}" does not exist`);
  return document;
}

/** Integers compare by value whether they arrived as a number or (past 2^53) as a BigInt. */
function sameInteger(a: unknown, b: unknown): boolean {
  const exact = (value: unknown) =>
    typeof value === 'bigint' ? value : Number.isInteger(value) ? BigInt(value as number) : null;
  const x = exact(a);
  return x !== null && x === exact(b);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'bigint' || typeof b === 'bigint') return sameInteger(a, b);
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  }
  if (isContainer(a) && isContainer(b) && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length &&
      keys.every((key) => Object.hasOwn(b, key) && deepEqual(a[key], b[key]))
    );
  }
  return false;
}

function applyOne(document: unknown, operation: PatchOperation): unknown {
  switch (operation.op) {
    case 'add':
      return add(document, operation.path, structuredClone(operation.value));
    case 'remove':
      return remove(document, operation.path);
    case 'replace':
      read(document, operation.path);
      return add(
        remove(document, operation.path),
        operation.path,
        structuredClone(operation.value),
      );
    case 'move': {
      const from = requireFrom(operation);
      if (operation.path.startsWith(`${from}/`)) {
        throw new JsonPatchError(`cannot move "${from}" into its own child "${operation.path}"`);
      }
      const value = read(document, from);
      return add(remove(document, from), operation.path, value);
    }
    case 'copy':
      return add(document, operation.path, structuredClone(read(document, requireFrom(operation))));
    case 'test':
      if (!deepEqual(read(document, operation.path), operation.value)) {
        throw new JsonPatchError(`test failed at "${operation.path}"`);
      }
      return document;
    default:
      throw new JsonPatchError(`unknown op ${JSON.stringify((operation as { op: unknown }).op)}`);
  }
}

function requireFrom(operation: PatchOperation): string {
  if (typeof operation.from !== 'string')
    throw new JsonPatchError(`"${operation.op}" needs "from"`);
  return operation.from;
}

/** Applies `operations` in order to a deep copy of `document`; throws JsonPatchError on the first failure. */
export function applyPatch(document: unknown, operations: readonly PatchOperation[]): unknown {
  let result = structuredClone(document);
  for (const operation of operations) result = applyOne(result, operation);
  return result;
}

/** Checks a value returned by a mutation expression and returns it as typed operations. */
export function toPatchOperations(value: unknown, where: string): PatchOperation[] {
  if (!Array.isArray(value))
    throw new JsonPatchError(`${where}: must return a list of JSON patch maps`);
  return value.map((raw: unknown, i) => {
    const entry = raw instanceof Map ? Object.fromEntries(raw) : raw;
    if (!isContainer(entry) || Array.isArray(entry)) {
      throw new JsonPatchError(`${where}[${i}]: must be a map with "op" and "path"`);
    }
    const { op, path, value: opValue, from } = entry as Record<string, unknown>;
    if (!['add', 'remove', 'replace', 'move', 'copy', 'test'].includes(op as string)) {
      throw new JsonPatchError(`${where}[${i}].op: unsupported value ${JSON.stringify(op)}`);
    }
    if (typeof path !== 'string') throw new JsonPatchError(`${where}[${i}].path: must be a string`);
    const operation: PatchOperation = { op: op as PatchOperation['op'], path };
    if (op === 'add' || op === 'replace' || op === 'test') {
      if (!Object.hasOwn(entry, 'value'))
        throw new JsonPatchError(`${where}[${i}]: "${String(op)}" needs "value"`);
      operation.value = opValue;
    }
    if (op === 'move' || op === 'copy') {
      if (typeof from !== 'string')
        throw new JsonPatchError(`${where}[${i}].from: must be a string`);
      operation.from = from;
    }
    return operation;
  });
}
