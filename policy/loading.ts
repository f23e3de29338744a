// Reads AdmissionPolicy documents from files and folders (YAML or JSON, several documents per
// file), admits each one (self-admission) and compiles it. A refused policy is an error that
// names the file, the policy and every problem.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { admitPolicy } from './admission-policy/admit-policy.ts';
import { compilePolicy, type ExpressionCompiler } from './admission-policy/compile.ts';
import type { CompiledPolicy } from './admission-policy/types.ts';

export class PolicyLoadError extends Error {
  override name = 'PolicyLoadError';
}

const POLICY_FILE = /\.(ya?ml|json)$/;
/** Test suites may live beside their policies; a folder of policies skips them. */
const SUITE_FILE = /\.test\.ya?ml$/;

/** The files a list of paths names: files as given, folders expanded to their policy files (sorted). */
export function policyFiles(paths: readonly string[]): string[] {
  return paths.flatMap((path) => {
    let stat: ReturnType<typeof statSync>;
    try {
      stat = statSync(path);
    } catch {
      throw new PolicyLoadError(`${path}: no such file or folder`);
    }
    if (!stat.isDirectory()) return [path];
    return readdirSync(path)
      .filter((entry) => POLICY_FILE.test(entry) && !SUITE_FILE.test(entry))
      .sort()
      .map((entry) => join(path, entry));
  });
}

/** Every non-empty YAML document of a file, parsed. */
export function readDocuments(file: string): unknown[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new PolicyLoadError(`${file}: ${(error as NodeJS.ErrnoException).code ?? 'cannot read'}`);
  }
  return parseAllDocuments(text).flatMap((document, i) => {
    if (document.errors.length > 0) {
      throw new PolicyLoadError(`${file}: document ${i + 1}: ${document.errors[0]!.message}`);
    }
    const value = document.toJS();
    return value === null || value === undefined ? [] : [value];
  });
}

const isPolicy = (document: unknown) =>
  typeof document === 'object' &&
  document !== null &&
  (document as { kind?: unknown }).kind === 'AdmissionPolicy';

/** Admits and compiles every AdmissionPolicy in `paths`; other kinds of documents are refused. */
export function loadPolicies(
  paths: readonly string[],
  compiler: ExpressionCompiler,
): CompiledPolicy[] {
  const policies: CompiledPolicy[] = [];
  const names = new Map<string, string>();
  for (const file of policyFiles(paths)) {
    for (const document of readDocuments(file)) {
      if (!isPolicy(document)) {
        const kind = (document as { kind?: unknown })?.kind;
        throw new PolicyLoadError(
          `${file}: expected kind AdmissionPolicy, got ${JSON.stringify(kind ?? null)}`,
        );
      }
      const verdict = admitPolicy(document, compiler);
      const name = String(
        (document as { metadata?: { name?: unknown } }).metadata?.name ?? '<unnamed>',
      );
      if (!verdict.allowed) {
        throw new PolicyLoadError(
          `${file}: AdmissionPolicy "${name}" refused: ${verdict.errors.join('; ')}`,
        );
      }
      const previous = names.get(name);
      if (previous !== undefined) {
        throw new PolicyLoadError(
          `${file}: AdmissionPolicy "${name}" is also defined in ${previous}`,
        );
      }
      names.set(name, file);
      policies.push(compilePolicy(document, compiler));
    }
  }
  return policies;
}
