// `orka examples [DIR]`: validates every manifest under the examples folder against the resource
// schemas and prints a table. Files under seeds/ and policies/ must be valid; each file under
// invalid/ must be refused with an error naming the path of its `# expect: <path>` line.
// `*.test.yaml` files are policy test suites (run by `orka policy test`), not manifests.
// Exit 0 when every example behaves as expected, 1 otherwise.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { formatFieldError, validateResource } from '../resources/validate.ts';
import type { CommandContext } from './commands.ts';
import { admissionReport, policySuitesReport } from './policy-examples.ts';

const DEFAULT_ROOT = fileURLToPath(new URL('../examples/', import.meta.url));
const VALID_FOLDERS = ['seeds', 'policies'];
const INVALID_FOLDER = 'invalid';
const EXPECT_LINE = /^#\s*expect:\s*(\S+)\s*$/m;

export interface ExampleOutcome {
  file: string;
  kind: string;
  name: string;
  valid: boolean;
  reasons: string[];
  /** null when the example behaved as expected, else what went wrong */
  problem: string | null;
}

function yamlFiles(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((entry) => /\.ya?ml$/.test(entry) && !/\.test\.ya?ml$/.test(entry))
    .sort()
    .map((entry) => join(folder, entry));
}

function field(object: unknown, ...path: string[]): string {
  let value: unknown = object;
  for (const key of path)
    value =
      typeof value === 'object' && value !== null
        ? (value as Record<string, unknown>)[key]
        : undefined;
  return typeof value === 'string' && value ? value : '-';
}

function checkFile(path: string, file: string, expectInvalid: boolean): ExampleOutcome[] {
  const text = readFileSync(path, 'utf8');
  const expectedPath = EXPECT_LINE.exec(text)?.[1];
  const documents = parseAllDocuments(text);
  if (!Array.isArray(documents) || documents.length === 0) {
    return [
      {
        file,
        kind: '-',
        name: '-',
        valid: false,
        reasons: ['no YAML document'],
        problem: 'no YAML document',
      },
    ];
  }
  return documents.map((document) => {
    if (document.errors.length > 0) {
      const reason = `YAML: ${document.errors[0]!.message.split('\n')[0]}`;
      return { file, kind: '-', name: '-', valid: false, reasons: [reason], problem: reason };
    }
    const object: unknown = document.toJS();
    const result = validateResource(object);
    const reasons = result.errors.map(formatFieldError);
    let problem: string | null = null;
    if (!expectInvalid && !result.valid) problem = 'expected valid';
    else if (expectInvalid && !expectedPath) problem = "no '# expect: <path>' line";
    else if (expectInvalid && result.valid) problem = `expected an error at ${expectedPath}`;
    else if (expectInvalid && !result.errors.some((error) => error.path === expectedPath)) {
      problem = `expected an error at ${expectedPath}`;
    }
    return {
      file,
      kind: field(object, 'kind'),
      name: field(object, 'metadata', 'name'),
      valid: result.valid,
      reasons,
      problem,
    };
  });
}

/** Every example under `root` with its outcome, in folder then file order. */
export function checkExamples(root: string): ExampleOutcome[] {
  const outcomes: ExampleOutcome[] = [];
  for (const folder of VALID_FOLDERS) {
    for (const path of yamlFiles(join(root, folder)))
      outcomes.push(...checkFile(path, relative(root, path), false));
  }
  for (const path of yamlFiles(join(root, INVALID_FOLDER))) {
    outcomes.push(...checkFile(path, relative(root, path), true));
  }
  return outcomes;
}

export function renderTable(outcomes: readonly ExampleOutcome[]): string {
  const header = ['FILE', 'KIND', 'NAME', 'RESULT', 'CHECK', 'REASONS'];
  const rows = outcomes.map((outcome) => [
    outcome.file,
    outcome.kind,
    outcome.name,
    outcome.valid ? 'valid' : 'invalid',
    outcome.problem ? `FAIL: ${outcome.problem}` : 'ok',
    outcome.reasons.join('; '),
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd();
  const failures = outcomes.filter((outcome) => outcome.problem).length;
  const valid = outcomes.filter((outcome) => outcome.valid).length;
  const summary = `${outcomes.length} examples: ${valid} valid, ${outcomes.length - valid} invalid, ${failures === 0 ? 'all as expected' : `${failures} not as expected`}`;
  return [line(header), ...rows.map(line), '', summary, ''].join('\n');
}

export async function runExamples(context: CommandContext): Promise<number> {
  if (context.positionals.length > 1) throw new Error('expected at most one folder');
  const root = context.positionals[0] ?? DEFAULT_ROOT;
  if (!existsSync(root)) throw new Error(`examples folder not found: ${root}`);
  const outcomes = checkExamples(root);
  if (outcomes.length === 0) {
    throw new Error(
      `no examples under ${root} (looked in ${[...VALID_FOLDERS, INVALID_FOLDER].join('/, ')}/)`,
    );
  }
  context.stdout.write(renderTable(outcomes));
  context.stdout.write(`\n${admissionReport(root, context.values)}`);
  const suites = policySuitesReport(root, context.values);
  context.stdout.write(`\n${suites.text}`);
  return outcomes.some((outcome) => outcome.problem) || suites.failed > 0 ? 1 : 0;
}
