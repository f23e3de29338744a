// Structural-schema handling for custom resources: defaulting, pruning of unknown fields, and the
// cheap parts of OpenAPI validation (type, required, enum, bounds, pattern). CEL rules
// (x-kubernetes-validations) are evaluated by cel-rules.ts.

import type { Schema } from './resource-types.ts';
import type { FieldError } from './status.ts';

type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Fills absent fields that have a `default`, recursing into what exists or was just defaulted. */
export function applyDefaults(value: unknown, schema: Schema | undefined): unknown {
  if (!schema) return value;
  if (isObject(value)) {
    for (const [key, prop] of Object.entries(schema.properties ?? {})) {
      if (value[key] === undefined && prop.default !== undefined)
        value[key] = structuredClone(prop.default);
      if (value[key] !== undefined) value[key] = applyDefaults(value[key], prop);
    }
    if (isObject(schema.additionalProperties)) {
      const additional = schema.additionalProperties;
      for (const key of Object.keys(value)) {
        if (!schema.properties?.[key]) value[key] = applyDefaults(value[key], additional);
      }
    }
  } else if (Array.isArray(value) && schema.items) {
    return value.map((item) => applyDefaults(item, schema.items));
  }
  return value;
}

/** Drops fields the schema does not know, unless it preserves unknown fields there. */
export function prune(value: unknown, schema: Schema | undefined, isRoot = false): unknown {
  if (!schema || schema['x-kubernetes-preserve-unknown-fields']) return value;
  if (isObject(value)) {
    for (const key of Object.keys(value)) {
      if (isRoot && (key === 'apiVersion' || key === 'kind' || key === 'metadata')) continue;
      const prop = schema.properties?.[key];
      if (prop) value[key] = prune(value[key], prop);
      else if (isObject(schema.additionalProperties)) {
        value[key] = prune(value[key], schema.additionalProperties);
      } else if (schema.additionalProperties !== true) delete value[key];
    }
  } else if (Array.isArray(value) && schema.items) {
    return value.map((item) => prune(item, schema.items));
  }
  return value;
}

function typeMatches(value: unknown, schema: Schema): boolean {
  if (schema['x-kubernetes-int-or-string']) {
    return typeof value === 'string' || Number.isInteger(value);
  }
  switch (schema.type) {
    case 'object':
      return isObject(value);
    case 'array':
      return Array.isArray(value);
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    case 'boolean':
      return typeof value === 'boolean';
    default:
      return true;
  }
}

function fmt(value: unknown): string {
  return typeof value === 'string' ? `"${value}"` : JSON.stringify(value);
}

/** Field errors in the apiserver's wording, paths like `spec.items[0].name`. */
export function validate(value: unknown, schema: Schema | undefined, path = ''): FieldError[] {
  if (!schema) return [];
  const errors: FieldError[] = [];
  const field = path;
  if (value === null) {
    if (!schema.nullable && schema.type) {
      errors.push({
        field,
        reason: 'FieldValueTypeInvalid',
        message: `Invalid value: "null": ${field || 'body'} in body must be of type ${schema.type}: "null"`,
      });
    }
    return errors;
  }
  if (!typeMatches(value, schema)) {
    const actual = Array.isArray(value)
      ? 'array'
      : typeof value === 'number' && Number.isInteger(value)
        ? 'integer'
        : typeof value;
    errors.push({
      field,
      reason: 'FieldValueTypeInvalid',
      message: `Invalid value: "${actual}": ${field || 'body'} in body must be of type ${schema.type}: "${actual}"`,
    });
    return errors;
  }
  if (schema.enum && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
    errors.push({
      field,
      reason: 'FieldValueNotSupported',
      message: `Unsupported value: ${fmt(value)}: supported values: ${schema.enum.map(fmt).join(', ')}`,
    });
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) {
      errors.push({
        field,
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${value}: ${field} in body should be greater than or equal to ${schema.minimum}`,
      });
    }
    if (schema.maximum !== undefined && value > schema.maximum) {
      errors.push({
        field,
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${value}: ${field} in body should be less than or equal to ${schema.maximum}`,
      });
    }
  }
  if (typeof value === 'string') {
    if (schema.minLength !== undefined && value.length < schema.minLength) {
      errors.push({
        field,
        reason: 'FieldValueInvalid',
        message: `Invalid value: "${value}": ${field} in body should be at least ${schema.minLength} chars long`,
      });
    }
    if (schema.maxLength !== undefined && value.length > schema.maxLength) {
      errors.push({
        field,
        reason: 'FieldValueTooLong',
        message: `Too long: may not be more than ${schema.maxLength} bytes`,
      });
    }
    if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value)) {
      errors.push({
        field,
        reason: 'FieldValueInvalid',
        message: `Invalid value: "${value}": ${field} in body should match '${schema.pattern}'`,
      });
    }
  }
  if (Array.isArray(value)) {
    if (schema.maxItems !== undefined && value.length > schema.maxItems) {
      errors.push({
        field,
        reason: 'FieldValueTooMany',
        message: `Too many: ${value.length}: must have at most ${schema.maxItems} items`,
      });
    }
    if (schema.minItems !== undefined && value.length < schema.minItems) {
      errors.push({
        field,
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${value.length}: ${field} in body should have at least ${schema.minItems} items`,
      });
    }
    for (const [i, item] of value.entries()) {
      errors.push(...validate(item, schema.items, `${path}[${i}]`));
    }
  }
  if (isObject(value)) {
    for (const key of schema.required ?? []) {
      if (value[key] === undefined) {
        errors.push({
          field: path ? `${path}.${key}` : key,
          reason: 'FieldValueRequired',
          message: 'Required value',
        });
      }
    }
    for (const [key, child] of Object.entries(value)) {
      if (path === '' && (key === 'metadata' || key === 'apiVersion' || key === 'kind')) continue;
      const prop =
        schema.properties?.[key] ??
        (isObject(schema.additionalProperties) ? schema.additionalProperties : undefined);
      errors.push(...validate(child, prop, path ? `${path}.${key}` : key));
    }
  }
  return errors;
}
