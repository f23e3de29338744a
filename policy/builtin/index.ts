// The built-in policies: every policy/builtin/*.yaml, read from beside this module, compiled with
// the same engine as custom policies and switched on or off by the controller flags. Built-ins
// always deny (they can never be lowered to Warn or Audit) and fail closed.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compilePolicy, type ExpressionCompiler } from '../admission-policy/compile.ts';
import type { CompiledPolicy } from '../admission-policy/types.ts';
import type { PolicyConfig } from '../chain/config.ts';
import { readDocuments } from '../loading.ts';

const BUILTIN_DIR = fileURLToPath(new URL('.', import.meta.url));

/** Evaluation order of the built-ins; files not listed here come after, by name. */
export const BUILTIN_ORDER = [
  'orka-task-provenance',
  'orka-namespace-isolation',
  'orka-sandbox-workspace',
  'orka-context-token',
  'orka-task-semantics',
  'orka-agent-semantics',
];

/** Which built-ins a configuration turns on. */
const SWITCHES: Readonly<Record<string, (config: PolicyConfig) => boolean>> = {
  'orka-task-provenance': (config) => config.provenance.enabled,
  'orka-namespace-isolation': (config) => config.enforceNamespaceIsolation,
};

/** The policy documents of policy/builtin/*.yaml, in evaluation order. */
export function builtinDocuments(): unknown[] {
  const files = readdirSync(BUILTIN_DIR)
    .filter((entry) => entry.endsWith('.yaml'))
    .sort();
  const documents = files.flatMap((file) => readDocuments(`${BUILTIN_DIR}${file}`));
  const rank = (document: unknown) => {
    const name = (document as { metadata?: { name?: string } }).metadata?.name ?? '';
    const index = BUILTIN_ORDER.indexOf(name);
    return index < 0 ? BUILTIN_ORDER.length : index;
  };
  return documents
    .map((document, i) => ({ document, i }))
    .sort((a, b) => rank(a.document) - rank(b.document) || a.i - b.i)
    .map(({ document }) => document);
}

function assertDenies(policy: CompiledPolicy): void {
  const actions = policy.validationActions;
  if (actions.length !== 1 || actions[0] !== 'Deny' || policy.failurePolicy !== 'Fail') {
    throw new Error(
      `built-in policy ${policy.name} must have validationActions [Deny] and failurePolicy Fail`,
    );
  }
}

/** Compiles every built-in policy (on or off); throws if one does not compile. */
export function compileBuiltins(compiler: ExpressionCompiler): CompiledPolicy[] {
  return builtinDocuments().map((document) => {
    const policy = compilePolicy(document, compiler, { builtin: true });
    assertDenies(policy);
    return policy;
  });
}

/** The built-ins a configuration turns on, in evaluation order. */
export function enabledBuiltins(
  all: readonly CompiledPolicy[],
  config: PolicyConfig,
): CompiledPolicy[] {
  return all.filter((policy) => SWITCHES[policy.name]?.(config) ?? true);
}
