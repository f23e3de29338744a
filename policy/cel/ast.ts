// The parts of @marcbachmann/cel-js's parsed AST (8.0.0, pinned) that the engine reads and
// instruments. The library types its AST only for reading; the engine also needs the node's
// evaluation hook and its macro expansion, described here.

/** The library's evaluator object, passed to every node's evaluate hook. */
export interface LibraryEvaluator {
  run(node: AstNode, context: unknown): unknown;
  tryEval(node: AstNode, context: unknown): unknown;
}

export type EvaluateHook = (
  evaluator: LibraryEvaluator,
  node: AstNode,
  context: unknown,
) => unknown;

export interface ComprehensionArgs {
  readonly iterable: AstNode;
  readonly init: AstNode;
  readonly step: AstNode;
  readonly iterVarName: string;
  readonly kind?: string;
}

interface MacroExpansion {
  evaluate: EvaluateHook;
  readonly [key: string]: unknown;
}

export interface AstNode {
  readonly op: string;
  readonly args: unknown;
  readonly start: number;
  readonly end: number;
  readonly input: string;
  readonly meta: {
    readonly alternate?: AstNode;
    readonly macro?: MacroExpansion;
    readonly evaluate: EvaluateHook;
  };
  readonly checkedType?: { readonly name: string };
  evaluate: EvaluateHook;
}

const BINARY_OPERATORS = new Set([
  '!=',
  '==',
  'in',
  '+',
  '-',
  '*',
  '/',
  '%',
  '<',
  '<=',
  '>',
  '>=',
  '||',
  '&&',
  '[]',
  '[?]',
]);

export function isAstNode(value: unknown): value is AstNode {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { op?: unknown }).op === 'string' &&
    'meta' in value &&
    'input' in value
  );
}

export function sourceOf(node: AstNode): string {
  return node.input.slice(node.start, node.end);
}

/** The function name of a call node that is a real call (not a macro). */
export function callName(node: AstNode): string | undefined {
  if (node.op !== 'call' && node.op !== 'rcall') return undefined;
  if (node.meta.alternate || node.meta.macro) return undefined;
  return (node.args as [string])[0];
}

/** Argument nodes of a real call; for a receiver call the receiver comes first. */
export function callOperands(node: AstNode): AstNode[] {
  if (node.op === 'rcall') {
    const [, receiver, args] = node.args as [string, AstNode, AstNode[]];
    return [receiver, ...args];
  }
  return (node.args as [string, AstNode[]])[1];
}

/**
 * The nodes evaluation can reach from `node`: a macro's expansion replaces the call it came from,
 * so for macro calls only the expansion is returned.
 */
export function childrenOf(node: AstNode): AstNode[] {
  const meta = node.meta;
  if (meta.alternate) return [meta.alternate];
  if (meta.macro) return nodesIn(Object.values(meta.macro)).filter((child) => child !== node);
  const args = node.args;
  switch (node.op) {
    case 'value':
    case 'id':
    case 'accuValue':
    case 'accuInc':
      return [];
    case '.':
    case '.?':
      return [(args as [AstNode])[0]];
    case 'call':
    case 'rcall':
      return callOperands(node);
    case 'comprehension': {
      const comprehension = args as ComprehensionArgs;
      return [comprehension.iterable, comprehension.init, comprehension.step];
    }
    case 'map':
      return (args as [AstNode, AstNode][]).flat();
    default:
      if (BINARY_OPERATORS.has(node.op) || node.op === 'list' || node.op === '?:') {
        return args as AstNode[];
      }
      return isAstNode(args) ? [args] : nodesIn(Array.isArray(args) ? args : []);
  }
}

function nodesIn(values: unknown[]): AstNode[] {
  const found: AstNode[] = [];
  for (const value of values) {
    if (isAstNode(value)) found.push(value);
    else if (Array.isArray(value)) found.push(...nodesIn(value));
  }
  return found;
}

/** Every node reachable from `root`, each once, parents before children. */
export function walk(root: AstNode, visit: (node: AstNode) => void): void {
  const seen = new Set<AstNode>();
  const pending = [root];
  while (pending.length > 0) {
    const node = pending.pop()!;
    if (seen.has(node)) continue;
    seen.add(node);
    visit(node);
    pending.push(...childrenOf(node));
  }
}
