// Shared shape of benchmark results: every figure is reported next to a baseline measured in the
// same run, so numbers from different machines compare as ratios.
export interface BenchRow {
  /** what was measured, e.g. "admission: built-ins + 50 policies" */
  name: string;
  value: number;
  unit: string;
  /** the same-run baseline this row is compared with, if any */
  baseline?: { name: string; value: number };
  /** free text: targets, sample sizes */
  note?: string;
}

export type Bench = () => Promise<BenchRow[]>;

/** Calls `fn` repeatedly for about `durationMs` and returns calls per second. */
export function opsPerSecond(fn: () => unknown, durationMs = 1000): number {
  for (let i = 0; i < 1000; i++) fn();
  let calls = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(durationMs) * 1_000_000n;
  let now = start;
  while (now < deadline) {
    for (let i = 0; i < 100; i++) fn();
    calls += 100;
    now = process.hrtime.bigint();
  }
  return calls / (Number(now - start) / 1e9);
}

export function percentile(sortedMs: readonly number[], p: number): number {
  if (sortedMs.length === 0) return Number.NaN;
  const index = Math.min(sortedMs.length - 1, Math.ceil((p / 100) * sortedMs.length) - 1);
  return sortedMs[Math.max(0, index)]!;
}
