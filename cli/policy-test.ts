// `orka policy test [PATH]...`: runs policy test suites (README "Policy test suites"); one line
// per case, a summary line, exit 1 on any mismatch.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readSuite, runSuite } from '../policy/testing/suite.ts';
import type { CommandContext } from './commands.ts';
import { UsageError } from './flags.ts';

const SUITE_FILE = /\.test\.ya?ml$/;

function suiteFiles(paths: readonly string[]): string[] {
  return paths.flatMap((path) => {
    let directory: boolean;
    try {
      directory = statSync(path).isDirectory();
    } catch {
      throw new UsageError(`${path}: no such file or folder`);
    }
    if (!directory) return [path];
    return readdirSync(path, { recursive: true, encoding: 'utf8' })
      .filter((entry) => SUITE_FILE.test(entry))
      .sort()
      .map((entry) => join(path, entry));
  });
}

export async function runPolicyTest({
  values,
  positionals,
  stdout,
}: CommandContext): Promise<number> {
  if (values.cluster === true)
    throw new Error('--cluster is not implemented: suites run offline only');
  const files = suiteFiles(positionals.length > 0 ? positionals : ['.']);
  if (files.length === 0) throw new UsageError('no suite files (*.test.yaml) found');
  let passed = 0;
  let failed = 0;
  for (const file of files) {
    const suite = readSuite(file);
    for (const result of runSuite(suite, values)) {
      if (result.passed) {
        passed++;
        stdout.write(`PASS ${file}: ${result.name}\n`);
      } else {
        failed++;
        stdout.write(`FAIL ${file}: ${result.name}: ${result.mismatches.join('; ')}\n`);
      }
    }
  }
  stdout.write(`${passed + failed} cases, ${passed} passed, ${failed} failed\n`);
  return failed === 0 ? 0 : 1;
}
