// The CEL engine: compile once (parse, type check, literal validation, cost estimate), evaluate
// many times under a step budget. It wraps @marcbachmann/cel-js 8.0.0 (pinned) so the rest of Orka
// never touches the library, and adds what the apiserver's CEL has and the library lacks (see
// instrument.ts and reference/cel-engine.md §5).
import { Environment } from '@marcbachmann/cel-js';
import {
  type AstNode,
  callName,
  callOperands,
  type LibraryEvaluator,
  sourceOf,
  walk,
} from './ast.ts';
import { type CelSchema, DEFAULT_COST_LIMIT, estimateCost } from './cost.ts';
import {
  CelBudgetExceededError,
  CelCompileError,
  CelEvaluationError,
  CelFunctionError,
  positionOf,
} from './errors.ts';
import { type DirectEvaluation, INTERPRET, installFastPath } from './fast-path.ts';
import {
  type CelBudget,
  createCelBudget,
  failingNodeOf,
  instrument,
  type SharedValues,
  withBudget,
} from './instrument.ts';
import { KUBERNETES_METHOD_REWRITES, registerKubernetesLibraries } from './libraries/index.ts';
import { re2SyntaxProblem } from './regex.ts';
import { shareSubexpressions } from './shared-subexpressions.ts';
import { registerStandardGaps } from './standard.ts';

/** A CEL type as the library spells it: `bool`, `int`, `string`, `dyn`, `map<string, dyn>`, ... */
export type CelType = string;

export interface CelVariable {
  readonly type: CelType;
  /** OpenAPI schema of the value, used for the cost estimate (maxItems, maxLength, ...) */
  readonly schema?: CelSchema;
}

export interface CompileOptions {
  /** every variable the expression may use; values given at evaluation must match the types */
  readonly variables: Readonly<Record<string, CelType | CelVariable>>;
  /** the type the result must have: `bool` for validations, `string` for messages, ... */
  readonly resultType?: CelType;
  /** variables whose activation value may be a LazyFields, read one field at a time */
  readonly lazyVariables?: ReadonlySet<string>;
  /**
   * variables whose values are the same for every expression evaluated with one store of shared
   * values: sub-expressions reading only these are evaluated once per store
   * (shared-subexpressions.ts)
   */
  readonly sharedVariables?: ReadonlySet<string>;
}

export interface CompiledExpression {
  readonly expression: string;
  /** the checked result type, e.g. `bool`, `string`, `list<string>`, `dyn` */
  readonly type: CelType;
  readonly estimatedCost: number;
}

/** Maps `undefined`-free activations onto declared variables. */
export type CelActivation = Readonly<Record<string, unknown>>;

export interface CelEngineOptions {
  /** refuse expressions whose estimated cost exceeds this; default 10,000,000 */
  readonly costLimit?: number;
  /** registers extra functions, types or constants on the engine's environment */
  readonly extend?: (environment: Environment) => void;
  /**
   * compile each expression to a JavaScript function tried before the interpreter (fast-path.ts);
   * default true. Off, every evaluation is interpreted (the reference the fast path is tested
   * against).
   */
  readonly fastPath?: boolean;
  /** parse-time structural limits, as the library names them */
  readonly limits?: {
    readonly maxAstNodes?: number;
    readonly maxDepth?: number;
    readonly maxListElements?: number;
    readonly maxMapEntries?: number;
    readonly maxCallArguments?: number;
  };
}

export interface CelEngine {
  /** Compiles `expression`; a problem the author must fix is returned, not thrown. */
  compile(expression: string, options: CompileOptions): CompiledExpression | CelCompileError;
  /**
   * Evaluates a compiled expression. Throws CelEvaluationError (CelBudgetExceededError when the
   * budget runs out). One budget is meant to be shared by all evaluations of one request; so is
   * `shared`, by those whose `sharedVariables` have the same values.
   */
  evaluate(
    compiled: CompiledExpression,
    activation: CelActivation,
    budget?: CelBudget,
    shared?: SharedValues,
  ): unknown;
}

/** Functions whose call on literal arguments is evaluated at compile time to catch bad literals. */
const LITERAL_CHECKED_FUNCTIONS = new Set([
  'int',
  'uint',
  'double',
  'bool',
  'bytes',
  'string',
  'duration',
  'timestamp',
  'quantity',
  'ip',
  'cidr',
  'url',
  'semver',
  'format',
]);

/** A literal, or a list or map literal made of literals. */
function isConstant(node: AstNode): boolean {
  if (node.op === 'value') return true;
  if (node.op === 'list') return (node.args as AstNode[]).every(isConstant);
  if (node.op === 'map')
    return (node.args as [AstNode, AstNode][]).every((e) => e.every(isConstant));
  return false;
}
const REGEX_FUNCTIONS = new Set(['matches', 'find', 'findAll']);

/** Library error codes whose summaries contain only type names and fixed text. */
const SAFE_SUMMARY_CODES = new Set([
  'no_matching_overload',
  'no_such_overload',
  'invalid_logical_operand',
  'invalid_condition_type',
  'division_by_zero',
  'modulo_by_zero',
  'int_conversion_error',
  'uint_conversion_error',
  'double_conversion_error',
  'optional_value_missing',
  'invalid_optional_argument',
  'invalid_list_element_type',
  'variable_type_mismatch',
  'unsupported_type',
  'invalid_comprehension_range',
  'invalid_timestamp',
]);

/** Plain descriptions for library error codes whose summaries may quote request data. */
const GENERIC_SUMMARIES: Readonly<Record<string, string>> = {
  no_such_key: 'no such key',
  index_out_of_bounds: 'list index out of bounds',
  index_out_of_range: 'index out of range',
  numeric_overflow: 'integer overflow',
  bool_conversion_error: 'bool() cannot convert the value',
  invalid_duration: 'invalid duration',
  invalid_regular_expression: 'invalid regular expression',
  field_type_mismatch: 'a field has the wrong type',
  list_item_type_mismatch: 'a list element has the wrong type',
  unknown_variable: 'a variable was not provided',
};

interface LibraryError {
  readonly code?: string;
  readonly summary?: string;
  readonly range?: { readonly start: number; readonly end: number };
  readonly node?: AstNode;
}

type Runner = ((activation: CelActivation) => unknown) & {
  readonly ast: AstNode;
  check(): { valid: boolean; type?: string; error?: Error & LibraryError };
};

class CompiledCelExpression implements CompiledExpression {
  constructor(
    readonly expression: string,
    readonly type: CelType,
    readonly estimatedCost: number,
    readonly run: Runner,
    readonly resultType: CelType | undefined,
    readonly fastPath: boolean,
    readonly direct: DirectEvaluation | undefined,
  ) {}
}

/** Whether evaluations of `compiled` try the compiled fast path first (fast-path.ts). */
export function usesFastPath(compiled: CompiledExpression): boolean {
  return compiled instanceof CompiledCelExpression && compiled.fastPath;
}

/** Whether the fast path of `compiled` is called without the library's evaluation entry. */
export function evaluatesDirectly(compiled: CompiledExpression): boolean {
  return compiled instanceof CompiledCelExpression && compiled.direct !== undefined;
}

/**
 * The evaluator the library hands every node of `environment`'s expressions, shown by evaluating
 * one probe: the fast path's direct evaluation calls the same handlers with it.
 */
function evaluatorOf(environment: Environment): LibraryEvaluator {
  const probe = environment.parse('true') as unknown as Runner;
  let evaluator: LibraryEvaluator | undefined;
  probe.ast.evaluate = (shown) => {
    evaluator = shown;
    return true;
  };
  probe({});
  if (evaluator === undefined)
    throw new Error('the CEL library evaluated the probe without its evaluator');
  return evaluator;
}

function variableOf(declaration: CelType | CelVariable): CelVariable {
  return typeof declaration === 'string' ? { type: declaration } : declaration;
}

function compileError(expression: string, code: string, error: Error & LibraryError) {
  const range = error.range ?? error.node;
  return new CelCompileError(
    code,
    error.summary ?? error.message,
    range ? positionOf(expression, range.start, range.end) : undefined,
  );
}

function typeMatches(actual: CelType, wanted: CelType): boolean {
  if (actual === wanted || actual === 'dyn' || wanted === 'dyn') return true;
  const aliases: Record<string, string> = {
    duration: 'google.protobuf.Duration',
    timestamp: 'google.protobuf.Timestamp',
  };
  if (aliases[wanted] === actual) return true;
  return (wanted === 'list' || wanted === 'map') && actual.startsWith(`${wanted}<`);
}

function runtimeTypeMatches(value: unknown, wanted: CelType): boolean {
  switch (wanted) {
    case 'bool':
      return typeof value === 'boolean';
    case 'string':
      return typeof value === 'string';
    case 'int':
      return typeof value === 'bigint';
    case 'double':
      return typeof value === 'number';
    case 'list':
      return Array.isArray(value);
    case 'map':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    default:
      return true;
  }
}

let engineCount = 0;
const NO_LAZY_VARIABLES: ReadonlySet<string> = new Set();

export function createCelEngine(options: CelEngineOptions = {}): CelEngine {
  // engines may differ in their extensions, so they never share values
  const engineId = ++engineCount;
  const costLimit = options.costLimit ?? DEFAULT_COST_LIMIT;
  const base = new Environment({
    homogeneousAggregateLiterals: false,
    enableOptionalTypes: true,
    unlistedVariablesAreDyn: false,
    ...(options.limits ? { limits: options.limits } : {}),
  });
  registerStandardGaps(base);
  registerKubernetesLibraries(base);
  options.extend?.(base);
  // A literal-only environment: compile-time evaluation of literal calls needs no variables.
  const literalEnvironment = base.clone();
  // per declaration set: the environment and the evaluator the library hands its expressions
  const environments = new Map<string, { environment: Environment; evaluator: LibraryEvaluator }>();

  const environmentKeyOf = (variables: Readonly<Record<string, CelVariable>>) =>
    Object.keys(variables)
      .sort()
      .map((name) => `${name}:${variables[name]!.type}`)
      .join('\n');

  function environmentFor(key: string, variables: Readonly<Record<string, CelVariable>>) {
    let known = environments.get(key);
    if (!known) {
      const environment = base.clone();
      for (const name of Object.keys(variables).sort()) {
        environment.registerVariable(name, variables[name]!.type);
      }
      known = { environment, evaluator: evaluatorOf(environment) };
      environments.set(key, known);
    }
    return known;
  }

  function checkLiterals(expression: string, root: AstNode): CelCompileError | undefined {
    let problem: CelCompileError | undefined;
    walk(root, (node) => {
      const name = callName(node);
      if (problem || name === undefined) return;
      const operands = callOperands(node);
      const at = positionOf(expression, node.start, node.end);
      if (REGEX_FUNCTIONS.has(name)) {
        const pattern = operands[operands.length - 1];
        if (pattern?.op === 'value' && typeof pattern.args === 'string') {
          const syntax = re2SyntaxProblem(pattern.args);
          if (syntax)
            problem = new CelCompileError(
              'invalid_regex',
              `invalid RE2 pattern in ${name}(): ${syntax}`,
              at,
            );
        }
        return;
      }
      if (!LITERAL_CHECKED_FUNCTIONS.has(name) || !operands.every(isConstant)) return;
      try {
        literalEnvironment.evaluate(sourceOf(node));
      } catch (error) {
        const summary = (error as LibraryError).summary ?? (error as Error).message;
        problem = new CelCompileError(
          'invalid_literal',
          `${name}() of a literal fails: ${summary}`,
          at,
        );
      }
    });
    return problem;
  }

  function compile(
    expression: string,
    compileOptions: CompileOptions,
  ): CompiledExpression | CelCompileError {
    if (typeof expression !== 'string') {
      return new CelCompileError('syntax', 'the expression must be a string', undefined);
    }
    const variables: Record<string, CelVariable> = {};
    for (const [name, declaration] of Object.entries(compileOptions.variables)) {
      variables[name] = variableOf(declaration);
    }
    const environmentKey = environmentKeyOf(variables);
    const { environment, evaluator } = environmentFor(environmentKey, variables);
    let run: Runner;
    try {
      run = environment.parse(expression) as unknown as Runner;
    } catch (error) {
      return compileError(expression, 'syntax', error as Error & LibraryError);
    }
    let checked = run.check();
    if (!checked.valid) return compileError(expression, 'type', checked.error!);
    let methods = 'library';
    const rewritten = withKubernetesMethods(environment, expression, run.ast);
    if (rewritten) {
      const rewrittenCheck = rewritten.check();
      if (rewrittenCheck.valid) {
        run = rewritten;
        checked = rewrittenCheck;
        methods = 'kubernetes';
      }
    }
    const type = checked.type!;
    const wanted = compileOptions.resultType;
    if (wanted && !typeMatches(type, wanted)) {
      return new CelCompileError(
        'result_type',
        `the expression must evaluate to ${wanted}, but it evaluates to ${type}`,
        positionOf(expression, 0, expression.length),
      );
    }
    const literalProblem = checkLiterals(expression, run.ast);
    if (literalProblem) return literalProblem;
    const schemas = new Map(Object.entries(variables).map(([name, v]) => [name, v.schema]));
    const estimatedCost = estimateCost(run.ast, schemas);
    if (estimatedCost > costLimit) {
      return new CelCompileError(
        'cost',
        `estimated cost ${estimatedCost} exceeds the limit of ${costLimit}: bound the lists it iterates (maxItems) or nest fewer comprehensions`,
        positionOf(expression, 0, expression.length),
      );
    }
    instrument(run.ast, compileOptions.lazyVariables);
    if (compileOptions.sharedVariables) {
      // the same source text means the same value only under the same engine, declarations and
      // string methods
      const keyPrefix = `${engineId}\u0000${environmentKey}\u0000${methods}`;
      shareSubexpressions(run.ast, compileOptions.sharedVariables, keyPrefix);
    }
    const fastPath =
      options.fastPath !== false &&
      installFastPath(run.ast, compileOptions.lazyVariables ?? NO_LAZY_VARIABLES, evaluator);
    return new CompiledCelExpression(
      expression,
      type,
      estimatedCost,
      run,
      wanted,
      fastPath !== false,
      typeof fastPath === 'object' ? fastPath : undefined,
    );
  }

  function evaluate(
    compiled: CompiledExpression,
    activation: CelActivation,
    budget = createCelBudget(),
    shared?: SharedValues,
  ): unknown {
    if (!(compiled instanceof CompiledCelExpression)) {
      throw new TypeError('evaluate() needs an expression compiled by this engine');
    }
    let result: unknown = INTERPRET;
    try {
      const direct = compiled.direct;
      // with a spent budget, withBudget fails even an expression of no steps
      if (direct !== undefined && budget.remaining >= 0 && !(activation instanceof Map)) {
        result = direct.evaluateDirect(activation, budget, shared);
        if (budget.remaining < 0) throw new CelBudgetExceededError(budget.limit);
      }
      if (result === INTERPRET) result = withBudget(budget, compiled.run, activation, shared);
    } catch (error) {
      throw sanitize(compiled.expression, error);
    }
    const wanted = compiled.resultType;
    if (wanted && !runtimeTypeMatches(result, wanted)) {
      throw new CelEvaluationError(
        'result_type',
        `the expression must evaluate to ${wanted}`,
        positionOf(compiled.expression, 0, compiled.expression.length),
        compiled.expression,
      );
    }
    return result;
  }

  return { compile, evaluate };
}

/**
 * cel-js's own lowerAscii, trim, indexOf, ... differ from Kubernetes' and cannot be replaced, so
 * calls on string (or dyn) receivers are renamed to the libraries' Kubernetes-exact versions. The
 * renaming needs the checked receiver types, so it is applied to a fresh parse that is checked
 * again. Returns undefined when nothing needs renaming.
 */
function withKubernetesMethods(
  environment: Environment,
  expression: string,
  checkedRoot: AstNode,
): Runner | undefined {
  const renames = new Map<string, string>();
  walk(checkedRoot, (node) => {
    const name = callName(node);
    const replacement = name === undefined ? undefined : KUBERNETES_METHOD_REWRITES.get(name);
    if (node.op !== 'rcall' || replacement === undefined) return;
    const receiverType = callOperands(node)[0]?.checkedType?.name;
    if (receiverType === 'string' || receiverType === 'dyn') {
      renames.set(`${node.start}:${node.end}`, replacement);
    }
  });
  if (renames.size === 0) return undefined;
  const fresh = environment.parse(expression) as unknown as Runner;
  walk(fresh.ast, (node) => {
    const replacement = renames.get(`${node.start}:${node.end}`);
    if (node.op === 'rcall' && replacement !== undefined) (node.args as unknown[])[0] = replacement;
  });
  return fresh;
}

/** Rebuilds any evaluation failure as a CelEvaluationError without request data in it. */
function sanitize(expression: string, error: unknown): CelEvaluationError {
  if (error instanceof CelEvaluationError) return error;
  const libraryError = (typeof error === 'object' && error !== null ? error : {}) as LibraryError;
  const node = libraryError.node ?? failingNodeOf(error);
  const range = libraryError.range ?? node;
  const position = range ? positionOf(expression, range.start, range.end) : undefined;
  const source = range ? expression.slice(range.start, range.end) : undefined;
  const code = libraryError.code;
  let summary: string;
  if (error instanceof CelFunctionError) {
    summary = error.message;
  } else if (code !== undefined && libraryError.summary !== undefined) {
    summary = SAFE_SUMMARY_CODES.has(code)
      ? libraryError.summary
      : (GENERIC_SUMMARIES[code] ?? code.replaceAll('_', ' '));
  } else {
    const name = node ? callName(node) : undefined;
    summary = name ? `${name}() failed` : 'evaluation failed';
  }
  return new CelEvaluationError(code ?? 'function_error', summary, position, source);
}

export type { CelBudget, CelSchema, SharedValues };
export {
  CelBudgetExceededError,
  CelCompileError,
  CelEvaluationError,
  CelFunctionError,
  createCelBudget,
};
