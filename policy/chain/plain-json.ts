// CEL results carry integers as BigInt; objects handed to the schema validator, patches and JSON
// output use plain JSON numbers.

export function toPlainJson(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(toPlainJson);
  if (typeof value === 'object' && value !== null) {
    const result: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value)) {
      if (member === undefined) continue;
      Object.defineProperty(result, key, {
        value: toPlainJson(member),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return result;
  }
  return value;
}
