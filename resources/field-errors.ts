// Field errors worded as the apiserver words them (k8s.io/apimachinery field.Error and the
// kube-openapi schema validator), e.g.
//   spec.runtime.type: Unsupported value: "gemini": supported values: "copilot", "claude", "codex"
//   spec.priority: Invalid value: 2000: spec.priority in body should be less than or equal to 1000
import type { ErrorObject } from 'ajv';
import { formatPath, type SchemaNode, segmentsOfPointer, valueAtPointer } from './schema-walk.ts';

export interface FieldError {
  /** the field the error is about, as the apiserver spells it (`spec.tolerations[0].key`); '' for the whole object */
  path: string;
  /** the apiserver's text after the path, e.g. `Required value` */
  message: string;
}

export function formatFieldError(error: FieldError): string {
  return error.path ? `${error.path}: ${error.message}` : error.message;
}

/** Several errors on one line, joined as the apiserver joins them. */
export function formatFieldErrors(errors: readonly FieldError[]): string {
  const texts = errors.map(formatFieldError);
  return texts.length === 1 ? texts[0]! : `[${texts.join(', ')}]`;
}

/** Go's %v of a JSON value inside "Invalid value: ...". */
export function formatValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  if (value === null) return 'null';
  return JSON.stringify(value);
}

/** The JSON type name the apiserver reports for a value of the wrong type. */
export function jsonTypeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

const inBody = (path: string, text: string) => `${path} in body ${text}`;

/** One Ajv error as a field error. */
export function fromAjvError(error: ErrorObject, root: SchemaNode, object: unknown): FieldError {
  const segments = segmentsOfPointer(error.instancePath, root);
  const path = formatPath(segments);
  const value = valueAtPointer(object, error.instancePath);
  const params = error.params as Record<string, unknown>;
  const child = (name: string): string => formatPath([...segments, { kind: 'property', name }]);
  switch (error.keyword) {
    case 'required':
      return { path: child(String(params.missingProperty)), message: 'Required value' };
    case 'additionalProperties': {
      const field = child(String(params.additionalProperty));
      return { path: field, message: `unknown field "${field}"` };
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(formatValue).join(', ');
      return {
        path,
        message: `Unsupported value: ${formatValue(value)}: supported values: ${allowed}`,
      };
    }
    case 'type':
      return typeError(path, value, String(params.type));
    case 'anyOf':
      // only int-or-string uses anyOf; its branch errors are skipped below
      return typeError(path, value, 'integer,string');
    case 'minimum':
    case 'exclusiveMinimum':
      return invalid(
        path,
        value,
        `should be greater than${error.keyword === 'minimum' ? ' or equal to' : ''} ${params.limit}`,
      );
    case 'maximum':
    case 'exclusiveMaximum':
      return invalid(
        path,
        value,
        `should be less than${error.keyword === 'maximum' ? ' or equal to' : ''} ${params.limit}`,
      );
    case 'pattern':
      return invalid(path, value, `should match '${params.pattern}'`);
    case 'minLength':
      return invalid(path, value, `should be at least ${params.limit} chars long`);
    case 'maxLength':
      return { path, message: `Too long: may not be more than ${params.limit} bytes` };
    case 'minItems':
      return invalid(
        path,
        Array.isArray(value) ? value.length : value,
        `should have at least ${params.limit} items`,
      );
    case 'maxItems':
      return {
        path,
        message: `Too many: ${Array.isArray(value) ? value.length : '?'}: must have at most ${params.limit} items`,
      };
    case 'format':
      return {
        path,
        message: `Invalid value: ${formatValue(value)}: ${inBody(path, `must be of type ${params.format}: ${JSON.stringify(String(value))}`)}`,
      };
    default:
      return {
        path,
        message: `Invalid value: ${formatValue(value)}: ${error.message ?? error.keyword}`,
      };
  }

  function invalid(at: string, shown: unknown, text: string): FieldError {
    return { path: at, message: `Invalid value: ${formatValue(shown)}: ${inBody(at, text)}` };
  }
}

function typeError(path: string, value: unknown, expected: string): FieldError {
  const actual = jsonTypeName(value);
  return {
    path,
    message: `Invalid value: "${actual}": ${inBody(path, `must be of type ${expected}: "${actual}"`)}`,
  };
}

/** Errors of Ajv as field errors: branch errors of int-or-string and duplicates dropped. */
export function fromAjvErrors(
  errors: readonly ErrorObject[],
  root: SchemaNode,
  object: unknown,
): FieldError[] {
  const result: FieldError[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    if (error.schemaPath.includes('/anyOf/')) continue;
    const fieldError = fromAjvError(error, root, object);
    const text = formatFieldError(fieldError);
    if (seen.has(text)) continue;
    seen.add(text);
    result.push(fieldError);
  }
  return result;
}
