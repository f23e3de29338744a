// Field selections that cannot exist: a walk over a parsed expression that follows variables
// through `.field`, `.?field`, `['field']`, `has()` and comprehension variables along their
// schemas, and reports each field an object schema does not declare. Used for compile errors on
// the typed variables (where the library's checker lets `has()` and `.?` through) and for
// warnings on `object`, `oldObject` and `agent`, as ValidatingAdmissionPolicy's type checking
// warns about fields its resource schemas lack.
import { type AstNode, type ComprehensionArgs, childrenOf, isAstNode } from '../cel/ast.ts';
import type { FieldSchema } from './variable-shapes.ts';

export interface UnknownField {
  /** the variable the selection starts from */
  readonly variable: string;
  readonly field: string;
  /** offsets of the field name in the expression */
  readonly start: number;
  readonly end: number;
}

type Scope = ReadonlyMap<string, { schema: FieldSchema | undefined; variable: string }>;
type Resolved = { schema: FieldSchema; variable: string } | undefined;

/** Comprehension parts the library adds beside the ones policy/cel/ast.ts names. */
interface ComprehensionParts {
  readonly iterVarName2?: string;
  readonly condition?: unknown;
  readonly result?: unknown;
}

/** Comprehension macros the parser leaves unexpanded (the two-variable forms). */
const MACROS = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);

/** An object schema whose fields are all known: selecting any other field cannot succeed. */
function isClosed(schema: FieldSchema): boolean {
  return (
    schema.properties !== undefined &&
    !schema.additionalProperties &&
    !schema['x-kubernetes-preserve-unknown-fields']
  );
}

function member(schema: FieldSchema, field: string): FieldSchema | undefined {
  if (schema.properties && Object.hasOwn(schema.properties, field)) {
    return schema.properties[field];
  }
  return typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
}

export function unknownFields(
  root: AstNode,
  variables: ReadonlyMap<string, FieldSchema>,
): UnknownField[] {
  const found: UnknownField[] = [];
  const scope: Scope = new Map(
    [...variables].map(([name, schema]) => [name, { schema, variable: name }]),
  );

  const select = (
    receiver: Resolved,
    field: string,
    start: number,
    end: number,
  ): Resolved | undefined => {
    if (!receiver) return undefined;
    if (isClosed(receiver.schema) && !Object.hasOwn(receiver.schema.properties ?? {}, field)) {
      found.push({ variable: receiver.variable, field, start, end });
      return undefined;
    }
    const schema = member(receiver.schema, field);
    return schema && { schema, variable: receiver.variable };
  };

  const visitAll = (nodes: readonly AstNode[], inner: Scope) => {
    for (const node of nodes) resolve(node, inner);
  };

  const bind = (outer: Scope, bindings: readonly [string, Resolved][]) => {
    const inner = new Map(outer);
    for (const [name, resolved] of bindings) {
      inner.set(name, { schema: resolved?.schema, variable: resolved?.variable ?? name });
    }
    return inner;
  };

  function resolve(node: AstNode, current: Scope): Resolved {
    if (node.meta.alternate || (node.meta.macro && node.op !== 'call')) {
      visitAll(childrenOf(node), current);
      return undefined;
    }
    switch (node.op) {
      case 'id': {
        const entry = current.get(node.args as string);
        return entry?.schema && { schema: entry.schema, variable: entry.variable };
      }
      case '.':
      case '.?': {
        const [receiver, field] = node.args as [AstNode, string];
        return select(resolve(receiver, current), field, node.end - field.length, node.end);
      }
      case '[]':
      case '[?]': {
        const [receiver, index] = node.args as [AstNode, AstNode];
        const resolved = resolve(receiver, current);
        resolve(index, current);
        if (!resolved) return undefined;
        if (index.op === 'value' && typeof index.args === 'string') {
          return select(resolved, index.args, index.start, index.end);
        }
        const items = resolved.schema.items;
        return items && { schema: items, variable: resolved.variable };
      }
      case 'comprehension': {
        const args = node.args as ComprehensionArgs & ComprehensionParts;
        const range = resolve(args.iterable, current);
        resolve(args.init, current);
        const element = (schema: FieldSchema | undefined): Resolved =>
          schema && range && { schema, variable: range.variable };
        const mapValues = range?.schema.additionalProperties;
        const values =
          range?.schema.items ?? (typeof mapValues === 'object' ? mapValues : undefined);
        const bindings: [string, Resolved][] = args.iterVarName2
          ? [
              [args.iterVarName, undefined],
              [args.iterVarName2, element(values)],
            ]
          : [[args.iterVarName, element(range?.schema.items)]];
        const inner = bind(current, bindings);
        for (const part of [args.condition, args.step, args.result]) {
          if (isAstNode(part)) resolve(part, inner);
        }
        return undefined;
      }
      case 'rcall': {
        const [name, receiver, callArgs] = node.args as [string, AstNode, AstNode[]];
        resolve(receiver, current);
        const variables = callArgs.slice(0, -1);
        if (MACROS.has(name) && variables.length > 0 && variables.every((a) => a.op === 'id')) {
          const names = variables.map((a) => a.args as string);
          visitAll(
            callArgs.slice(-1),
            bind(
              current,
              names.map((n) => [n, undefined]),
            ),
          );
        } else {
          visitAll(callArgs, current);
        }
        return undefined;
      }
      default:
        visitAll(childrenOf(node), current);
        return undefined;
    }
  }

  resolve(root, scope);
  return found;
}
