// Server-side field validation (`?fieldValidation=Strict|Warn|Ignore`, kubectl's default is
// Strict) for custom resources: the fields pruning would drop are reported instead of dropped
// silently. Built-in kinds carry no schema in the stand-in, so they are not checked.
import type { Schema } from './resource-types.ts';
import { badRequest, type StatusError } from './status.ts';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

const DIRECTIVES: readonly FieldValidation[] = ['Strict', 'Warn', 'Ignore'];

/** The query parameter's value; absent means Ignore here (what client-node sends by default). */
export function parseFieldValidation(value: string | null): FieldValidation {
  if (value === null || value === '') return 'Ignore';
  const directive = DIRECTIVES.find((d) => d.toLowerCase() === value.toLowerCase());
  if (!directive) {
    throw badRequest(
      `fieldValidation: Unsupported value: "${value}": supported values: "Ignore", "Strict", "Warn"`,
    );
  }
  return directive;
}

type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Paths (`spec.x`, `spec.items[0].y`) of the fields `prune` would remove, in document order. */
export function unknownFields(value: unknown, schema: Schema | undefined, path = ''): string[] {
  if (!schema || schema['x-kubernetes-preserve-unknown-fields']) return [];
  const found: string[] = [];
  if (isObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      if (path === '' && (key === 'apiVersion' || key === 'kind' || key === 'metadata')) continue;
      const at = path === '' ? key : `${path}.${key}`;
      const property = schema.properties?.[key];
      if (property) found.push(...unknownFields(item, property, at));
      else if (isObject(schema.additionalProperties)) {
        found.push(...unknownFields(item, schema.additionalProperties, at));
      } else if (schema.additionalProperties !== true) found.push(at);
    }
  } else if (Array.isArray(value) && schema.items) {
    for (const [i, item] of value.entries()) {
      found.push(...unknownFields(item, schema.items, `${path}[${i}]`));
    }
  }
  return found;
}

/** The apiserver's refusal under Strict: 400, in the words of its decoder. */
export function strictDecodingError(kind: string, version: string, fields: string[]): StatusError {
  const unknown = fields.map((field) => `unknown field "${field}"`).join(', ');
  return badRequest(
    `${kind} in version "${version}" cannot be handled as a ${kind}: strict decoding error: ${unknown}`,
  );
}
