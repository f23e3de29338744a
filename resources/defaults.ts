// Structural defaulting as the apiserver does it for custom resources: null fields are pruned,
// then every absent property with a `default` gets a copy of it, recursively (also inside
// defaults just applied, map values and list items). Fields kept by
// x-kubernetes-preserve-unknown-fields are left as they are.
import { kindOf } from './kinds.ts';
import { isObject, itemsOf, mapValuesOf, propertiesOf, type SchemaNode } from './schema-walk.ts';

/**
 * A schema node as defaulting reads it, prepared once per schema: its properties as a list, and
 * no node where the walk would do nothing (a schema without properties, items or map values).
 */
interface DefaultingNode {
  readonly properties: readonly DefaultingProperty[] | undefined;
  readonly items: DefaultingNode | undefined;
  readonly mapValues: DefaultingNode | undefined;
}

interface DefaultingProperty {
  readonly name: string;
  /** undefined when the property has no default */
  readonly default: unknown;
  readonly node: DefaultingNode | undefined;
}

const defaultingNodes = new WeakMap<SchemaNode, DefaultingNode | undefined>();

function defaultingNodeOf(schema: SchemaNode): DefaultingNode | undefined {
  if (!isObject(schema)) return undefined;
  if (defaultingNodes.has(schema)) return defaultingNodes.get(schema);
  const properties = propertiesOf(schema);
  const items = itemsOf(schema);
  const mapValues = mapValuesOf(schema);
  if (!properties && !items && !mapValues) {
    defaultingNodes.set(schema, undefined);
    return undefined;
  }
  const node: {
    properties: DefaultingProperty[] | undefined;
    items: DefaultingNode | undefined;
    mapValues: DefaultingNode | undefined;
  } = { properties: undefined, items: undefined, mapValues: undefined };
  // registered before its children, so a schema that contains itself is prepared once
  defaultingNodes.set(schema, node);
  node.properties = properties
    ? Object.entries(properties).map(([name, child]) => ({
        name,
        default: child.default,
        node: defaultingNodeOf(child),
      }))
    : undefined;
  node.items = items && defaultingNodeOf(items);
  node.mapValues = mapValues && defaultingNodeOf(mapValues);
  return node;
}

/** A fresh copy of a default: a primitive is its own copy. */
const copyOfDefault = (value: unknown) =>
  typeof value === 'object' && value !== null ? structuredClone(value) : value;

function defaultNode(value: unknown, node: DefaultingNode): void {
  if (Array.isArray(value)) {
    const items = node.items;
    if (items) for (const item of value) defaultNode(item, items);
    return;
  }
  if (!isObject(value)) return;
  const properties = node.properties;
  if (properties) {
    for (let i = 0; i < properties.length; i++) {
      const property: DefaultingProperty = properties[i]!;
      const name = property.name;
      if (value[name] === null) delete value[name];
      if (value[name] === undefined && property.default !== undefined) {
        value[name] = copyOfDefault(property.default);
      }
      const child = property.node;
      if (child !== undefined && value[name] !== undefined) defaultNode(value[name], child);
    }
  }
  const mapValues = node.mapValues;
  if (mapValues) for (const entry of Object.values(value)) defaultNode(entry, mapValues);
}

/** Structural defaulting of `value` itself against `schema`. */
function defaultInPlace(value: unknown, schema: SchemaNode): void {
  const node = defaultingNodeOf(schema);
  if (node !== undefined) defaultNode(value, node);
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
  defaultInPlace(copy, schema);
  return copy;
}

/** Defaults `value` itself: only for a value nothing else holds (a copy just made). */
export function applySchemaDefaultsInPlace(value: unknown, schema: SchemaNode): void {
  defaultInPlace(value, schema);
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
