// `npm run bench`: runs every bench/*.bench.ts (or those whose name contains an argument) and prints
// each figure with its same-run baseline and the ratio between them.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Bench, BenchRow } from './harness.ts';

const folder = fileURLToPath(new URL('.', import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(folder)
  .filter((file) => file.endsWith('.bench.ts'))
  .filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)))
  .sort();

function format(value: number): string {
  return value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toPrecision(3);
}

function line(row: BenchRow): string {
  const figure = `${row.name}: ${format(row.value)} ${row.unit}`;
  const baseline = row.baseline
    ? ` | baseline ${row.baseline.name}: ${format(row.baseline.value)} ${row.unit} | ratio ${(row.value / row.baseline.value).toFixed(2)}`
    : '';
  return `${figure}${baseline}${row.note ? ` (${row.note})` : ''}`;
}

if (files.length === 0) {
  console.error('no benchmarks matched');
  process.exit(1);
}
for (const file of files) {
  const module = (await import(new URL(file, import.meta.url).href)) as { default: Bench };
  console.log(`# ${file}`);
  for (const row of await module.default()) console.log(line(row));
}
