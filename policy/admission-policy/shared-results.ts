// Results shared by the policies of one admission request. Many policies repeat an expression
// that reads only request-level variables (`effective.toolSet`, `object.spec.prompt.size()`):
// within one activation its value cannot differ between policies, so it is computed once and
// every later evaluation replays the outcome (value or error). Each replay still charges the
// request's step budget the steps the expression took, and fails exactly where the evaluation
// would have, so decisions and budget accounting are those of evaluating every policy alone.
// Expressions that also read `variables` or `params` share their request-level sub-expressions
// instead, through the engine (policy/cel/shared-subexpressions.ts).
import type { SharedValues } from '../cel/engine.ts';
import type { Activation } from './types.ts';

/** What evaluating an expression came to, with the steps it spent. */
export type SharedResult =
  | { readonly ok: true; readonly value: unknown; readonly steps: number }
  | { readonly ok: false; readonly error: unknown; readonly steps: number };

export type SharedResults = Map<string, SharedResult>;

const SHARED = Symbol('shared');

interface Stores {
  readonly results: SharedResults;
  readonly subexpressions: SharedValues;
}

type Carrier = { [SHARED]?: Stores };

/** Gives a request-level activation its own (empty) stores of shared results. */
export function shareResults(activation: Activation): Activation {
  (activation as Carrier)[SHARED] = { results: new Map(), subexpressions: new Map() };
  return activation;
}

export function sharedResultsOf(activation: Activation): SharedResults | undefined {
  return (activation as Carrier)[SHARED]?.results;
}

export function sharedSubexpressionsOf(activation: Activation): SharedValues | undefined {
  return (activation as Carrier)[SHARED]?.subexpressions;
}
