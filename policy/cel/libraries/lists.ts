// Kubernetes' lists library: isSorted, sum, min, max, indexOf, lastIndexOf. Overloads are
// declared per element type as upstream does, so the checker knows `[1, 2].max()` is an int.
import type { Environment } from '@marcbachmann/cel-js';
import { Duration, UnsignedInt } from '@marcbachmann/cel-js/evaluator';
import { celError, celTypeName, compareValues, listItems, valuesEqual } from './values.ts';

const COMPARABLE_TYPES = [
  'int',
  'uint',
  'double',
  'bool',
  'google.protobuf.Duration',
  'google.protobuf.Timestamp',
  'string',
  'bytes',
] as const;

const MAX_INT = 2n ** 63n - 1n;
const MIN_INT = -(2n ** 63n);
const MAX_UINT = 2n ** 64n - 1n;

function isSorted(list: unknown): boolean {
  const items = listItems(list);
  for (let i = 1; i < items.length; i++) {
    if (compareValues(items[i - 1], items[i]) > 0) return false;
  }
  return true;
}

function extreme(name: 'min' | 'max', list: unknown): unknown {
  const items = listItems(list);
  if (items.length === 0) throw celError('invalid_argument', `${name} called on empty list`);
  let best = items[0];
  for (const item of items.slice(1)) {
    const order = compareValues(best, item);
    if (name === 'min' ? order > 0 : order < 0) best = item;
  }
  return best;
}

function mismatch(expected: string, value: unknown): Error {
  return celError(
    'no_matching_overload',
    `no such overload: sum of list<${expected}> met ${celTypeName(value)}`,
  );
}

function sumInts(list: unknown): bigint {
  let total = 0n;
  for (const item of listItems(list)) {
    if (typeof item !== 'bigint') throw mismatch('int', item);
    total += item;
    if (total > MAX_INT || total < MIN_INT) throw celError('overflow', 'integer overflow');
  }
  return total;
}

function sumUints(list: unknown): UnsignedInt {
  let total = 0n;
  for (const item of listItems(list)) {
    if (!(item instanceof UnsignedInt)) throw mismatch('uint', item);
    total += item.valueOf();
    if (total > MAX_UINT) throw celError('overflow', 'unsigned integer overflow');
  }
  return new UnsignedInt(total);
}

function sumDoubles(list: unknown): number {
  let total = 0;
  for (const item of listItems(list)) {
    if (typeof item !== 'number') throw mismatch('double', item);
    total += item;
  }
  return total;
}

function sumDurations(list: unknown): Duration {
  let total = new Duration(0n, 0);
  for (const item of listItems(list)) {
    if (!(item instanceof Duration)) throw mismatch('google.protobuf.Duration', item);
    total = total.addDuration(item);
  }
  return total;
}

function indexOf(list: unknown, item: unknown): bigint {
  return BigInt(listItems(list).findIndex((candidate) => valuesEqual(candidate, item)));
}

function lastIndexOf(list: unknown, item: unknown): bigint {
  return BigInt(listItems(list).findLastIndex((candidate) => valuesEqual(candidate, item)));
}

export function registerLists(env: Environment): void {
  for (const type of COMPARABLE_TYPES) {
    env.registerFunction(`list<${type}>.isSorted(): bool`, isSorted);
    env.registerFunction(`list<${type}>.min(): ${type}`, (l: unknown) => extreme('min', l));
    env.registerFunction(`list<${type}>.max(): ${type}`, (l: unknown) => extreme('max', l));
  }
  env.registerFunction('list<int>.sum(): int', sumInts);
  env.registerFunction('list<uint>.sum(): uint', sumUints);
  env.registerFunction('list<double>.sum(): double', sumDoubles);
  env.registerFunction(
    'list<google.protobuf.Duration>.sum(): google.protobuf.Duration',
    sumDurations,
  );
  // Registered under the rewrite names too, so the engine's rewrite of the string built-ins
  // (KUBERNETES_METHOD_REWRITES) leaves list.indexOf working.
  for (const prefix of ['indexOf', 'kubernetesIndexOf']) {
    env.registerFunction(`list<A>.${prefix}(A): int`, indexOf);
  }
  for (const prefix of ['lastIndexOf', 'kubernetesLastIndexOf']) {
    env.registerFunction(`list<A>.${prefix}(A): int`, lastIndexOf);
  }
}
