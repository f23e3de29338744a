// Errors the CEL engine throws. Every message is built only from what the policy author wrote
// (expression text, identifiers, type names) and never from request data, because these messages
// reach logs, AdmissionReview responses and Events.

/** Where in the expression a problem is: 0-based offsets, 1-based line and column. */
export interface CelSourcePosition {
  readonly start: number;
  readonly end: number;
  readonly line: number;
  readonly column: number;
}

export function positionOf(expression: string, start: number, end = start): CelSourcePosition {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < start && i < expression.length; i++) {
    if (expression.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { start, end: Math.max(start, end), line, column: start - lineStart + 1 };
}

/** The policy cannot be admitted: syntax, types, result type, literals or estimated cost. */
export class CelCompileError extends Error {
  override readonly name = 'CelCompileError';
  constructor(
    /** machine-readable reason, e.g. `syntax`, `type`, `result_type`, `invalid_regex`, `cost` */
    readonly code: string,
    /** the message without position, for callers that add their own context */
    readonly summary: string,
    readonly position: CelSourcePosition | undefined,
  ) {
    super(position ? `${summary} (line ${position.line}, column ${position.column})` : summary);
  }
}

/** The evaluation failed; the policy's failurePolicy decides what that means. */
export class CelEvaluationError extends Error {
  override readonly name: string = 'CelEvaluationError';
  constructor(
    readonly code: string,
    readonly summary: string,
    readonly position: CelSourcePosition | undefined,
    /** the expression text of the failing part, as the author wrote it */
    readonly source: string | undefined,
  ) {
    super(
      position
        ? `${summary} at line ${position.line}, column ${position.column}${source ? `: ${source}` : ''}`
        : summary,
    );
  }
}

/** The request's step budget ran out; the evaluation was stopped where it was. */
export class CelBudgetExceededError extends CelEvaluationError {
  override readonly name = 'CelBudgetExceededError';
  constructor(readonly limit: number) {
    super(
      'budget_exceeded',
      `evaluation exceeded the budget of ${limit} steps (comprehension iterations and function calls)`,
      undefined,
      undefined,
    );
  }
}

/**
 * Thrown by custom CEL functions whose message is safe to show as it is: it names only the
 * function and the kind of problem, never the argument values. Other errors thrown by functions
 * are reported with a generic message.
 */
export class CelFunctionError extends Error {
  override readonly name = 'CelFunctionError';
}
