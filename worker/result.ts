// The Task's result (reference §7.5): the agent's raw output without a repository, else a
// StructuredResult with the diff. The prior-task step reads the same shape back (§7.4).
export const SUMMARY_LIMIT_CHARS = 32768;
export const STRUCTURED_RESULT_VERSION = 1;

export interface StructuredResult {
  version: number;
  summary: string;
  baseSHA: string;
  headSHA: string;
  diff?: string;
  files?: string[];
  pushBranch?: string;
  pushError?: string;
}

export function truncateSummary(output: string): string {
  if (output.length <= SUMMARY_LIMIT_CHARS) return output;
  return `${output.slice(0, SUMMARY_LIMIT_CHARS)}\n[summary truncated, full summary: ${output.length} chars]`;
}

/** `Error: <err>\n\n<partial output>` for a failed run (reference §7.3). */
export function failureText(error: string, output: string): string {
  return output ? `Error: ${error}\n\n${output}` : `Error: ${error}`;
}

/** A stored result read as a StructuredResult; plain text (or version 0) is a summary only. */
export function parseStructuredResult(stored: string): StructuredResult | undefined {
  let value: unknown;
  try {
    value = JSON.parse(stored);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const candidate = value as Partial<StructuredResult>;
  if (typeof candidate.version !== 'number' || candidate.version === 0) return undefined;
  return candidate as StructuredResult;
}
