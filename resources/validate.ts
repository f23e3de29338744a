// Runtime validation of Orka resources, as the apiserver would validate them against the CRDs:
// structural defaulting first, then the OpenAPI schema (Ajv, compiled from the same TypeBox
// schemas), list-type uniqueness, the x-kubernetes-validations rules (through their TypeScript
// twins in schemas/rules.ts) and the metadata.name rules. Errors are worded as the apiserver's.
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { applySchemaDefaults, applySchemaDefaultsInPlace } from './defaults.ts';
import { type FieldError, formatFieldErrors, formatValue, fromAjvErrors } from './field-errors.ts';
import { apiVersionOf, KINDS, type KindInfo, kindOf } from './kinds.ts';
import {
  formatPath,
  isObject,
  itemsOf,
  mapValuesOf,
  propertiesOf,
  type SchemaNode,
  type Segment,
} from './schema-walk.ts';
import { type CrdRule, ruleByText } from './schemas/rules.ts';
import type { OrkaResource } from './types.ts';

export type { FieldError } from './field-errors.ts';
export { formatFieldError, formatFieldErrors } from './field-errors.ts';

export interface ValidationResult {
  valid: boolean;
  /** the kind detected from apiVersion/kind, when Orka defines it */
  kind?: KindInfo['kind'];
  errors: FieldError[];
}

const KUBERNETES_KEYWORDS = [
  'x-kubernetes-validations',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-int-or-string',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
];

const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, verbose: true });
addFormats.default(ajv, ['date-time', 'int32', 'int64']);
for (const keyword of KUBERNETES_KEYWORDS)
  ajv.addKeyword({ keyword, schemaType: ['array', 'boolean', 'string'] });

const compiled = new Map<KindInfo['kind'], ValidateFunction>();

function validatorFor(info: KindInfo): ValidateFunction {
  let validate = compiled.get(info.kind);
  if (!validate) {
    validate = ajv.compile(info.schema);
    compiled.set(info.kind, validate);
  }
  return validate;
}

// metadata.name of a custom resource: a DNS-1123 subdomain (the apiserver's wording).
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_SUBDOMAIN_MESSAGE =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

function metadataErrors(object: Record<string, unknown>): FieldError[] {
  const metadata = object.metadata;
  if (!isObject(metadata)) return [];
  const { name, generateName } = metadata;
  if ((name === undefined || name === '') && (generateName === undefined || generateName === '')) {
    return [{ path: 'metadata.name', message: 'Required value: name or generateName is required' }];
  }
  if (typeof name !== 'string') return [];
  const problems: string[] = [];
  if (name.length > 253) problems.push('must be no more than 253 characters');
  if (!DNS_SUBDOMAIN.test(name)) problems.push(DNS_SUBDOMAIN_MESSAGE);
  return problems.map((problem) => ({
    path: 'metadata.name',
    message: `Invalid value: ${formatValue(name)}: ${problem}`,
  }));
}

function ruleError(crdRule: CrdRule, segments: Segment[]): FieldError {
  const target = crdRule.fieldPath
    ? [
        ...segments,
        ...crdRule.fieldPath
          .split('.')
          .filter(Boolean)
          .map((name) => ({ kind: 'property' as const, name })),
      ]
    : segments;
  const path = formatPath(target);
  switch (crdRule.reason) {
    case 'FieldValueRequired':
      return { path, message: `Required value: ${crdRule.message}` };
    case 'FieldValueForbidden':
      return { path, message: `Forbidden: ${crdRule.message}` };
    default:
      return { path, message: `Invalid value: "object": ${crdRule.message}` };
  }
}

function duplicateErrors(list: unknown[], schema: SchemaNode, segments: Segment[]): FieldError[] {
  const listType = schema['x-kubernetes-list-type'];
  if (listType !== 'set' && listType !== 'map') return [];
  const mapKeys = (schema['x-kubernetes-list-map-keys'] as string[] | undefined) ?? [];
  const identity = (item: unknown): unknown =>
    listType === 'map' && isObject(item)
      ? Object.fromEntries(mapKeys.map((key) => [key, item[key]]))
      : item;
  const seen = new Set<string>();
  const errors: FieldError[] = [];
  list.forEach((item, index) => {
    const key = JSON.stringify(identity(item));
    if (seen.has(key)) {
      errors.push({
        path: formatPath([...segments, { kind: 'index', index }]),
        message: `Duplicate value: ${listType === 'map' ? key : formatValue(item)}`,
      });
    }
    seen.add(key);
  });
  return errors;
}

/**
 * A schema node as the rule checks read it, prepared once per schema: only the parts of the
 * schema that hold x-kubernetes-validations or a set/map list type, so a request walks the few
 * fields that have a rule instead of every field it sets.
 */
interface RuleNode {
  readonly schema: SchemaNode;
  readonly validations: readonly CrdRule[];
  readonly uniqueItems: boolean;
  readonly properties: readonly { readonly name: string; readonly node: RuleNode }[];
  readonly items: RuleNode | undefined;
  readonly mapValues: RuleNode | undefined;
}

const ruleNodes = new WeakMap<SchemaNode, RuleNode | undefined>();

/** The node for `schema`, or undefined when nothing in it has a rule to check. */
function ruleNodeOf(schema: SchemaNode): RuleNode | undefined {
  if (!isObject(schema)) return undefined;
  if (ruleNodes.has(schema)) return ruleNodes.get(schema);
  // a schema that contains itself is taken as rule-free while it is being prepared
  ruleNodes.set(schema, undefined);
  const listType = schema['x-kubernetes-list-type'];
  const validations = (schema['x-kubernetes-validations'] as CrdRule[] | undefined) ?? [];
  const properties: { name: string; node: RuleNode }[] = [];
  for (const [name, child] of Object.entries(propertiesOf(schema) ?? {})) {
    const node = ruleNodeOf(child);
    if (node) properties.push({ name, node });
  }
  const itemSchema = itemsOf(schema);
  const valueSchema = mapValuesOf(schema);
  const node: RuleNode = {
    schema,
    validations,
    uniqueItems: listType === 'set' || listType === 'map',
    properties,
    items: itemSchema && ruleNodeOf(itemSchema),
    mapValues: valueSchema && ruleNodeOf(valueSchema),
  };
  const checked =
    node.validations.length > 0 ||
    node.uniqueItems ||
    properties.length > 0 ||
    node.items !== undefined ||
    node.mapValues !== undefined;
  ruleNodes.set(schema, checked ? node : undefined);
  return checked ? node : undefined;
}

/** x-kubernetes-validations and list-type checks, walking value, old value and schema together. */
function ruleErrors(
  value: unknown,
  old: unknown,
  node: RuleNode,
  segments: Segment[],
  errors: FieldError[],
): void {
  if (Array.isArray(value)) {
    if (node.uniqueItems) errors.push(...duplicateErrors(value, node.schema, segments));
    const items = node.items;
    if (items) {
      value.forEach((item, index) => {
        ruleErrors(item, undefined, items, [...segments, { kind: 'index', index }], errors);
      });
    }
    return;
  }
  if (!isObject(value)) return;
  const oldObject = isObject(old) ? old : undefined;
  for (const crdRule of node.validations) {
    const rule = ruleByText(crdRule.rule);
    if (rule.transition && !oldObject) continue;
    if (!rule.holds(value, oldObject)) errors.push(ruleError(crdRule, segments));
  }
  for (const { name, node: child } of node.properties) {
    if (value[name] === undefined) continue;
    ruleErrors(
      value[name],
      oldObject?.[name],
      child,
      [...segments, { kind: 'property', name }],
      errors,
    );
  }
  const values = node.mapValues;
  if (values) {
    for (const [name, entry] of Object.entries(value)) {
      ruleErrors(entry, oldObject?.[name], values, [...segments, { kind: 'key', name }], errors);
    }
  }
}

function unknownKindError(object: Record<string, unknown>): FieldError[] {
  const errors: FieldError[] = [];
  if (object.apiVersion === undefined || object.apiVersion === '') {
    errors.push({ path: 'apiVersion', message: 'Required value' });
  }
  if (object.kind === undefined || object.kind === '')
    errors.push({ path: 'kind', message: 'Required value' });
  if (errors.length) return errors;
  const known = KINDS.map((info) => `${apiVersionOf(info)} ${info.kind}`).join(', ');
  return [
    {
      path: 'kind',
      message: `Unsupported value: no matches for kind ${formatValue(object.kind)} in version ${formatValue(object.apiVersion)}: supported kinds: ${known}`,
    },
  ];
}

/**
 * Validates an Orka resource (Agent, Task or AdmissionPolicy) as the apiserver would on CREATE,
 * or on UPDATE when `oldObject` is given (transition rules such as `requestedBy is immutable`).
 * Both objects are defaulted first; neither is modified.
 */
export function validateResource(object: unknown, oldObject?: unknown): ValidationResult {
  return validateDefaulting(object, oldObject, applySchemaDefaults);
}

/**
 * validateResource for objects the caller has just copied and hands over: they are defaulted in
 * place instead of being copied once more (the admission chain validates a fresh copy per request).
 * `objectDefaulted`: `object` is a copy of one the CRD defaults were applied to, so they are not
 * applied again (defaulting is idempotent: it would leave the object as it is).
 */
export function validateOwnedResource(
  object: unknown,
  oldObject?: unknown,
  objectDefaulted = false,
): ValidationResult {
  return validateDefaulting(object, oldObject, defaultInPlace, objectDefaulted);
}

function defaultInPlace<T>(value: T, schema: SchemaNode): T {
  applySchemaDefaultsInPlace(value, schema);
  return value;
}

function validateDefaulting(
  object: unknown,
  oldObject: unknown,
  withDefaults: <T>(value: T, schema: SchemaNode) => T,
  objectDefaulted = false,
): ValidationResult {
  if (!isObject(object)) {
    return {
      valid: false,
      errors: [{ path: '', message: `Invalid value: ${formatValue(object)}: must be an object` }],
    };
  }
  const info = kindOf(object);
  if (!info) return { valid: false, errors: unknownKindError(object) };
  const schema = info.schema as unknown as SchemaNode;
  const defaulted = objectDefaulted ? object : withDefaults(object, schema);
  const validate = validatorFor(info);
  const errors: FieldError[] = [];
  if (!validate(defaulted)) errors.push(...fromAjvErrors(validate.errors ?? [], schema, defaulted));
  errors.push(...metadataErrors(defaulted));
  const oldDefaulted = isObject(oldObject) ? withDefaults(oldObject, schema) : undefined;
  const rules = ruleNodeOf(schema);
  if (rules) ruleErrors(defaulted, oldDefaulted, rules, [], errors);
  return { valid: errors.length === 0, kind: info.kind, errors };
}

export class ResourceValidationError extends Error {
  readonly errors: FieldError[];
  constructor(description: string, errors: FieldError[]) {
    super(`${description} is invalid: ${formatFieldErrors(errors)}`);
    this.name = 'ResourceValidationError';
    this.errors = errors;
  }
}

function describe(object: unknown): string {
  if (!isObject(object)) return 'the object';
  const name = isObject(object.metadata) ? object.metadata.name : undefined;
  return `${typeof object.kind === 'string' ? object.kind : 'object'} ${JSON.stringify(name ?? '')}`;
}

/**
 * The defaulted, typed resource; throws ResourceValidationError (`Task "x" is invalid: ...`)
 * naming every problem when it is not valid.
 */
export function parseResource(object: unknown, oldObject?: unknown): OrkaResource {
  const result = validateResource(object, oldObject);
  if (!result.valid) throw new ResourceValidationError(describe(object), result.errors);
  return applySchemaDefaults(
    object,
    kindOf(object as Record<string, unknown>)!.schema as unknown as SchemaNode,
  ) as OrkaResource;
}
