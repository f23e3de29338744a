// RE2 semantics for CEL's matches(): linear-time matching (no catastrophic backtracking) and RE2's
// syntax (no lookaround, no backreferences), as cel-go and the apiserver have. Compilation and its
// pattern cache are shared with the libraries' find/findAll.
import { RE2JS } from 're2js';

export { compileRe2 } from './libraries/index.ts';

/** Why `pattern` is not valid RE2, or undefined when it is. */
export function re2SyntaxProblem(pattern: string): string | undefined {
  try {
    RE2JS.compile(pattern);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : 'invalid pattern';
  }
}
