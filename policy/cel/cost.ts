// Static cost estimate of a checked expression, so that a policy whose worst case is too expensive
// is refused when it is admitted (as the apiserver refuses a ValidatingAdmissionPolicy). Each
// function call, operator and field access costs 1; a comprehension costs its range's size times
// its step. Sizes come from the variables' OpenAPI schemas (maxItems, maxProperties, maxLength)
// where known; an unbounded list or map is assumed to hold 1,000 elements.
import { type AstNode, type ComprehensionArgs, callName, childrenOf } from './ast.ts';

/** The parts of an OpenAPI v3 schema the estimate reads. */
export interface CelSchema {
  readonly type?: string;
  readonly properties?: Readonly<Record<string, CelSchema>>;
  readonly additionalProperties?: CelSchema | boolean;
  readonly items?: CelSchema;
  readonly maxItems?: number;
  readonly maxProperties?: number;
  readonly maxLength?: number;
}

export const DEFAULT_COST_LIMIT = 10_000_000;
export const UNBOUNDED_SIZE = 1_000;

interface Estimate {
  readonly cost: number;
  readonly schema?: CelSchema;
}

type Scope = ReadonlyMap<string, CelSchema | undefined>;

function elementSchema(schema: CelSchema | undefined): CelSchema | undefined {
  if (!schema) return undefined;
  if (schema.items) return schema.items;
  if (schema.properties || schema.additionalProperties !== undefined || schema.type === 'object') {
    return { type: 'string' };
  }
  return undefined;
}

function sizeOf(schema: CelSchema | undefined): number {
  return schema?.maxItems ?? schema?.maxProperties ?? UNBOUNDED_SIZE;
}

function memberSchema(schema: CelSchema | undefined, key: unknown): CelSchema | undefined {
  if (!schema) return undefined;
  if (typeof key === 'string' && schema.properties?.[key]) return schema.properties[key];
  if (typeof schema.additionalProperties === 'object') return schema.additionalProperties;
  return schema.items;
}

function estimate(node: AstNode, scope: Scope): Estimate {
  const macro = node.meta.macro;
  if (macro && typeof macro.var === 'string' && macro.val && macro.exp) {
    const bound = estimate(macro.val as AstNode, scope);
    const inner = new Map(scope).set(macro.var, bound.schema);
    const body = estimate(macro.exp as AstNode, inner);
    return { cost: bound.cost + body.cost, schema: body.schema };
  }
  switch (node.op) {
    case 'value':
    case 'accuValue':
    case 'accuInc':
      return { cost: 0 };
    case 'id':
      return { cost: 0, schema: scope.get(node.args as string) };
    case '.':
    case '.?': {
      const [target, field] = node.args as [AstNode, string];
      const base = estimate(target, scope);
      return { cost: base.cost + 1, schema: memberSchema(base.schema, field) };
    }
    case '[]':
    case '[?]': {
      const [target, index] = node.args as [AstNode, AstNode];
      const base = estimate(target, scope);
      const key = index.op === 'value' ? index.args : undefined;
      return {
        cost: base.cost + estimate(index, scope).cost + 1,
        schema: memberSchema(base.schema, key),
      };
    }
    case 'comprehension':
      return estimateComprehension(node.args as ComprehensionArgs, scope);
    case '?:': {
      const [condition, left, right] = (node.args as AstNode[]).map((n) => estimate(n, scope));
      return { cost: condition!.cost + Math.max(left!.cost, right!.cost) };
    }
    default: {
      let cost = 0;
      for (const child of childrenOf(node)) cost += estimate(child, scope).cost;
      const isOperation =
        node.op !== 'call' && node.op !== 'rcall' ? true : callName(node) !== undefined;
      return { cost: cost + (isOperation || macro ? 1 : 0) };
    }
  }
}

function estimateComprehension(args: ComprehensionArgs, scope: Scope): Estimate {
  const range = estimate(args.iterable, scope);
  const size = sizeOf(range.schema);
  const inner = new Map(scope).set(args.iterVarName, elementSchema(range.schema));
  const step = estimate(args.step, inner);
  const cost = range.cost + estimate(args.init, scope).cost + size * (step.cost + 1);
  // map() and filter() yield at most one element per element of their range.
  const schema = args.kind === 'quantifier' ? undefined : { type: 'array', maxItems: size };
  return { cost, schema };
}

/** The estimated worst-case cost of evaluating `root` with variables shaped by `schemas`. */
export function estimateCost(
  root: AstNode,
  schemas: ReadonlyMap<string, CelSchema | undefined>,
): number {
  return estimate(root, schemas).cost;
}
