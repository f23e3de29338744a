// Variables whose fields are computed on demand. Building an object of getters for every
// evaluation costs more than most policies spend evaluating, so the engine instead hooks the
// nodes that read such a variable: `name.field` and `has(name.field...)` ask the value for that one
// field, and only an expression that uses the variable whole (`name`, `name.?x`, `size(name)`) gets
// the full map, which the value builds on first need.
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

/**
 * Makes `node`, a read of `variable`, ask a LazyFields value through `read`; when the value is not
 * one, or `read` finds nothing (no such field, or a shadowing comprehension variable), the
 * library's own path runs, with its errors.
 */
function hookLazyRead(
  node: AstNode,
  variable: string,
  current: CurrentHook,
  read: (value: LazyFields) => unknown,
) {
  const inner = current(node);
  node.evaluate = function lazyRead(evaluator, self, context) {
    const value = (context as ValueContext).getValue(variable);
    if (value instanceof LazyFields) {
      const result = read(value);
      if (result !== undefined) return result;
    }
    return inner.call(node, evaluator, self, context);
  };
}

/**
 * `has(name.field...)`: the library's has() reads `name` whole and then looks `field` up in it, so
 * the variable is read as a one-member map holding just that field, computed as field() would.
 */
function holderOf(value: LazyFields, field: string): Record<string, unknown> | undefined {
  const member = value.field(field);
  if (member === undefined) return undefined;
  const holder: Record<string, unknown> = Object.create(null);
  holder[field] = member;
  return holder;
}

/** The selections a has() macro walks, innermost (the identifier) last; set by type checking. */
const hasPropsOf = (node: AstNode): AstNode[] | undefined => {
  const props = node.meta.macro?.macroHasProps;
  return Array.isArray(props) ? (props as AstNode[]) : undefined;
};

const isIdentifier = (node: AstNode, names: ReadonlySet<string>): node is AstNode =>
  node.op === 'id' && !node.meta.alternate && names.has(node.args as string);

/** Hooks every read of the `names` variables in a checked AST; call before other instrumenting. */
export function hookLazyFields(
  root: AstNode,
  names: ReadonlySet<string>,
  current: CurrentHook,
): void {
  if (names.size === 0) return;
  const hasMacros: AstNode[][] = [];
  walk(root, (node) => {
    const hasProps = hasPropsOf(node);
    if (hasProps) hasMacros.push(hasProps);
    if (node.op === '.' && !node.meta.alternate && !node.meta.macro) {
      const [receiver, field] = node.args as [AstNode, string];
      if (isIdentifier(receiver, names))
        hookLazyRead(node, receiver.args as string, current, (value) => value.field(field));
    } else if (isIdentifier(node, names)) {
      hookLazyRead(node, node.args as string, current, (value) => value.whole());
    }
  });
  // after the walk, so that the whole read hooked above is what these fall back to
  for (const props of hasMacros) {
    const identifier = props[props.length - 1];
    const selection = props[props.length - 2];
    if (identifier && selection?.op === '.' && isIdentifier(identifier, names)) {
      const [, field] = selection.args as [AstNode, string];
      hookLazyRead(identifier, identifier.args as string, current, (value) =>
        holderOf(value, field),
      );
    }
  }
}
