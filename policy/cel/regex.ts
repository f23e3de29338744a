// RE2 semantics for CEL's matches(): linear-time matching (no catastrophic backtracking) and RE2's
// syntax (no lookaround, no backreferences), as cel-go and the apiserver have. Compiled patterns
// are cached because policies match the same few patterns on every request.
import { RE2JS } from 're2js';

const CACHE_LIMIT = 500;
const cache = new Map<string, RE2JS>();

/** Compiles an RE2 pattern; throws the RE2 syntax error (which quotes only the pattern). */
export function compileRe2(pattern: string): RE2JS {
  const cached = cache.get(pattern);
  if (cached) return cached;
  const compiled = RE2JS.compile(pattern);
  if (cache.size >= CACHE_LIMIT) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  cache.set(pattern, compiled);
  return compiled;
}

/** Why `pattern` is not valid RE2, or undefined when it is. */
export function re2SyntaxProblem(pattern: string): string | undefined {
  try {
    compileRe2(pattern);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : 'invalid pattern';
  }
}

/** CEL `matches`: true when the pattern matches any part of the input (RE2 `find`). */
export function re2Matches(input: string, pattern: string): boolean {
  return compileRe2(pattern).test(input);
}
