// Binds AdmissionPolicy compilation to the CEL engine (policy/cel): the declared variables of
// DESIGN §4, the result type each expression kind must have, and engine errors turned into
// PolicyExpressionErrors that carry the expression path and the position.
//
// Each expression is checked against the typed declarations (variable-shapes.ts), so a misspelt
// `request`, `requester`, `effective` or `config` field is a compile error, and run as compiled
// against plain maps, so values keep map semantics at run time (the library's object types are
// neither comparable nor plain JSON when returned whole, e.g. as a JSON patch value).
import type { Environment } from '@marcbachmann/cel-js';
import type { AstNode } from '../cel/ast.ts';
import {
  type CelBudget,
  CelBudgetExceededError,
  CelCompileError,
  type CelEngineOptions,
  type CelType,
  createCelEngine,
} from '../cel/engine.ts';
import { positionOf } from '../cel/errors.ts';
import { chargeSteps } from '../cel/instrument.ts';
import type { ExpressionCompiler, ResultKind } from './compile.ts';
import { PolicyExpressionError } from './compile.ts';
import { type UnknownField, unknownFields } from './field-selections.ts';
import { AGENT_KIND, type TypedKind } from './resource-typing.ts';
import { sharedResultsOf, sharedSubexpressionsOf } from './shared-results.ts';
import type { Activation, CompiledExpression, ExpressionWarning } from './types.ts';
import {
  RUNTIME_POLICY_VARIABLES,
  registerPolicyTypes,
  TYPED_POLICY_VARIABLES,
  VARIABLE_SHAPES,
} from './variable-shapes.ts';

/** The variables every AdmissionPolicy expression may use, as `check()` types them (DESIGN §4). */
export const POLICY_VARIABLES: Readonly<Record<string, CelType>> = TYPED_POLICY_VARIABLES;

const RESULT_TYPES: Readonly<Record<ResultKind, CelType | undefined>> = {
  bool: 'bool',
  string: 'string',
  'patch-list': 'list',
  'string-or-null': undefined,
  any: undefined,
};

function acceptsResult(kind: ResultKind, type: CelType): boolean {
  // `list<T>` is how the library types an empty list literal: no patches.
  if (kind === 'patch-list')
    return type === 'dyn' || type === 'list' || /^list<(dyn|T|map<.*>)>$/.test(type);
  if (kind === 'string-or-null') return type === 'string' || type === 'dyn' || type === 'null';
  return true;
}

/** The library says `No such key` where the apiserver's checker says `undefined field`. */
function summaryOf(error: CelCompileError): string {
  const field = error.code === 'type' ? /^No such key: (.+)$/.exec(error.summary) : null;
  return field ? `undefined field '${field[1]}'` : error.summary;
}

/**
 * Only `variables` and `params` differ between the policies of one request; an expression that
 * names neither (even inside a string, which merely forgoes sharing) reads request-level values.
 */
const POLICY_LEVEL_NAME = /\b(variables|params)\b/;

/** The variables whose values are the same for every policy of a request. */
const REQUEST_LEVEL_VARIABLES: ReadonlySet<string> = new Set(
  Object.keys(RUNTIME_POLICY_VARIABLES).filter((name) => !POLICY_LEVEL_NAME.test(name)),
);

/** `variables` is bound per policy as a LazyFields value (policy/evaluate/variables.ts). */
const LAZY_VARIABLES: ReadonlySet<string> = new Set(['variables']);

type Evaluate = (activation: Activation, budget: CelBudget) => unknown;

/** Evaluates through the activation's shared results (shared-results.ts) when it has them. */
function sharedEvaluation(key: string, evaluate: Evaluate): Evaluate {
  return (activation, budget) => {
    const store = sharedResultsOf(activation);
    if (store === undefined) return evaluate(activation, budget);
    const known = store.get(key);
    if (known !== undefined) {
      chargeSteps(budget, known.steps);
      if (known.ok) return known.value;
      throw known.error;
    }
    const before = budget.remaining;
    try {
      const value = evaluate(activation, budget);
      store.set(key, { ok: true, value, steps: before - budget.remaining });
      return value;
    } catch (error) {
      // a budget overrun says nothing about the expression: the next policy evaluates it again
      if (!(error instanceof CelBudgetExceededError)) {
        store.set(key, { ok: false, error, steps: before - budget.remaining });
      }
      throw error;
    }
  };
}

let compilerCount = 0;

export function createExpressionCompiler(options: CelEngineOptions = {}): ExpressionCompiler {
  let environment: Environment | undefined;
  // two compilers may differ in their extensions, so their results are never shared
  const compilerId = ++compilerCount;
  const engine = createCelEngine({
    ...options,
    extend(base) {
      registerPolicyTypes(base);
      options.extend?.(base);
      environment = base;
    },
  });

  /** The parsed tree (macros expanded, unchecked), or undefined when it does not parse. */
  function parse(source: string): AstNode | undefined {
    try {
      return (environment!.parse(source) as unknown as { ast: AstNode }).ast;
    } catch {
      return undefined;
    }
  }

  const located = (source: string, field: UnknownField) =>
    positionOf(source, field.start, field.end);

  return {
    compile(source: string, path: string, result: ResultKind): CompiledExpression {
      const tree = parse(source);
      const [unknown] = tree
        ? unknownFields(tree, VARIABLE_SHAPES).sort((x, y) => x.start - y.start)
        : [];
      if (unknown) {
        throw new PolicyExpressionError(
          path,
          `undefined field '${unknown.field}'`,
          located(source, unknown),
        );
      }
      const resultType = RESULT_TYPES[result];
      const typed = engine.compile(source, {
        variables: TYPED_POLICY_VARIABLES,
        ...(resultType ? { resultType } : {}),
      });
      if (typed instanceof CelCompileError) {
        throw new PolicyExpressionError(path, summaryOf(typed), typed.position);
      }
      if (!acceptsResult(result, typed.type)) {
        const wanted = result === 'patch-list' ? 'a list of JSON patch maps' : 'string or null';
        throw new PolicyExpressionError(
          path,
          `the expression must evaluate to ${wanted}, but it evaluates to ${typed.type}`,
          { line: 1, column: 1 },
        );
      }
      const policyLevel = POLICY_LEVEL_NAME.test(source);
      const compiled = engine.compile(source, {
        variables: RUNTIME_POLICY_VARIABLES,
        lazyVariables: LAZY_VARIABLES,
        // a request-level expression is shared whole (sharedEvaluation), so only the others
        // share their request-level parts
        ...(policyLevel ? { sharedVariables: REQUEST_LEVEL_VARIABLES } : {}),
        ...(resultType ? { resultType } : {}),
      });
      if (compiled instanceof CelCompileError) {
        throw new PolicyExpressionError(path, compiled.summary, compiled.position);
      }
      const evaluate: Evaluate = (activation, budget) =>
        engine.evaluate(compiled, activation, budget, sharedSubexpressionsOf(activation));
      return {
        path,
        source,
        evaluate: policyLevel
          ? evaluate
          : sharedEvaluation(`${compilerId}\u0000${result}\u0000${source}`, evaluate),
      };
    },

    typeWarnings(source: string, path: string, kinds: readonly TypedKind[]): ExpressionWarning[] {
      const tree = parse(source);
      if (!tree) return [];
      const warnings: ExpressionWarning[] = [];
      const report = (kind: TypedKind, fields: UnknownField[]) => {
        for (const field of fields) {
          const { line, column } = located(source, field);
          warnings.push({
            path,
            position: { line, column },
            warning: `${kind.label}: undefined field '${field.field}'`,
          });
        }
      };
      for (const kind of kinds) {
        const roots = new Map([
          ['object', kind.schema],
          ['oldObject', kind.schema],
        ]);
        report(kind, unknownFields(tree, roots));
      }
      report(AGENT_KIND, unknownFields(tree, new Map([['agent', AGENT_KIND.schema]])));
      return warnings.sort(
        (a, b) => a.position.line - b.position.line || a.position.column - b.position.column,
      );
    },
  };
}
