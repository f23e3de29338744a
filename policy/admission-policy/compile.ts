// Compiles an AdmissionPolicy object into a CompiledPolicy: every expression compiled and
// type-checked with the declared variables, result types enforced, shape problems collected with
// their field paths. Policies that fail here are refused by self-admission (admitPolicy).

import { toCelValue } from '../cel/json.ts';
import { VALIDATION_REASONS } from '../chain/status-codes.ts';
import { selectorProblems } from '../match/label-selector.ts';
import { ruleProblems } from '../match/resource-rules.ts';
import { matchedKinds, type TypedKind } from './resource-typing.ts';
import type {
  AdmissionPolicy,
  CompiledExpression,
  CompiledPolicy,
  ExpressionWarning,
  FailurePolicy,
  ValidationAction,
} from './types.ts';

/** What an expression must return; checked at compile time. */
export type ResultKind = 'bool' | 'string' | 'patch-list' | 'string-or-null' | 'any';

export interface ExpressionCompiler {
  /** throws PolicyExpressionError when the expression does not compile or has the wrong type */
  compile(source: string, path: string, result: ResultKind): CompiledExpression;
  /** for an expression that compiled: the fields `object`, `oldObject` or `agent` cannot have */
  typeWarnings(source: string, path: string, kinds: readonly TypedKind[]): ExpressionWarning[];
}

/** A compile problem located at an expression path, with the position inside the expression. */
export class PolicyExpressionError extends Error {
  override name = 'PolicyExpressionError';
  constructor(
    readonly path: string,
    readonly summary: string,
    readonly position: { line: number; column: number } | undefined,
  ) {
    super(
      `${path}: ${summary}${position ? ` (line ${position.line}, column ${position.column})` : ''}`,
    );
  }
}

export class PolicyCompileError extends Error {
  override name = 'PolicyCompileError';
  constructor(
    readonly policy: string,
    readonly problems: string[],
    /** the type-check warnings of the expressions that did compile */
    readonly warnings: ExpressionWarning[] = [],
  ) {
    super(`AdmissionPolicy "${policy}" is invalid: ${problems.join('; ')}`);
  }
}

const NAME_PATTERN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_MATCH_CONDITIONS = 64;

type Raw = Record<string, unknown>;
const isObject = (value: unknown): value is Raw =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function listAt(spec: Raw, field: string, problems: string[]): Raw[] {
  const value = spec[field];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    problems.push(`spec.${field}: must be a list`);
    return [];
  }
  return value.map((item, i) => {
    if (!isObject(item)) problems.push(`spec.${field}[${i}]: must be an object`);
    return isObject(item) ? item : {};
  });
}

class Compilation {
  readonly problems: string[] = [];
  readonly warnings: ExpressionWarning[] = [];
  constructor(
    private readonly compiler: ExpressionCompiler,
    private readonly kinds: readonly TypedKind[],
  ) {}

  expression(value: unknown, path: string, result: ResultKind): CompiledExpression | undefined {
    if (typeof value !== 'string' || value.trim() === '') {
      this.problems.push(`${path}: Required value: an expression is required`);
      return undefined;
    }
    try {
      const compiled = this.compiler.compile(value, path, result);
      this.warnings.push(...this.compiler.typeWarnings(value, path, this.kinds));
      return compiled;
    } catch (error) {
      if (error instanceof PolicyExpressionError) {
        this.problems.push(error.message);
        return undefined;
      }
      throw error;
    }
  }
}

function failurePolicyOf(spec: Raw, problems: string[]): FailurePolicy {
  const value = spec.failurePolicy ?? 'Fail';
  if (value !== 'Fail' && value !== 'Ignore') {
    problems.push(
      `spec.failurePolicy: Unsupported value: ${JSON.stringify(value)}: supported values: "Fail", "Ignore"`,
    );
    return 'Fail';
  }
  return value;
}

function actionsOf(spec: Raw, problems: string[]): ValidationAction[] {
  const value = spec.validationActions ?? ['Deny'];
  if (!Array.isArray(value) || value.length === 0) {
    problems.push('spec.validationActions: Required value: at least one of Deny, Warn, Audit');
    return ['Deny'];
  }
  const actions: ValidationAction[] = [];
  value.forEach((action: unknown, i) => {
    if (action !== 'Deny' && action !== 'Warn' && action !== 'Audit') {
      problems.push(
        `spec.validationActions[${i}]: Unsupported value: ${JSON.stringify(action)}: supported values: "Audit", "Deny", "Warn"`,
      );
    } else if (actions.includes(action)) {
      problems.push(`spec.validationActions[${i}]: Duplicate value: "${action}"`);
    } else {
      actions.push(action);
    }
  });
  if (actions.includes('Deny') && actions.includes('Warn')) {
    problems.push(
      'spec.validationActions: Invalid value: ["Deny","Warn"]: must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)',
    );
  }
  return actions;
}

function matchConstraintsProblems(value: unknown): string[] {
  if (!isObject(value)) return ['spec.matchConstraints: Required value'];
  const problems: string[] = [];
  for (const field of ['resourceRules', 'excludeResourceRules'] as const) {
    const rules = value[field];
    if (rules === undefined) continue;
    if (!Array.isArray(rules)) problems.push(`spec.matchConstraints.${field}: must be a list`);
    else
      rules.forEach((rule, i) => {
        problems.push(...ruleProblems(rule, `spec.matchConstraints.${field}[${i}]`));
      });
  }
  if (!Array.isArray(value.resourceRules) || value.resourceRules.length === 0) {
    problems.push('spec.matchConstraints.resourceRules: Required value');
  }
  problems.push(
    ...selectorProblems(value.namespaceSelector, 'spec.matchConstraints.namespaceSelector'),
  );
  problems.push(...selectorProblems(value.objectSelector, 'spec.matchConstraints.objectSelector'));
  return problems;
}

function paramsOf(spec: Raw, problems: string[]): CompiledPolicy['params'] {
  if (spec.params !== undefined && spec.paramRef !== undefined) {
    problems.push('spec.paramRef: Forbidden: params and paramRef are mutually exclusive');
  }
  if (spec.params !== undefined) return { inline: toCelValue(spec.params) };
  if (spec.paramRef === undefined) return undefined;
  const ref = spec.paramRef;
  if (!isObject(ref) || typeof ref.name !== 'string' || ref.name === '') {
    problems.push('spec.paramRef.name: Required value');
    return undefined;
  }
  if (ref.namespace !== undefined && typeof ref.namespace !== 'string') {
    problems.push('spec.paramRef.namespace: must be a string');
  }
  return {
    ref: {
      name: ref.name,
      ...(typeof ref.namespace === 'string' ? { namespace: ref.namespace } : {}),
    },
  };
}

/**
 * Compiles `policy`; throws PolicyCompileError listing every problem found (shape, expression
 * compile errors with path and position, result types).
 */
export function compilePolicy(
  policy: unknown,
  compiler: ExpressionCompiler,
  options: { builtin?: boolean } = {},
): CompiledPolicy {
  const root = isObject(policy) ? policy : {};
  const metadata = isObject(root.metadata) ? root.metadata : {};
  const name = typeof metadata.name === 'string' ? metadata.name : '';
  const spec = isObject(root.spec) ? root.spec : undefined;
  const compilation = new Compilation(compiler, matchedKinds(spec?.matchConstraints));
  const problems = compilation.problems;
  if (name === '') problems.push('metadata.name: Required value');
  else if (!NAME_PATTERN.test(name) || name.length > 253) {
    problems.push(
      `metadata.name: Invalid value: "${name}": must be a lowercase RFC 1123 subdomain`,
    );
  }
  if (!spec) {
    throw new PolicyCompileError(name || '<unnamed>', [...problems, 'spec: Required value']);
  }
  const failurePolicy = failurePolicyOf(spec, problems);
  const validationActions = actionsOf(spec, problems);
  problems.push(...matchConstraintsProblems(spec.matchConstraints));
  const params = paramsOf(spec, problems);

  const conditionsRaw = listAt(spec, 'matchConditions', problems);
  if (conditionsRaw.length > MAX_MATCH_CONDITIONS) {
    problems.push(
      `spec.matchConditions: Too many: ${conditionsRaw.length}: must have at most ${MAX_MATCH_CONDITIONS} items`,
    );
  }
  const seenConditions = new Set<string>();
  const matchConditions = conditionsRaw.flatMap((condition, i) => {
    const conditionName = typeof condition.name === 'string' ? condition.name : '';
    if (conditionName === '') problems.push(`spec.matchConditions[${i}].name: Required value`);
    else if (seenConditions.has(conditionName)) {
      problems.push(`spec.matchConditions[${i}].name: Duplicate value: "${conditionName}"`);
    }
    seenConditions.add(conditionName);
    const expression = compilation.expression(
      condition.expression,
      `spec.matchConditions[${i}].expression`,
      'bool',
    );
    return expression ? [{ name: conditionName, expression }] : [];
  });

  const seenVariables = new Set<string>();
  const variables = listAt(spec, 'variables', problems).flatMap((variable, i) => {
    const variableName = typeof variable.name === 'string' ? variable.name : '';
    if (!VARIABLE_NAME.test(variableName)) {
      problems.push(
        `spec.variables[${i}].name: Invalid value: ${JSON.stringify(variable.name)}: must be a valid CEL identifier`,
      );
    } else if (seenVariables.has(variableName)) {
      problems.push(`spec.variables[${i}].name: Duplicate value: "${variableName}"`);
    }
    seenVariables.add(variableName);
    const expression = compilation.expression(
      variable.expression,
      `spec.variables[${i}].expression`,
      'any',
    );
    return expression ? [{ name: variableName, expression }] : [];
  });

  const validations = listAt(spec, 'validations', problems).flatMap((validation, i) => {
    const at = `spec.validations[${i}]`;
    const expression = compilation.expression(validation.expression, `${at}.expression`, 'bool');
    const message = validation.message;
    if (message !== undefined && (typeof message !== 'string' || /[\r\n]/.test(message))) {
      problems.push(`${at}.message: Invalid value: must be a string without line breaks`);
    }
    const messageExpression =
      validation.messageExpression === undefined
        ? undefined
        : compilation.expression(validation.messageExpression, `${at}.messageExpression`, 'string');
    const reason = validation.reason ?? 'Invalid';
    if (typeof reason !== 'string' || !VALIDATION_REASONS.includes(reason)) {
      problems.push(
        `${at}.reason: Unsupported value: ${JSON.stringify(reason)}: supported values: ${VALIDATION_REASONS.map((r) => `"${r}"`).join(', ')}`,
      );
    }
    if (!expression) return [];
    return [
      {
        expression,
        message: typeof message === 'string' ? message : undefined,
        messageExpression,
        reason: typeof reason === 'string' ? reason : 'Invalid',
      },
    ];
  });

  const mutations = listAt(spec, 'mutations', problems).flatMap((mutation, i) => {
    const expression = compilation.expression(
      mutation.expression,
      `spec.mutations[${i}].expression`,
      'patch-list',
    );
    return expression ? [expression] : [];
  });

  const seenKeys = new Set<string>();
  const auditAnnotations = listAt(spec, 'auditAnnotations', problems).flatMap((annotation, i) => {
    const key = typeof annotation.key === 'string' ? annotation.key : '';
    if (!/^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(key) || key.length > 63) {
      problems.push(
        `spec.auditAnnotations[${i}].key: Invalid value: ${JSON.stringify(annotation.key)}: must be a qualified name`,
      );
    } else if (seenKeys.has(key)) {
      problems.push(`spec.auditAnnotations[${i}].key: Duplicate value: "${key}"`);
    }
    seenKeys.add(key);
    const value = compilation.expression(
      annotation.valueExpression,
      `spec.auditAnnotations[${i}].valueExpression`,
      'string-or-null',
    );
    return value ? [{ key, value }] : [];
  });

  const hasWork = ['validations', 'mutations', 'auditAnnotations'].some(
    (field) => Array.isArray(spec[field]) && (spec[field] as unknown[]).length > 0,
  );
  if (!hasWork) {
    problems.push(
      'spec.validations: Required value: validations, mutations or auditAnnotations must contain at least one item',
    );
  }

  if (problems.length > 0) {
    throw new PolicyCompileError(name || '<unnamed>', problems, compilation.warnings);
  }
  return {
    name,
    source: policy as AdmissionPolicy,
    builtin: options.builtin ?? false,
    failurePolicy,
    validationActions,
    matchConstraints: spec.matchConstraints as CompiledPolicy['matchConstraints'],
    matchConditions,
    params,
    variables,
    validations,
    mutations,
    auditAnnotations,
    warnings: compilation.warnings,
  };
}
