// Runtime helpers shared by the libraries: CEL type names, equality and ordering of the values
// cel-js hands to function handlers (bigint int, UnsignedInt uint, number double, Uint8Array
// bytes, Date timestamp, Duration, arrays, plain objects or Maps, and this folder's own classes).
import { EvaluationError } from '@marcbachmann/cel-js';
import { Duration, UnsignedInt } from '@marcbachmann/cel-js/evaluator';

/** A value of one of this folder's custom CEL types. */
export interface CelObject {
  readonly celTypeName: string;
  celEquals(other: unknown): boolean;
}

export function isCelObject(value: unknown): value is CelObject {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Partial<CelObject>).celTypeName === 'string' &&
    typeof (value as Partial<CelObject>).celEquals === 'function'
  );
}

export function celError(code: string, message: string): EvaluationError {
  return new EvaluationError({ code, message });
}

/** The CEL name of a runtime value's type, as cel-go spells it in error messages. */
export function celTypeName(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'bigint':
      return 'int';
    case 'number':
      return 'double';
    case 'boolean':
      return 'bool';
    case 'undefined':
      return 'unknown';
  }
  if (value === null) return 'null_type';
  if (value instanceof UnsignedInt) return 'uint';
  if (value instanceof Uint8Array) return 'bytes';
  if (value instanceof Date) return 'google.protobuf.Timestamp';
  if (value instanceof Duration) return 'google.protobuf.Duration';
  if (Array.isArray(value) || value instanceof Set) return 'list';
  if (isCelObject(value)) return value.celTypeName;
  if (isCelType(value)) return 'type';
  if (isPlainMap(value)) return 'map';
  return (value as object).constructor?.name ?? 'object';
}

/** cel-js `type(x)` values: frozen objects whose only state is a name. */
export function isCelType(value: unknown): value is { name: string } {
  return (
    typeof value === 'object' &&
    value !== null &&
    value.constructor?.name === 'Type' &&
    typeof (value as { name?: unknown }).name === 'string'
  );
}

export function isPlainMap(
  value: unknown,
): value is Map<unknown, unknown> | Record<string, unknown> {
  if (value instanceof Map) return true;
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

export function mapEntries(
  value: Map<unknown, unknown> | Record<string, unknown>,
): [unknown, unknown][] {
  return value instanceof Map ? [...value.entries()] : Object.entries(value);
}

export function listItems(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (value instanceof Set) return [...value];
  throw celError(
    'no_matching_overload',
    `no such overload: expected a list, got ${celTypeName(value)}`,
  );
}

function numericValue(value: unknown): bigint | number | undefined {
  if (typeof value === 'bigint' || typeof value === 'number') return value;
  if (value instanceof UnsignedInt) return value.valueOf();
  return undefined;
}

/** Compares numbers of any CEL numeric type exactly (CrossTypeNumericComparisons). */
function compareNumbers(a: bigint | number, b: bigint | number): number {
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isNaN(a) || Number.isNaN(b)) return Number.NaN;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  const [int, dbl, flip] =
    typeof a === 'bigint' ? [a, b as number, 1] : [b as bigint, a as number, -1];
  if (Number.isNaN(dbl)) return Number.NaN;
  if (dbl === Number.POSITIVE_INFINITY) return -flip;
  if (dbl === Number.NEGATIVE_INFINITY) return flip;
  const floor = BigInt(Math.floor(dbl));
  if (int < floor) return -flip;
  if (int > floor) return flip;
  return Number.isInteger(dbl) ? 0 : -flip;
}

/** Orders two strings by code point, as Go orders UTF-8 strings. */
export function compareStrings(a: string, b: string): number {
  const left = a[Symbol.iterator]();
  const right = b[Symbol.iterator]();
  for (;;) {
    const l = left.next();
    const r = right.next();
    if (l.done || r.done) return l.done && r.done ? 0 : l.done ? -1 : 1;
    const diff = (l.value.codePointAt(0) ?? 0) - (r.value.codePointAt(0) ?? 0);
    if (diff !== 0) return diff < 0 ? -1 : 1;
  }
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0);
    if (diff !== 0) return diff < 0 ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

function durationNanos(d: Duration): bigint {
  return d.seconds * 1_000_000_000n + BigInt(d.nanos);
}

export interface Comparable {
  celCompare(other: unknown): number;
}

function isComparable(value: unknown): value is Comparable & CelObject {
  return isCelObject(value) && typeof (value as Partial<Comparable>).celCompare === 'function';
}

/**
 * Orders two values as cel-go's Comparer does: -1, 0 or 1, or throws "no such overload" for
 * values that cannot be compared (different kinds, lists, maps, null).
 */
export function compareValues(a: unknown, b: unknown): number {
  const na = numericValue(a);
  const nb = numericValue(b);
  if (na !== undefined && nb !== undefined) return compareNumbers(na, nb);
  if (typeof a === 'string' && typeof b === 'string') return compareStrings(a, b);
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : a ? 1 : -1;
  if (a instanceof Uint8Array && b instanceof Uint8Array) return compareBytes(a, b);
  if (a instanceof Date && b instanceof Date) return Math.sign(a.getTime() - b.getTime());
  if (a instanceof Duration && b instanceof Duration) {
    const diff = durationNanos(a) - durationNanos(b);
    return diff < 0n ? -1 : diff > 0n ? 1 : 0;
  }
  if (isComparable(a) && isComparable(b) && a.celTypeName === b.celTypeName) return a.celCompare(b);
  throw celError(
    'no_matching_overload',
    `no such overload: cannot compare ${celTypeName(a)} with ${celTypeName(b)}`,
  );
}

/** CEL equality: heterogeneous numbers compare by value, lists and maps deeply. */
export function valuesEqual(a: unknown, b: unknown): boolean {
  const na = numericValue(a);
  const nb = numericValue(b);
  if (na !== undefined || nb !== undefined) {
    return na !== undefined && nb !== undefined && compareNumbers(na, nb) === 0;
  }
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    return a instanceof Uint8Array && b instanceof Uint8Array && compareBytes(a, b) === 0;
  }
  if (a instanceof Date || b instanceof Date) {
    return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  }
  if (a instanceof Duration || b instanceof Duration) {
    return a instanceof Duration && b instanceof Duration && durationNanos(a) === durationNanos(b);
  }
  if (isCelObject(a)) return a.celEquals(b);
  if (isCelType(a) || isCelType(b)) return isCelType(a) && isCelType(b) && a.name === b.name;
  const aList = Array.isArray(a) || a instanceof Set;
  const bList = Array.isArray(b) || b instanceof Set;
  if (aList || bList) {
    if (!aList || !bList) return false;
    const left = listItems(a);
    const right = listItems(b);
    return left.length === right.length && left.every((item, i) => valuesEqual(item, right[i]));
  }
  if (isPlainMap(a) && isPlainMap(b)) return mapsEqual(a, b);
  return false;
}

function mapsEqual(
  a: Map<unknown, unknown> | Record<string, unknown>,
  b: Map<unknown, unknown> | Record<string, unknown>,
): boolean {
  const left = mapEntries(a);
  const right = mapEntries(b);
  if (left.length !== right.length) return false;
  return left.every(([key, value]) => {
    const match = right.find(([otherKey]) => valuesEqual(key, otherKey));
    return match !== undefined && valuesEqual(value, match[1]);
  });
}

/** A CEL int argument as a JS number, refusing values beyond the safe range. */
export function toIndex(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw celError('index_out_of_range', `index out of range: ${value}`);
  }
  return Number(value);
}
