// Shared by the library tests: an Environment configured as the engine configures it, plus the
// table runner that evaluates one (expression, expected value or error) row.
import { isDeepStrictEqual } from 'node:util';
import { Environment } from '@marcbachmann/cel-js';
import { registerKubernetesLibraries } from '../../../policy/cel/libraries/index.ts';

export function kubernetesEnvironment(variables: Record<string, string> = {}): Environment {
  const env = new Environment({ homogeneousAggregateLiterals: false, enableOptionalTypes: true });
  registerKubernetesLibraries(env);
  for (const [name, type] of Object.entries(variables)) env.registerVariable(name, type);
  return env;
}

export interface Row {
  readonly name?: string;
  readonly expr: string;
  /** Expected result; rows without `value` or `error` expect `true`. */
  readonly value?: unknown;
  /** Expected error: a substring of the message, or `true` for any error. */
  readonly error?: string | true;
  readonly vars?: Record<string, unknown>;
  readonly types?: Record<string, string>;
}

export type Outcome = { ok: true } | { ok: false; reason: string };

const shared = kubernetesEnvironment();

export function runRow(row: Row): Outcome {
  const env = row.types ? kubernetesEnvironment(row.types) : shared;
  let result: unknown;
  try {
    result = env.evaluate(row.expr, row.vars);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (row.error === undefined) return { ok: false, reason: `unexpected error: ${message}` };
    if (row.error === true || message.includes(row.error)) return { ok: true };
    return {
      ok: false,
      reason: `error ${JSON.stringify(message)} lacks ${JSON.stringify(row.error)}`,
    };
  }
  if (row.error !== undefined) {
    return { ok: false, reason: `expected error ${String(row.error)}, got ${show(result)}` };
  }
  const expected = 'value' in row ? row.value : true;
  return isDeepStrictEqual(result, expected)
    ? { ok: true }
    : { ok: false, reason: `expected ${show(expected)}, got ${show(result)}` };
}

export function show(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)) ?? String(value);
}

/** Per-library pass counts, printed once by each test file. */
export function summary(library: string, passed: number, total: number, note = ''): string {
  return `${library}: ${passed}/${total} upstream rows pass${note ? ` (${note})` : ''}`;
}
