// Runtime instrumentation of a checked AST. The library has no step budget and its matches() uses
// JavaScript RegExp (backtracking, non-RE2 syntax), and its built-ins cannot be overridden. So after
// type checking, the engine replaces the evaluation hooks of a few nodes:
//  - every comprehension step and every function call spends one step of the active budget;
//  - `s.matches(p)` is evaluated with RE2 (linear time, cached patterns);
//  - reads of variables declared lazy ask a LazyFields value for one field (lazy-fields.ts);
//  - the root makes the budget error escape the library's error absorption (`||`, `&&` and the
//    quantifier macros keep evaluating after an error, which would turn "stop" into "skip").
import { type AstNode, callName, type EvaluateHook, type LibraryEvaluator, walk } from './ast.ts';
import { CelBudgetExceededError, CelEvaluationError, positionOf } from './errors.ts';
import { hookLazyFields } from './lazy-fields.ts';
import { compileRe2 } from './regex.ts';

/** Steps (comprehension iterations and function calls) left for one admission request. */
export interface CelBudget {
  readonly limit: number;
  remaining: number;
}

export const DEFAULT_STEP_BUDGET = 1_000_000;

export function createCelBudget(limit = DEFAULT_STEP_BUDGET): CelBudget {
  if (!Number.isSafeInteger(limit) || limit < 0) {
    throw new RangeError(`step budget must be a non-negative integer, got ${limit}`);
  }
  return { limit, remaining: limit };
}

/** Steps taken so far, counting the one that ran out (if any). */
export function stepsUsed(budget: CelBudget): number {
  return Math.min(budget.limit + 1, budget.limit - budget.remaining);
}

/**
 * Values of shared sub-expressions (shared-subexpressions.ts) already evaluated against one set of
 * request-level variables, each with the steps its evaluation spent.
 */
export type SharedValues = Map<string, { readonly value: unknown; readonly steps: number }>;

let activeBudget: CelBudget = createCelBudget(0);
let activeSharedValues: SharedValues | undefined;

/** The budget of the evaluation running now. */
export const currentBudget = (): CelBudget => activeBudget;

/** The shared values of the evaluation running now, if it shares any. */
export const currentSharedValues = (): SharedValues | undefined => activeSharedValues;

/**
 * Runs `evaluation(argument)` with `budget` as the one every instrumented node spends from, and
 * `shared` as the store of shared sub-expression values (none: every node evaluates).
 */
export function withBudget<A, T>(
  budget: CelBudget,
  evaluation: (argument: A) => T,
  argument: A,
  shared?: SharedValues,
): T {
  const previous = activeBudget;
  const previousShared = activeSharedValues;
  activeBudget = budget;
  activeSharedValues = shared;
  try {
    const result = evaluation(argument);
    if (budget.remaining < 0) throw new CelBudgetExceededError(budget.limit);
    return result;
  } finally {
    activeBudget = previous;
    activeSharedValues = previousShared;
  }
}

/**
 * Charges `steps` to `budget` as evaluating an expression that takes that many steps would: the
 * step that overdraws it throws, leaving it as spend() would; an exhausted budget fails even an
 * expression of no steps, as withBudget does.
 */
export function chargeSteps(budget: CelBudget, steps: number): void {
  if (budget.remaining < 0) {
    if (steps > 0) budget.remaining--;
    throw new CelBudgetExceededError(budget.limit);
  }
  if (steps > budget.remaining) {
    budget.remaining = -1;
    throw new CelBudgetExceededError(budget.limit);
  }
  budget.remaining -= steps;
}

function spend(): void {
  const budget = activeBudget;
  if (--budget.remaining < 0) throw new CelBudgetExceededError(budget.limit);
}

const failingNodes = new WeakMap<object, AstNode>();

/** The call node a non-library error (thrown by a custom function) came from. */
export function failingNodeOf(error: unknown): AstNode | undefined {
  return typeof error === 'object' && error !== null ? failingNodes.get(error) : undefined;
}

/** The hook the library would run for `node` now. */
export function currentHook(node: AstNode): EvaluateHook {
  if (Object.hasOwn(node, 'evaluate')) return node.evaluate;
  const { alternate, macro, evaluate } = node.meta;
  if (alternate)
    return (evaluator, _node, context) => alternate.evaluate(evaluator, alternate, context);
  if (macro) {
    return (evaluator, _node, context) =>
      macro.evaluate(evaluator, macro as unknown as AstNode, context);
  }
  return evaluate;
}

function countSteps(node: AstNode): void {
  const inner = currentHook(node);
  node.evaluate = function countedStep(evaluator, self, context) {
    spend();
    return inner.call(node, evaluator, self, context);
  };
}

function countCall(node: AstNode): void {
  const inner = currentHook(node);
  node.evaluate = function countedCall(evaluator, self, context) {
    spend();
    try {
      return inner.call(node, evaluator, self, context);
    } catch (error) {
      if (typeof error === 'object' && error !== null && !failingNodes.has(error)) {
        failingNodes.set(error, node);
      }
      throw error;
    }
  };
}

function evaluationError(node: AstNode, code: string, summary: string): CelEvaluationError {
  return new CelEvaluationError(
    code,
    summary,
    positionOf(node.input, node.start, node.end),
    node.input.slice(node.start, node.end),
  );
}

/** `s.matches(p)` as RE2 evaluates it; undefined when either is not a string or p is not RE2. */
export function re2Test(input: unknown, pattern: unknown): boolean | undefined {
  if (typeof input !== 'string' || typeof pattern !== 'string') return undefined;
  try {
    return compileRe2(pattern).test(input);
  } catch {
    return undefined;
  }
}

/** Whether the engine evaluates `node` with RE2: a receiver-style matches() call. */
export function isRe2Matches(node: AstNode): boolean {
  return (
    callName(node) === 'matches' &&
    node.op === 'rcall' &&
    (node.args as unknown[][])[2]?.length === 1
  );
}

function re2Matches(node: AstNode): void {
  const [, receiver, [patternNode]] = node.args as [string, AstNode, [AstNode]];
  node.evaluate = function re2MatchesCall(evaluator, _self, context) {
    spend();
    const input = evaluator.run(receiver, context);
    const pattern = evaluator.run(patternNode, context);
    if (typeof input !== 'string' || typeof pattern !== 'string') {
      throw evaluationError(node, 'no_matching_overload', 'matches() needs a string and a pattern');
    }
    const matched = re2Test(input, pattern);
    if (matched === undefined) {
      throw evaluationError(
        node,
        'invalid_regex',
        'the pattern given to matches() is not valid RE2',
      );
    }
    return matched;
  };
}

const NONE: ReadonlySet<string> = new Set();

function budgetAwareTryEval(this: LibraryEvaluator, node: AstNode, context: unknown): unknown {
  try {
    return this.run(node, context);
  } catch (error) {
    if (error instanceof CelBudgetExceededError) throw error;
    return error;
  }
}

/** Makes `evaluator` let budget errors escape the library's error absorption. */
export function guardEvaluator(evaluator: LibraryEvaluator): void {
  if (evaluator.tryEval !== budgetAwareTryEval) evaluator.tryEval = budgetAwareTryEval;
}

function guardRoot(root: AstNode): void {
  const inner = currentHook(root);
  root.evaluate = function guardedRoot(evaluator, self, context) {
    guardEvaluator(evaluator);
    return inner.call(root, evaluator, self, context);
  };
}

/**
 * Instruments a parsed and checked AST in place; call once per compiled expression. Reads of the
 * `lazyVariables` go through their LazyFields values when the activation holds one.
 */
export function instrument(root: AstNode, lazyVariables: ReadonlySet<string> = NONE): void {
  hookLazyFields(root, lazyVariables, currentHook);
  const steps: AstNode[] = [];
  const calls: AstNode[] = [];
  walk(root, (node) => {
    if (node.op === 'comprehension') steps.push((node.args as { step: AstNode }).step);
    if (callName(node) !== undefined) calls.push(node);
  });
  for (const node of calls) {
    if (isRe2Matches(node)) re2Matches(node);
    else countCall(node);
  }
  for (const step of steps) countSteps(step);
  guardRoot(root);
}
