// CRD validation rules (x-kubernetes-validations) as the apiserver runs them, evaluated with
// Orka's own CEL engine: `self` is the value at the rule's node and `oldSelf` the stored value at
// the same place; a rule that reads oldSelf (a transition rule) runs only on UPDATE when the old
// value exists. List items are not correlated with old items, so transition rules inside lists
// never run (the apiserver correlates only map-type lists). Rules are compiled when a CRD is
// written; one that does not compile is refused there, as the apiserver refuses it.
import {
  CelCompileError,
  type CompiledExpression,
  createCelBudget,
  createCelEngine,
} from '../../policy/cel/engine.ts';
import { toCelValue } from '../../policy/cel/json.ts';
import type { Schema } from './resource-types.ts';
import type { FieldError } from './status.ts';

type ValidationRule = NonNullable<Schema['x-kubernetes-validations']>[number];

type Obj = Record<string, unknown>;

const engine = createCelEngine();
const compiled = new Map<string, CompiledExpression | CelCompileError>();

function compileRule(rule: string): CompiledExpression | CelCompileError {
  let found = compiled.get(rule);
  if (!found) {
    found = engine.compile(rule, {
      variables: { self: 'dyn', oldSelf: 'dyn' },
      resultType: 'bool',
    });
    compiled.set(rule, found);
  }
  return found;
}

const isTransition = (rule: string) => /\boldSelf\b/.test(rule);
const isObject = (value: unknown): value is Obj =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const join = (path: string, key: string) => (path ? `${path}.${key}` : key);

function typeName(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  if (typeof value === 'number' || typeof value === 'bigint')
    return Number.isInteger(Number(value)) ? 'integer' : 'number';
  return typeof value;
}

/** The field error of a failed rule, worded as the apiserver words it for each reason. */
function ruleFailure(rule: ValidationRule, path: string, value: unknown): FieldError {
  const field = rule.fieldPath ? join(path, rule.fieldPath.replace(/^\./, '')) : path;
  const message = rule.message || `failed rule: ${rule.rule}`;
  switch (rule.reason) {
    case 'FieldValueRequired':
      return { field, reason: rule.reason, message: `Required value: ${message}` };
    case 'FieldValueForbidden':
      return { field, reason: rule.reason, message: `Forbidden: ${message}` };
    case 'FieldValueDuplicate':
      return { field, reason: rule.reason, message: `Duplicate value: ${message}` };
    default:
      return {
        field,
        reason: 'FieldValueInvalid',
        message: `Invalid value: "${typeName(value)}": ${message}`,
      };
  }
}

function evaluateRules(
  rules: readonly ValidationRule[],
  value: unknown,
  oldValue: unknown,
  path: string,
): FieldError[] {
  const errors: FieldError[] = [];
  for (const rule of rules) {
    if (isTransition(rule.rule) && oldValue === undefined) continue;
    const expression = compileRule(rule.rule);
    if (expression instanceof CelCompileError) {
      errors.push({
        field: path,
        reason: 'FieldValueInvalid',
        message: `Invalid value: "${typeName(value)}": compilation failed: ${expression.message}`,
      });
      continue;
    }
    const activation: Obj = { self: toCelValue(value) };
    if (oldValue !== undefined) activation.oldSelf = toCelValue(oldValue);
    try {
      if (engine.evaluate(expression, activation, createCelBudget()) !== true) {
        errors.push(ruleFailure(rule, path, value));
      }
    } catch (error) {
      errors.push({
        field: path,
        reason: 'FieldValueInvalid',
        message: `Invalid value: "${typeName(value)}": rule evaluation error: ${(error as Error).message}`,
      });
    }
  }
  return errors;
}

/**
 * Every failed rule of `schema` on `value` (oldValue: the stored object on UPDATE, else
 * undefined), with field paths like `spec.execution.workspace`.
 */
export function celRuleErrors(
  schema: Schema | undefined,
  value: unknown,
  oldValue: unknown,
  path = '',
): FieldError[] {
  if (!schema || value === undefined) return [];
  const errors = evaluateRules(schema['x-kubernetes-validations'] ?? [], value, oldValue, path);
  if (isObject(value)) {
    const old = isObject(oldValue) ? oldValue : undefined;
    for (const [key, member] of Object.entries(value)) {
      if (path === '' && (key === 'apiVersion' || key === 'kind' || key === 'metadata')) continue;
      const child =
        schema.properties?.[key] ??
        (isObject(schema.additionalProperties) ? schema.additionalProperties : undefined);
      errors.push(...celRuleErrors(child, member, old?.[key], join(path, key)));
    }
  } else if (Array.isArray(value) && schema.items) {
    for (const [i, item] of value.entries()) {
      errors.push(...celRuleErrors(schema.items, item, undefined, `${path}[${i}]`));
    }
  }
  return errors;
}

/** Rules of a CRD schema that do not compile, each naming where it sits (`.spec.x-kubernetes-validations[0].rule`). */
export function uncompilableRules(
  schema: Schema | undefined,
  path = '',
): Array<{ path: string; rule: string; problem: string }> {
  if (!schema) return [];
  const found = (schema['x-kubernetes-validations'] ?? []).flatMap((rule, i) => {
    const expression = compileRule(rule.rule);
    return expression instanceof CelCompileError
      ? [
          {
            path: `${path}.x-kubernetes-validations[${i}].rule`,
            rule: rule.rule,
            problem: expression.message,
          },
        ]
      : [];
  });
  for (const [key, prop] of Object.entries(schema.properties ?? {})) {
    found.push(...uncompilableRules(prop, `${path}.properties[${key}]`));
  }
  if (schema.items) found.push(...uncompilableRules(schema.items, `${path}.items`));
  if (isObject(schema.additionalProperties)) {
    found.push(...uncompilableRules(schema.additionalProperties, `${path}.additionalProperties`));
  }
  return found;
}
