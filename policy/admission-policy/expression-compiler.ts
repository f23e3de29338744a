// Binds AdmissionPolicy compilation to the CEL engine (policy/cel): the declared variables of
// DESIGN §4, the result type each expression kind must have, and engine errors turned into
// PolicyExpressionErrors that carry the expression path and the position.
import { CelCompileError, type CelEngine, type CelType, createCelEngine } from '../cel/engine.ts';
import type { ExpressionCompiler, ResultKind } from './compile.ts';
import { PolicyExpressionError } from './compile.ts';
import type { CompiledExpression } from './types.ts';

/** The variables every AdmissionPolicy expression may use (DESIGN §4). */
export const POLICY_VARIABLES: Readonly<Record<string, CelType>> = {
  object: 'dyn',
  oldObject: 'dyn',
  request: 'map<string, dyn>',
  requester: 'map<string, dyn>',
  agent: 'dyn',
  effective: 'map<string, dyn>',
  tctx: 'dyn',
  config: 'map<string, dyn>',
  params: 'dyn',
  namespaceObject: 'dyn',
  variables: 'map<string, dyn>',
};

const RESULT_TYPES: Readonly<Record<ResultKind, CelType | undefined>> = {
  bool: 'bool',
  string: 'string',
  'patch-list': 'list',
  'string-or-null': undefined,
  any: undefined,
};

function acceptsResult(kind: ResultKind, type: CelType): boolean {
  if (kind === 'patch-list')
    return type === 'dyn' || type === 'list' || /^list<(dyn|map<.*>)>$/.test(type);
  if (kind === 'string-or-null') return type === 'string' || type === 'dyn' || type === 'null';
  return true;
}

export function createExpressionCompiler(
  engine: CelEngine = createCelEngine(),
): ExpressionCompiler {
  return {
    compile(source: string, path: string, result: ResultKind): CompiledExpression {
      const compiled = engine.compile(source, {
        variables: POLICY_VARIABLES,
        ...(RESULT_TYPES[result] ? { resultType: RESULT_TYPES[result] } : {}),
      });
      if (compiled instanceof CelCompileError) {
        throw new PolicyExpressionError(path, compiled.summary, compiled.position);
      }
      if (!acceptsResult(result, compiled.type)) {
        const wanted = result === 'patch-list' ? 'a list of JSON patch maps' : 'string or null';
        throw new PolicyExpressionError(
          path,
          `the expression must evaluate to ${wanted}, but it evaluates to ${compiled.type}`,
          { line: 1, column: 1 },
        );
      }
      return {
        path,
        source,
        evaluate: (activation, budget) => engine.evaluate(compiled, activation, budget),
      };
    },
  };
}
