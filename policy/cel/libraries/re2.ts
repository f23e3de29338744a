// RE2 compilation with a bounded cache, shared by find/findAll here and by the engine's
// RE2-backed `matches`. Patterns in policies are few and reused on every request, so compiling
// once per distinct pattern is what keeps regex functions cheap.
import { RE2JS } from 're2js';
import { celError } from './values.ts';

const CACHE_LIMIT = 512;
const cache = new Map<string, RE2JS>();

/**
 * Compiles `pattern` with RE2 syntax (no backreferences or lookaround; linear-time matching).
 * Throws an EvaluationError with code `invalid_regular_expression` naming the pattern.
 */
export function compileRe2(pattern: string): RE2JS {
  const cached = cache.get(pattern);
  if (cached) {
    // Re-insert so the Map's insertion order doubles as least-recently-used order.
    cache.delete(pattern);
    cache.set(pattern, cached);
    return cached;
  }
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(pattern);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw celError(
      'invalid_regular_expression',
      `Illegal regex: ${JSON.stringify(pattern)}: ${detail}`,
    );
  }
  if (cache.size >= CACHE_LIMIT) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  cache.set(pattern, compiled);
  return compiled;
}

/** Number of compiled patterns held; exposed for tests of the bound. */
export function re2CacheSize(): number {
  return cache.size;
}

export const RE2_CACHE_LIMIT = CACHE_LIMIT;
