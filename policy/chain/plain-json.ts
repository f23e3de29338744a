// CEL results carry integers as BigInt. Objects in the chain use plain JSON numbers, except for
// integers beyond 2^53, which stay BigInt so no digit is lost (as the webhook decodes them); the
// schema validator gets a numbers-only copy (forSchemaValidation).
import { setOwn } from '../cel/json.ts';

const isSafe = (value: bigint) =>
  value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER);

function mapJson(value: unknown, bigint: (value: bigint) => unknown): unknown {
  if (typeof value === 'bigint') return bigint(value);
  if (Array.isArray(value)) return value.map((item) => mapJson(item, bigint));
  if (typeof value === 'object' && value !== null) {
    const result: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      const member = (value as Record<string, unknown>)[key];
      if (member === undefined) continue;
      setOwn(result, key, mapJson(member, bigint));
    }
    return result;
  }
  return value;
}

/** Safe-range BigInts become numbers; larger ones stay exact BigInts. */
export function toPlainJson(value: unknown): unknown {
  return mapJson(value, (integer) => (isSafe(integer) ? Number(integer) : integer));
}

/**
 * Every BigInt as the nearest double: the validator checks types, bounds and int32/int64 formats
 * on numbers, and a value past 2^53 is far outside every bounded field, so the verdict is the
 * same as on the exact value (an int64 field accepts it, an int32 or bounded one reports it).
 */
export function forSchemaValidation(value: unknown): unknown {
  return mapJson(value, Number);
}

/**
 * Whether `value` is already what forSchemaValidation would make of it: no BigInt and no undefined
 * member anywhere in it.
 */
export function isNumbersOnly(value: unknown): boolean {
  if (typeof value === 'bigint' || value === undefined) return false;
  if (typeof value !== 'object' || value === null) return true;
  if (Array.isArray(value)) {
    for (const item of value) if (!isNumbersOnly(item)) return false;
    return true;
  }
  for (const key of Object.keys(value)) {
    if (!isNumbersOnly((value as Record<string, unknown>)[key])) return false;
  }
  return true;
}
