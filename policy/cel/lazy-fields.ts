// Variables whose fields are computed on demand. Building an object of getters for every
// evaluation costs more than most policies spend evaluating, so the engine instead hooks the
// nodes that read such a variable: `name.field` asks the value for that one field, and only an
// expression that uses the variable whole (`name`, `has(name.x)`, `name.?x`, `size(name)`)
// gets the full map, which the value builds on first need.
import { type AstNode, type EvaluateHook, walk } from './ast.ts';

/** An activation value read field by field; anything else under the name is read as usual. */
export abstract class LazyFields {
  /** The field's value, computed on first read; undefined when there is no such field. */
  abstract field(name: string): unknown;
  /** The variable as one map whose members compute the fields when read. */
  abstract whole(): Record<string, unknown>;
}

interface ValueContext {
  getValue(name: string): unknown;
}

/** The hook the library would run for `node` now (its own, or its macro's or alternate's). */
type CurrentHook = (node: AstNode) => EvaluateHook;

function hookFieldRead(node: AstNode, variable: string, field: string, current: CurrentHook) {
  const inner = current(node);
  node.evaluate = function lazyFieldRead(evaluator, self, context) {
    const value = (context as ValueContext).getValue(variable);
    if (value instanceof LazyFields) {
      const member = value.field(field);
      if (member !== undefined) return member;
    }
    // no such field (or a shadowing comprehension variable): the library's own path and errors
    return inner.call(node, evaluator, self, context);
  };
}

function hookWholeRead(node: AstNode, variable: string, current: CurrentHook) {
  const inner = current(node);
  node.evaluate = function lazyWholeRead(evaluator, self, context) {
    const value = (context as ValueContext).getValue(variable);
    if (value instanceof LazyFields) return value.whole();
    return inner.call(node, evaluator, self, context);
  };
}

const isIdentifier = (node: AstNode, names: ReadonlySet<string>): node is AstNode =>
  node.op === 'id' && !node.meta.alternate && names.has(node.args as string);

/** Hooks every read of the `names` variables in a checked AST; call before other instrumenting. */
export function hookLazyFields(
  root: AstNode,
  names: ReadonlySet<string>,
  current: CurrentHook,
): void {
  if (names.size === 0) return;
  walk(root, (node) => {
    if (node.op === '.' && !node.meta.alternate && !node.meta.macro) {
      const [receiver, field] = node.args as [AstNode, string];
      if (isIdentifier(receiver, names))
        hookFieldRead(node, receiver.args as string, field, current);
    } else if (isIdentifier(node, names)) {
      hookWholeRead(node, node.args as string, current);
    }
  });
}
