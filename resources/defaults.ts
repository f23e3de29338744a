// Structural defaulting as the apiserver does it for custom resources: null fields are pruned,
// then every absent property with a `default` gets a copy of it, recursively (also inside
// defaults just applied, map values and list items). Fields kept by
// x-kubernetes-preserve-unknown-fields are left as they are.
import { kindOf } from './kinds.ts';
import { isObject, itemsOf, mapValuesOf, propertiesOf, type SchemaNode } from './schema-walk.ts';

function defaultNode(value: unknown, schema: SchemaNode): void {
  if (Array.isArray(value)) {
    const items = itemsOf(schema);
    if (items) for (const item of value) defaultNode(item, items);
    return;
  }
  if (!isObject(value)) return;
  const properties = propertiesOf(schema);
  if (properties) {
    for (const [name, child] of Object.entries(properties)) {
      if (value[name] === null) delete value[name];
      if (value[name] === undefined && child.default !== undefined) {
        value[name] = structuredClone(child.default);
      }
      if (value[name] !== undefined) defaultNode(value[name], child);
    }
  }
  const values = mapValuesOf(schema);
  if (values) for (const entry of Object.values(value)) defaultNode(entry, values);
}

/**
 * A copy of a JSON-like value (BigInts included), several times faster than structuredClone for
 * the small objects admission sees; anything but plain objects, arrays and primitives is copied
 * by structuredClone. Values are trees (decoded JSON or YAML), so no reference is shared.
 */
function copyJson<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(copyJson) as T;
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return structuredClone(value);
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const member = copyJson((value as Record<string, unknown>)[key]);
    // plain assignment would set the prototype instead of a `__proto__` member
    if (key === '__proto__') {
      Object.defineProperty(copy, key, {
        value: member,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else {
      copy[key] = member;
    }
  }
  return copy as T;
}

/** A defaulted copy of `value` against `schema`. */
export function applySchemaDefaults<T>(value: T, schema: SchemaNode): T {
  const copy = copyJson(value);
  defaultNode(copy, schema);
  return copy;
}

/** Defaults `value` itself: only for a value nothing else holds (a copy just made). */
export function applySchemaDefaultsInPlace(value: unknown, schema: SchemaNode): void {
  defaultNode(value, schema);
}

/**
 * A copy of an Orka resource with the CRD defaults applied, as the apiserver stores it.
 * Throws when the object is not an Orka resource (its apiVersion/kind name none).
 */
export function applyDefaults<T extends { apiVersion?: unknown; kind?: unknown }>(object: T): T {
  const info = kindOf(object);
  if (!info) {
    throw new Error(
      `applyDefaults: no Orka kind "${String(object.kind)}" in version "${String(object.apiVersion)}"`,
    );
  }
  return applySchemaDefaults(object, info.schema as unknown as SchemaNode);
}
