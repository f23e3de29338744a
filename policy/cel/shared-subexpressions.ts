// Sub-expressions that read only request-level variables have one value per request, whichever
// policy's expression they sit in: `object.spec.prompt.size() < 10000` repeated by fifty policies
// is evaluated once. After instrumenting, the engine hooks the largest such subtrees (those with
// a call or a comprehension in them: anything cheaper costs less than the lookup). A hooked
// subtree evaluated with a store of shared values (withBudget) looks its source up there: a hit
// charges the budget the steps the first evaluation spent, exactly as evaluating again would, and
// returns the value; a miss evaluates and stores the value with its steps. Errors are never
// stored, so a failing subtree fails where and as it always did.
import { type AstNode, type ComprehensionArgs, callName, childrenOf, sourceOf } from './ast.ts';
import { chargeSteps, currentBudget, currentHook, currentSharedValues } from './instrument.ts';

interface Reads {
  /** identifiers the subtree reads from outside itself */
  readonly free: ReadonlySet<string>;
  /** whether it reads or changes the accumulator of a comprehension around it */
  readonly accumulator: boolean;
  /** whether it calls a function or runs a comprehension */
  readonly work: boolean;
}

const NOTHING: ReadonlySet<string> = new Set();
const ACCUMULATOR_OPS = new Set(['accuValue', 'accuInc', 'accuPush']);

function readsOf(node: AstNode, known: Map<AstNode, Reads>): Reads {
  const cached = known.get(node);
  if (cached) return cached;
  let reads: Reads;
  if (node.op === 'id' && !node.meta.alternate) {
    reads = { free: new Set([node.args as string]), accumulator: false, work: false };
  } else if (node.op === 'comprehension' && !node.meta.alternate) {
    const { iterable, init, step, iterVarName } = node.args as ComprehensionArgs;
    const outer = [readsOf(iterable, known), readsOf(init, known)];
    const inner = readsOf(step, known);
    const free = new Set([...outer[0]!.free, ...outer[1]!.free]);
    for (const name of inner.free) if (name !== iterVarName) free.add(name);
    reads = { free, accumulator: outer.some((r) => r.accumulator), work: true };
  } else {
    const children = childrenOf(node).map((child) => readsOf(child, known));
    const free = new Set<string>();
    for (const child of children) for (const name of child.free) free.add(name);
    reads = {
      free: free.size === 0 ? NOTHING : free,
      accumulator: ACCUMULATOR_OPS.has(node.op) || children.some((r) => r.accumulator),
      work: callName(node) !== undefined || children.some((r) => r.work),
    };
  }
  known.set(node, reads);
  return reads;
}

const sharedKeys = new WeakMap<AstNode, string>();

/** The key under which `node`'s value is shared, when it is a shared sub-expression. */
export const sharedKeyOf = (node: AstNode): string | undefined => sharedKeys.get(node);

function hookShared(node: AstNode, key: string): void {
  sharedKeys.set(node, key);
  const inner = currentHook(node);
  node.evaluate = function sharedSubexpression(evaluator, self, context) {
    const shared = currentSharedValues();
    if (shared === undefined) return inner.call(node, evaluator, self, context);
    const budget = currentBudget();
    const known = shared.get(key);
    if (known !== undefined) {
      chargeSteps(budget, known.steps);
      return known.value;
    }
    const before = budget.remaining;
    const value = inner.call(node, evaluator, self, context);
    shared.set(key, { value, steps: before - budget.remaining });
    return value;
  };
}

/**
 * Hooks the largest subtrees below `root` that read only `sharedNames` (not shadowed by a
 * comprehension variable around them) and do some work; `keyPrefix` names what else decides the
 * value of a source text (the engine, its variable declarations). The root itself is left to the
 * caller, which may share whole expressions its own way. Call after every other hook.
 */
export function shareSubexpressions(
  root: AstNode,
  sharedNames: ReadonlySet<string>,
  keyPrefix: string,
): void {
  const known = new Map<AstNode, Reads>();
  const visit = (node: AstNode, bound: ReadonlySet<string>, isRoot: boolean): void => {
    const reads = readsOf(node, known);
    const shareable =
      !isRoot &&
      reads.work &&
      !reads.accumulator &&
      [...reads.free].every((name) => sharedNames.has(name) && !bound.has(name));
    if (shareable) {
      hookShared(node, `${keyPrefix}\u0000${sourceOf(node)}`);
      return;
    }
    if (node.op === 'comprehension' && !node.meta.alternate) {
      const { iterable, init, step, iterVarName } = node.args as ComprehensionArgs;
      visit(iterable, bound, false);
      visit(init, bound, false);
      visit(step, new Set([...bound, iterVarName]), false);
      return;
    }
    for (const child of childrenOf(node)) visit(child, bound, false);
  };
  visit(root, NOTHING, true);
}
