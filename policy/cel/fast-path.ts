// A compiled fast path in front of the interpreter. The library walks the AST node by node, and
// the engine's hooks (instrument.ts, lazy-fields.ts, shared-subexpressions.ts) wrap more calls
// around many nodes, so a policy spends most of its CEL time in dispatch rather than in work. Here
// a checked, instrumented AST is turned into one JavaScript function (comprehensions become loops,
// comprehension variables locals) that calls the very overload handlers the type checker chose
// for each node, so every value is the one the interpreter would compute.
//
// The fast path is optimistic: it follows only the successful evaluation. At the first sign of
// anything else (an error from a handler, a non-bool operand of && or ||, a value of a kind it
// does not handle) it gives the steps it charged back to the budget and the interpreter evaluates
// the expression from the start, with its exact errors, positions and error absorption. That is
// sound because it evaluates in the interpreter's order (call arguments right to left,
// short-circuits where the interpreter's) and charges steps where the interpreter's hooks would:
// whatever it did before giving up (a lazy variable evaluated, a shared value stored) is what the
// interpreter does first on its own. For the same reason a budget that runs out is final: the
// interpreter would run out at the same step, and that error escapes every absorption.
//
// An expression that leaves no node to the interpreter's hooks is also called directly
// (evaluateDirect): with the activation, the budget and the shared values as arguments, without the
// library's evaluation entry and its context object: a webhook review of the built-ins and 50
// policies, hundreds of evaluations, became about 5 % cheaper (bench/compare-checkouts.ts).
//
// Generated code never contains text from the expression: field names, literals, nodes and
// handlers are passed in as values and named by index.
import { Optional } from '@marcbachmann/cel-js';
import type { AstNode, ComprehensionArgs, EvaluateHook, LibraryEvaluator } from './ast.ts';
import { callName, childrenOf } from './ast.ts';
import { CelBudgetExceededError } from './errors.ts';
import {
  type CelBudget,
  chargeSteps,
  currentBudget,
  currentHook,
  currentSharedValues,
  guardEvaluator,
  isRe2Matches,
  re2Test,
  type SharedValues,
} from './instrument.ts';
import { LazyFields } from './lazy-fields.ts';
import { sharedKeyOf } from './shared-subexpressions.ts';

/** What the generated function returns when the interpreter must evaluate instead. */
const FALL_BACK: unique symbol = Symbol('fallBack');

/** An expression the fast path does not compile (it is left to the interpreter alone). */
class NotCompiled extends Error {}

interface Scope {
  /** comprehension variables in reach: CEL name → JavaScript local */
  readonly locals: ReadonlyMap<string, string>;
  /** the accumulator of the innermost comprehension */
  readonly accumulator: string | undefined;
}

/** The library's optional macros (`orValue`, `or`), as its parser records them. */
interface OptionalMacro {
  readonly functionDesc: string;
  readonly receiver: AstNode;
  readonly arg: AstNode;
  readonly onHasValue: (optional: Optional) => unknown;
}

interface TypeWithMatcher {
  matchesValueType(value: unknown, evaluator: LibraryEvaluator): boolean;
}

interface CheckedComprehension extends ComprehensionArgs {
  readonly condition?: (accumulator: unknown) => boolean;
  readonly result: (accumulator: unknown) => unknown;
  readonly iterCtx: { readonly iterType: TypeWithMatcher };
}

type Handle = (...args: unknown[]) => unknown;

/** The generated function: the value, or FALL_BACK. */
type CompiledFunction = (
  evaluator: LibraryEvaluator,
  context: unknown,
  budget: CelBudget,
  shared: SharedValues | undefined,
) => unknown;

const handleOf = (node: AstNode): Handle => {
  const handle = (node as unknown as { handle?: Handle }).handle;
  if (typeof handle !== 'function') throw new NotCompiled(`no handler on ${node.op}`);
  return handle;
};

/** The library's iteration over a non-list range (its toIterable); anything else falls back. */
function rangeItems(range: unknown): unknown[] {
  if (range instanceof Set) return [...range];
  if (range instanceof Map) return [...range.keys()];
  if (range && typeof range === 'object') return Object.keys(range);
  throw FALL_BACK;
}

/** The library's has() walk over `selections` (innermost last), from `value` at `from` down. */
function hasPath(
  evaluator: LibraryEvaluator & { debugType(value: unknown): TypeWithField },
  selections: readonly AstNode[],
  value: unknown,
  from: number,
): boolean {
  let current = value;
  let optional = false;
  for (let i = from; i >= 0; i--) {
    const node = selections[i]!;
    if (node.op === '.?') optional = true;
    current = evaluator
      .debugType(current)
      .fieldLazy(current, (node.args as [unknown, string])[1], node, evaluator);
    if (current !== undefined) continue;
    if (!(!optional && i > 0 && node.op === '.')) break;
    throw FALL_BACK;
  }
  return current !== undefined;
}

interface TypeWithField {
  fieldLazy(value: unknown, field: string, node: AstNode, evaluator: LibraryEvaluator): unknown;
}

const RUNTIME = {
  FALL_BACK,
  Optional,
  LazyFields,
  rangeItems,
  hasPath,
  re2Test,
  chargeSteps,
  CelBudgetExceededError,
};

class Generator {
  private readonly values: unknown[] = [];
  private readonly valueIndex = new Map<unknown, number>();
  private readonly lines: string[] = [];
  private temporaries = 0;
  /** whether some node is left to the interpreter's hooks, which need the library's context */
  delegates = false;

  constructor(private readonly lazyNames: ReadonlySet<string>) {}

  /** A name in the generated code for `value` (a node, a handler, a literal, a key...). */
  ref(value: unknown): string {
    let index = this.valueIndex.get(value);
    if (index === undefined) {
      index = this.values.length;
      this.values.push(value);
      this.valueIndex.set(value, index);
    }
    return `v${index}`;
  }

  temporary(): string {
    return `t${++this.temporaries}`;
  }

  emit(line: string): void {
    this.lines.push(line);
  }

  /**
   * Spends one step as the interpreter's spend() does. Running out is final, not a reason to fall
   * back: the interpreter would reach this point in the same state and stop here too.
   */
  chargeStep(): void {
    this.emit(
      'if (--budget.remaining < 0) throw new R.CelBudgetExceededError(budget.limit); charged++;',
    );
  }

  build(root: AstNode): CompiledFunction {
    const result = this.node(root, { locals: new Map(), accumulator: undefined }, false);
    const prologue = this.values.map((_, i) => `const v${i} = values[${i}];`).join('\n');
    const temporaries = Array.from({ length: this.temporaries }, (_, i) => `t${i + 1}`);
    const body = `${prologue}
return function compiledExpression(ev, ctx, budget, shared) {
  let charged = 0;
  ${temporaries.length > 0 ? `let ${temporaries.join(', ')};` : ''}
  try {
${this.lines.join('\n')}
    return ${result};
  } catch (error) {
    if (error instanceof R.CelBudgetExceededError) throw error;
    budget.remaining += charged;
    return R.FALL_BACK;
  }
};`;
    return new Function('values', 'R', body)(this.values, RUNTIME);
  }

  /** Emits the evaluation of `node`; returns the local (or constant) holding its value. */
  node(node: AstNode, scope: Scope, isStep: boolean): string {
    const key = sharedKeyOf(node);
    if (key !== undefined) return this.shared(node, key, scope, isStep);
    return this.counted(node, scope, isStep);
  }

  private shared(node: AstNode, key: string, scope: Scope, isStep: boolean): string {
    const result = this.temporary();
    const known = this.temporary();
    const before = this.temporary();
    const k = this.ref(key);
    this.emit(`${known} = shared === undefined ? undefined : shared.get(${k});`);
    this.emit(`if (${known} !== undefined) {`);
    this.emit(
      `R.chargeSteps(budget, ${known}.steps); charged += ${known}.steps; ${result} = ${known}.value;`,
    );
    this.emit(`} else { ${before} = budget.remaining;`);
    const value = this.counted(node, scope, isStep);
    this.emit(`${result} = ${value};`);
    this.emit(
      `if (shared !== undefined) shared.set(${k}, { value: ${result}, steps: ${before} - budget.remaining }); }`,
    );
    return result;
  }

  private counted(node: AstNode, scope: Scope, isStep: boolean): string {
    if (isStep) this.chargeStep();
    const meta = node.meta;
    if (meta.alternate) return this.node(meta.alternate, scope, false);
    if (meta.macro) return this.macro(node, scope);
    return this.plain(node, scope);
  }

  private macro(node: AstNode, scope: Scope): string {
    const macro = node.meta.macro as unknown as OptionalMacro & { macroHasProps?: unknown };
    if (
      macro.functionDesc === 'optional.orValue(value)' ||
      macro.functionDesc === 'optional.or(optional)'
    ) {
      return this.optionalMacro(macro, scope);
    }
    if (!Array.isArray(macro.macroHasProps)) return this.delegated(node, scope);
    const props = macro.macroHasProps as AstNode[];
    const base = props[props.length - 1]!;
    const selection = props[props.length - 2];
    // the interpreter reads a lazy variable as a holder of just the first selected field, so the
    // walk starts at that field's value, one selection further in
    const lazy = selection?.op === '.' && this.isLazyRead(base, scope);
    const start = lazy
      ? this.lazyField(base.args as string, (selection.args as [unknown, string])[1])
      : this.node(base, scope, false);
    const from = props.length - (lazy ? 3 : 2);
    const result = this.temporary();
    this.emit(`${result} = R.hasPath(ev, ${this.ref(props)}, ${start}, ${from});`);
    return result;
  }

  /** `name.field` of a lazy variable, read as its LazyFields value gives it. */
  private lazyField(name: string, field: string): string {
    const result = this.temporary();
    this.emit(`${result} = ctx.getValue(${this.ref(name)});`);
    this.emit(`if (!(${result} instanceof R.LazyFields)) throw R.FALL_BACK;`);
    this.emit(`${result} = ${result}.field(${this.ref(field)});`);
    this.emit(`if (${result} === undefined) throw R.FALL_BACK;`);
    return result;
  }

  /** The values of `operands`, evaluated last to first as the library does. */
  private operands(operands: readonly AstNode[], scope: Scope): string {
    const values: string[] = [];
    for (let i = operands.length - 1; i >= 0; i--)
      values[i] = this.node(operands[i]!, scope, false);
    return `[${values.join(', ')}]`;
  }

  /** `o.orValue(v)` and `o.or(p)`: the argument is evaluated only when `o` has no value. */
  private optionalMacro(macro: OptionalMacro, scope: Scope): string {
    const result = this.temporary();
    const receiver = this.node(macro.receiver, scope, false);
    this.emit(`if (!(${receiver} instanceof R.Optional)) throw R.FALL_BACK;`);
    this.emit(
      `if (${receiver}.hasValue()) { ${result} = ${this.ref(macro.onHasValue)}(${receiver}); } else {`,
    );
    const fallback = this.node(macro.arg, scope, false);
    if (macro.functionDesc === 'optional.or(optional)') {
      this.emit(`if (!(${fallback} instanceof R.Optional)) throw R.FALL_BACK;`);
    }
    this.emit(`${result} = ${fallback}; }`);
    return result;
  }

  private isLazyRead(node: AstNode, scope: Scope): boolean {
    return (
      node.op === 'id' &&
      !node.meta.alternate &&
      this.lazyNames.has(node.args as string) &&
      !scope.locals.has(node.args as string)
    );
  }

  private plain(node: AstNode, scope: Scope): string {
    switch (node.op) {
      case 'value':
        return this.ref(node.args);
      case 'id':
        return this.identifier(node, scope);
      case 'accuValue':
        return this.accumulator(scope);
      case 'accuInc': {
        const accumulator = this.accumulator(scope);
        this.emit(`${accumulator} += 1;`);
        return accumulator;
      }
      case 'accuPush': {
        const accumulator = this.accumulator(scope);
        const item = this.node(node.args as AstNode, scope, false);
        this.emit(`${accumulator}.push(${item});`);
        return accumulator;
      }
      case '.':
      case '.?':
        return this.select(node, scope);
      case '&&':
      case '||':
        return this.logical(node, scope);
      case '?:':
        return this.conditional(node, scope);
      case 'comprehension':
        return this.comprehension(node, scope);
      case 'list':
        return this.list(node, scope);
      case 'map':
        return this.map(node, scope);
      case 'call':
      case 'rcall':
        return this.call(node, scope);
      case '!_':
      case '-_': {
        const operand = this.node(node.args as AstNode, scope, false);
        const result = this.temporary();
        const call = `${this.ref(handleOf(node))}(${operand}, ${this.ref(node)}, ev)`;
        this.emit(
          node.op === '!_'
            ? `${result} = typeof ${operand} === 'boolean' ? !${operand} : ${call};`
            : `${result} = ${call};`,
        );
        return result;
      }
      case '==':
      case '!=':
      case 'in':
      case '+':
      case '-':
      case '*':
      case '/':
      case '%':
      case '<':
      case '<=':
      case '>':
      case '>=':
      case '[]':
      case '[?]':
        return this.binary(node, scope);
      default:
        return this.delegated(node, scope);
    }
  }

  private accumulator(scope: Scope): string {
    if (scope.accumulator === undefined) throw new NotCompiled('an accumulator outside a loop');
    return scope.accumulator;
  }

  private identifier(node: AstNode, scope: Scope): string {
    const name = node.args as string;
    const local = scope.locals.get(name);
    if (local !== undefined) return local;
    const result = this.temporary();
    if (this.lazyNames.has(name)) {
      this.emit(`${result} = ctx.getValue(${this.ref(name)});`);
      this.emit(
        `${result} = ${result} instanceof R.LazyFields ? ${result}.whole() : ctx.getCheckedValue(ev, ${this.ref(node)});`,
      );
      return result;
    }
    this.emit(`${result} = ctx.getCheckedValue(ev, ${this.ref(node)});`);
    return result;
  }

  private select(node: AstNode, scope: Scope): string {
    const [receiver, field] = node.args as [AstNode, string];
    if (node.op === '.' && this.isLazyRead(receiver, scope)) {
      return this.lazyField(receiver.args as string, field);
    }
    const value = this.node(receiver, scope, false);
    const result = this.temporary();
    this.emit(
      `${result} = ${this.ref(handleOf(node))}(${value}, ${this.ref(field)}, ${this.ref(node)}, ev);`,
    );
    return result;
  }

  private binary(node: AstNode, scope: Scope): string {
    const [left, right] = node.args as [AstNode, AstNode];
    const l = this.node(left, scope, false);
    const r = this.node(right, scope, false);
    const result = this.temporary();
    const call = `${this.ref(handleOf(node))}(${l}, ${r}, ${this.ref(node)}, ev)`;
    if (node.op === '==' || node.op === '!=') {
      // same-typed strings, bools and ints are equal exactly when they are identical
      const same = `(typeof ${l} === 'string' || typeof ${l} === 'boolean' || typeof ${l} === 'bigint') && typeof ${l} === typeof ${r}`;
      const compare = node.op === '==' ? `${l} === ${r}` : `${l} !== ${r}`;
      this.emit(`${result} = ${same} ? ${compare} : ${call};`);
    } else {
      this.emit(`${result} = ${call};`);
    }
    return result;
  }

  private logical(node: AstNode, scope: Scope): string {
    const [left, right] = node.args as [AstNode, AstNode];
    const settles = node.op === '&&' ? 'false' : 'true';
    const continues = node.op === '&&' ? 'true' : 'false';
    const result = this.temporary();
    const l = this.node(left, scope, false);
    this.emit(
      `if (${l} === ${settles}) { ${result} = ${settles}; } else if (${l} === ${continues}) {`,
    );
    const r = this.node(right, scope, false);
    this.emit(`if (typeof ${r} !== 'boolean') throw R.FALL_BACK; ${result} = ${r};`);
    this.emit('} else throw R.FALL_BACK;');
    return result;
  }

  private conditional(node: AstNode, scope: Scope): string {
    const [condition, whenTrue, whenFalse] = node.args as [AstNode, AstNode, AstNode];
    const result = this.temporary();
    const c = this.node(condition, scope, false);
    this.emit(`if (${c} === true) {`);
    this.emit(`${result} = ${this.node(whenTrue, scope, false)};`);
    this.emit(`} else if (${c} === false) {`);
    this.emit(`${result} = ${this.node(whenFalse, scope, false)};`);
    this.emit('} else throw R.FALL_BACK;');
    return result;
  }

  private comprehension(node: AstNode, scope: Scope): string {
    const args = node.args as CheckedComprehension;
    const range = this.node(args.iterable, scope, false);
    const items = this.temporary();
    this.emit(`${items} = Array.isArray(${range}) ? ${range} : R.rangeItems(${range});`);
    const inner: Scope = { locals: scope.locals, accumulator: undefined };
    const accumulator = this.temporary();
    this.emit(`${accumulator} = ${this.node(args.init, inner, false)};`);
    const index = this.temporary();
    const item = this.temporary();
    const locals = new Map(scope.locals).set(args.iterVarName, item);
    const iterType = this.ref(args.iterCtx.iterType);
    this.emit(`for (${index} = 0; ${index} < ${items}.length; ${index}++) {`);
    if (args.condition) this.emit(`if (!${this.ref(args.condition)}(${accumulator})) break;`);
    this.emit(`${item} = ${items}[${index}];`);
    this.emit(`if (!${iterType}.matchesValueType(${item}, ev)) throw R.FALL_BACK;`);
    const step = this.node(args.step, { locals, accumulator }, true);
    this.emit(`${accumulator} = ${step};`);
    this.emit('}');
    const result = this.temporary();
    this.emit(`${result} = ${this.ref(args.result)}(${accumulator});`);
    return result;
  }

  private list(node: AstNode, scope: Scope): string {
    const elements = this.operands(node.args as AstNode[], scope);
    const result = this.temporary();
    this.emit(`${result} = ${elements};`);
    return result;
  }

  /** `{}` is a new empty object, as the library makes it; other map literals are delegated. */
  private map(node: AstNode, scope: Scope): string {
    if ((node.args as unknown[]).length > 0) return this.delegated(node, scope);
    const result = this.temporary();
    this.emit(`${result} = {};`);
    return result;
  }

  private call(node: AstNode, scope: Scope): string {
    if (callName(node) === undefined) throw new NotCompiled('a call the library rewrote');
    this.chargeStep();
    const result = this.temporary();
    if (isRe2Matches(node)) {
      const [, receiver, [pattern]] = node.args as [string, AstNode, [AstNode]];
      const input = this.node(receiver, scope, false);
      const p = this.node(pattern, scope, false);
      this.emit(`${result} = R.re2Test(${input}, ${p});`);
      this.emit(`if (${result} === undefined) throw R.FALL_BACK;`);
      return result;
    }
    const handle = this.ref(handleOf(node));
    const self = this.ref(node);
    if (node.op === 'call') {
      const operands = this.operands((node.args as [string, AstNode[]])[1], scope);
      this.emit(`${result} = ${handle}(${operands}, ${self}, ev);`);
      return result;
    }
    const receiverWithArgs = (node as unknown as { receiverWithArgs?: AstNode[] }).receiverWithArgs;
    if (!Array.isArray(receiverWithArgs)) throw new NotCompiled('a method call without operands');
    this.emit(`${result} = ${handle}(${this.operands(receiverWithArgs, scope)}, ev, ${self});`);
    return result;
  }

  /**
   * Any other node is evaluated by the interpreter, when that is exact: it reads no comprehension
   * variable or accumulator of the fast path, and the steps it spends can be told apart from
   * those of lazy variables it evaluates (which stay spent when the fast path gives up).
   */
  private delegated(node: AstNode, scope: Scope): string {
    this.delegates = true;
    const reads = closedReads(node, this.lazyNames);
    if (reads === undefined || [...reads.names].some((name) => scope.locals.has(name))) {
      throw new NotCompiled(`${node.op} reading a comprehension's variables`);
    }
    if (reads.lazy && reads.steps) throw new NotCompiled(`${node.op} mixing lazy reads and steps`);
    const result = this.temporary();
    const hook = this.ref(currentHook(node));
    const self = this.ref(node);
    if (reads.lazy) {
      this.emit(`${result} = ${hook}.call(${self}, ev, ${self}, ctx);`);
      return result;
    }
    const before = this.temporary();
    this.emit(`${before} = budget.remaining;`);
    this.emit(
      `try { ${result} = ${hook}.call(${self}, ev, ${self}, ctx); } finally { charged += ${before} - budget.remaining; }`,
    );
    return result;
  }
}

interface ClosedReads {
  readonly names: ReadonlySet<string>;
  readonly lazy: boolean;
  readonly steps: boolean;
}

/** What a subtree reads; undefined when it touches an accumulator it does not own. */
function closedReads(root: AstNode, lazyNames: ReadonlySet<string>): ClosedReads | undefined {
  const names = new Set<string>();
  let lazy = false;
  let steps = false;
  let open = false;
  const visit = (node: AstNode, bound: ReadonlySet<string>, accumulators: number) => {
    if (node.op === 'id' && !node.meta.alternate) {
      const name = node.args as string;
      if (!bound.has(name)) {
        names.add(name);
        if (lazyNames.has(name)) lazy = true;
      }
    }
    if (
      (node.op === 'accuValue' || node.op === 'accuInc' || node.op === 'accuPush') &&
      accumulators === 0
    )
      open = true;
    if (callName(node) !== undefined) steps = true;
    if (node.op === 'comprehension' && !node.meta.alternate) {
      steps = true;
      const { iterable, init, step, iterVarName } = node.args as ComprehensionArgs;
      visit(iterable, bound, accumulators);
      visit(init, bound, accumulators + 1);
      visit(step, new Set([...bound, iterVarName]), accumulators + 1);
      return;
    }
    for (const child of childrenOf(node)) visit(child, bound, accumulators);
  };
  visit(root, new Set(), 0);
  return open ? undefined : { names, lazy, steps };
}

/** After this many fall-backs with fewer successes, an expression stops trying the fast path. */
const FALL_BACK_LIMIT = 32;

let fallBacks = 0;

/** How often a compiled expression has left an evaluation to the interpreter, in this process. */
export const fastPathFallBacks = (): number => fallBacks;

/** What evaluateDirect returns when the interpreter must evaluate the expression instead. */
export const INTERPRET: unique symbol = Symbol('interpret');

/**
 * An expression's compiled fast path, called with the activation itself: without the library's
 * evaluation entry (a context object per evaluation, its hooks) and without making the budget
 * the active one. Only for expressions that leave no node to the interpreter's hooks, as those
 * need the library's context and the active budget.
 */
export interface DirectEvaluation {
  /**
   * The value, or INTERPRET: then the interpreter must evaluate the expression from the start,
   * and its fast-path hook, having just fallen back here, lets it.
   */
  evaluateDirect(activation: object, budget: CelBudget, shared: SharedValues | undefined): unknown;
}

/**
 * The context the generated code reads variables through, over the activation itself. A value
 * the library would first convert (or reject) is left to the interpreter.
 */
class DirectContext {
  constructor(private readonly activation: Record<string, unknown>) {}

  getValue(name: string): unknown {
    return this.activation[name];
  }

  getCheckedValue(evaluator: LibraryEvaluator, node: AstNode): unknown {
    const value = this.activation[node.args as string];
    const type = (node as unknown as { checkedType: TypeWithMatcher }).checkedType;
    if (value === undefined || !type.matchesValueType(value, evaluator)) throw FALL_BACK;
    return value;
  }
}

// The policies of a request evaluate their expressions one after another against one activation,
// so the last context made is nearly always the one wanted.
let lastActivation: Record<string, unknown> | undefined;
let lastContext: DirectContext | undefined;

function directContextOf(activation: Record<string, unknown>): DirectContext {
  if (activation !== lastActivation || lastContext === undefined) {
    lastContext = new DirectContext(activation);
    lastActivation = activation;
  }
  return lastContext;
}

/**
 * Puts a compiled fast path in front of `root`'s evaluation, which must be fully instrumented
 * (instrument(), then shareSubexpressions()). Returns false, changing nothing, when the
 * expression uses something the fast path does not compile; otherwise true, or its direct
 * evaluation when it has one. `libraryEvaluator` is the evaluator the library passes the nodes of
 * `root`'s environment.
 */
export function installFastPath(
  root: AstNode,
  lazyNames: ReadonlySet<string>,
  libraryEvaluator: LibraryEvaluator,
): DirectEvaluation | boolean {
  let compiled: CompiledFunction;
  let delegates: boolean;
  try {
    const generator = new Generator(lazyNames);
    compiled = generator.build(root);
    delegates = generator.delegates;
  } catch (error) {
    // a process that forbids code generation from strings runs everything interpreted
    if (error instanceof NotCompiled || error instanceof EvalError) return false;
    throw error;
  }
  const interpreted: EvaluateHook = currentHook(root);
  let successes = 0;
  let failures = 0;
  let interpretNext = false;
  const worthTrying = () => failures < FALL_BACK_LIMIT || successes > failures;
  const attempt = (
    evaluator: LibraryEvaluator,
    context: unknown,
    budget: CelBudget,
    shared: SharedValues | undefined,
  ): unknown => {
    const value = compiled(evaluator, context, budget, shared);
    if (value !== FALL_BACK) {
      successes++;
      return value;
    }
    failures++;
    fallBacks++;
    return FALL_BACK;
  };
  root.evaluate = function fastPath(evaluator, self, context) {
    if (interpretNext) {
      interpretNext = false;
    } else if (worthTrying()) {
      guardEvaluator(evaluator);
      const value = attempt(evaluator, context, currentBudget(), currentSharedValues());
      if (value !== FALL_BACK) return value;
    }
    return interpreted.call(root, evaluator, self, context);
  };
  if (delegates) return true;
  guardEvaluator(libraryEvaluator);
  return {
    evaluateDirect(activation, budget, shared) {
      if (!worthTrying()) return INTERPRET;
      const context = directContextOf(activation as Record<string, unknown>);
      const value = attempt(libraryEvaluator, context, budget, shared);
      if (value !== FALL_BACK) return value;
      interpretNext = true;
      return INTERPRET;
    },
  };
}
