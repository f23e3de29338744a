// `variables` for one policy evaluation: each variable is evaluated on first read, at most once,
// and its result or its error is memoised (ValidatingAdmissionPolicy "variable composition").
import type {
  Activation,
  CompiledExpression,
  EvaluationBudget,
} from '../admission-policy/types.ts';

type Memo =
  | { state: 'pending' }
  | { state: 'running' }
  | { state: 'done'; value: unknown }
  | { state: 'failed'; error: unknown };

export class VariableCycleError extends Error {
  override name = 'VariableCycleError';
}

/**
 * Returns the object CEL reads as `variables`. Its properties are getters, so the CEL library's
 * own-property lookups trigger evaluation lazily; `activation.variables` must be this object.
 */
export function lazyVariables(
  definitions: readonly { name: string; expression: CompiledExpression }[],
  activation: Activation,
  budget: EvaluationBudget,
): Record<string, unknown> {
  const variables: Record<string, unknown> = Object.create(null);
  for (const { name, expression } of definitions) {
    let memo: Memo = { state: 'pending' };
    Object.defineProperty(variables, name, {
      enumerable: true,
      get() {
        if (memo.state === 'done') return memo.value;
        if (memo.state === 'failed') throw memo.error;
        if (memo.state === 'running') {
          throw new VariableCycleError(`variables.${name} refers to itself (${expression.path})`);
        }
        memo = { state: 'running' };
        try {
          const value = expression.evaluate(activation, budget);
          memo = { state: 'done', value };
          return value;
        } catch (error) {
          memo = { state: 'failed', error };
          throw error;
        }
      },
    });
  }
  return variables;
}
