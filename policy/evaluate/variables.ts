// `variables` for one policy evaluation: each variable is evaluated on first read, at most once,
// and its result or its error is memoised (ValidatingAdmissionPolicy "variable composition").
// Binding costs one small object per policy: expressions read `variables.NAME` through it
// (policy/cel/lazy-fields.ts), and the map of getters CEL needs for `variables` used whole is
// built only when an expression does that.
import type {
  Activation,
  CompiledExpression,
  EvaluationBudget,
} from '../admission-policy/types.ts';
import { LazyFields } from '../cel/lazy-fields.ts';

export class VariableCycleError extends Error {
  override name = 'VariableCycleError';
}

type Definitions = readonly { name: string; expression: CompiledExpression }[];

const NOT_READ = Symbol('notRead');
const SCOPE = Symbol('scope');
const GETTERS = new WeakMap<Definitions, PropertyDescriptorMap>();
const RUNNING = Symbol('running');

/** A memoised error: the variable failed and every later read fails the same way. */
class Failure {
  constructor(readonly error: unknown) {}
}

/**
 * The value CEL reads as `variables` for one policy; `activation.variables` must be this object,
 * so a variable's expression reading other variables goes through the same memo.
 */
export class PolicyVariables extends LazyFields {
  // per definition: NOT_READ, RUNNING, a Failure, or the value
  private memo: unknown[] | undefined;
  private getters: Record<string, unknown> | undefined;

  constructor(
    private readonly definitions: Definitions,
    private readonly activation: Activation,
    private readonly budget: EvaluationBudget,
  ) {
    super();
  }

  field(name: string): unknown {
    const definitions = this.definitions;
    for (let i = 0; i < definitions.length; i++) {
      if (definitions[i]!.name === name) return this.read(i);
    }
    return undefined;
  }

  whole(): Record<string, unknown> {
    if (this.getters === undefined) {
      this.getters = Object.create(null, PolicyVariables.gettersOf(this.definitions));
      Object.defineProperty(this.getters, SCOPE, { value: this });
    }
    return this.getters as Record<string, unknown>;
  }

  /**
   * The members of the map `whole()` returns, made once per policy: each getter finds its
   * PolicyVariables through the map it is read on, so every binding shares the same functions.
   */
  private static gettersOf(definitions: Definitions): PropertyDescriptorMap {
    let getters = GETTERS.get(definitions);
    if (getters === undefined) {
      // null prototype: a variable named __proto__ is a member like any other
      getters = Object.create(null) as PropertyDescriptorMap;
      for (let i = 0; i < definitions.length; i++) {
        getters[definitions[i]!.name] = {
          enumerable: true,
          get(this: { [SCOPE]: PolicyVariables }) {
            return this[SCOPE].read(i);
          },
        };
      }
      GETTERS.set(definitions, getters);
    }
    return getters;
  }

  private read(index: number): unknown {
    this.memo ??= new Array(this.definitions.length).fill(NOT_READ);
    const memo = this.memo;
    const known = memo[index];
    if (known instanceof Failure) throw known.error;
    if (known === RUNNING) {
      const { name, expression } = this.definitions[index]!;
      throw new VariableCycleError(`variables.${name} refers to itself (${expression.path})`);
    }
    if (known !== NOT_READ) return known;
    memo[index] = RUNNING;
    try {
      const value = this.definitions[index]!.expression.evaluate(this.activation, this.budget);
      memo[index] = value;
      return value;
    } catch (error) {
      memo[index] = new Failure(error);
      throw error;
    }
  }
}
