// Walking a JSON value alongside its structural schema: the child schema of a property, map value
// or list item, and the apiserver's spelling of field paths (`spec.tolerations[0].key`,
// `spec.nodeSelector[disk-type]`).

export type SchemaNode = Record<string, unknown>;

export type Segment = { kind: 'property' | 'key'; name: string } | { kind: 'index'; index: number };

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export const propertiesOf = (schema: SchemaNode): Record<string, SchemaNode> | undefined =>
  isObject(schema.properties) ? (schema.properties as Record<string, SchemaNode>) : undefined;

/** The schema of map values when `schema` is a map (`additionalProperties: {...}`). */
export const mapValuesOf = (schema: SchemaNode): SchemaNode | undefined =>
  isObject(schema.additionalProperties) ? (schema.additionalProperties as SchemaNode) : undefined;

export const itemsOf = (schema: SchemaNode): SchemaNode | undefined =>
  isObject(schema.items) ? (schema.items as SchemaNode) : undefined;

export function formatPath(segments: readonly Segment[]): string {
  let path = '';
  for (const segment of segments) {
    if (segment.kind === 'index') path += `[${segment.index}]`;
    else if (segment.kind === 'key') path += `[${segment.name}]`;
    else path += path ? `.${segment.name}` : segment.name;
  }
  return path;
}

/**
 * Turns a JSON pointer (`/spec/tolerations/0/key`) into segments, using the schema to tell a
 * property from a map key. Past the end of the schema (unknown fields), names are properties.
 */
export function segmentsOfPointer(pointer: string, root: SchemaNode): Segment[] {
  if (pointer === '') return [];
  const names = pointer
    .slice(1)
    .split('/')
    .map((raw) => raw.replaceAll('~1', '/').replaceAll('~0', '~'));
  const segments: Segment[] = [];
  let schema: SchemaNode | undefined = root;
  for (const name of names) {
    const properties: Record<string, SchemaNode> | undefined = schema && propertiesOf(schema);
    if (schema && properties && Object.hasOwn(properties, name)) {
      segments.push({ kind: 'property', name });
      schema = properties[name];
    } else if (schema && mapValuesOf(schema)) {
      segments.push({ kind: 'key', name });
      schema = mapValuesOf(schema);
    } else if (schema && itemsOf(schema) && /^\d+$/.test(name)) {
      segments.push({ kind: 'index', index: Number(name) });
      schema = itemsOf(schema);
    } else {
      segments.push(
        /^\d+$/.test(name) ? { kind: 'index', index: Number(name) } : { kind: 'property', name },
      );
      schema = undefined;
    }
  }
  return segments;
}

/** The value at a JSON pointer, or undefined. */
export function valueAtPointer(root: unknown, pointer: string): unknown {
  if (pointer === '') return root;
  let value: unknown = root;
  for (const raw of pointer.slice(1).split('/')) {
    const name = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (Array.isArray(value)) value = value[Number(name)];
    else if (isObject(value)) value = value[name];
    else return undefined;
  }
  return value;
}
