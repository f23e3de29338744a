// `orka policy show [--builtin] [NAME]`: policies as YAML documents separated by `---`; the
// built-ins the flags switch on plus the --policies files (only built-ins with --builtin). A NAME
// is looked up among every built-in, switched on or not; an unknown NAME exits 2.
import { stringify } from 'yaml';
import { builtinDocuments } from '../policy/builtin/index.ts';
import { loadOfflinePolicies } from '../policy/offline/evaluate.ts';
import type { CommandContext } from './commands.ts';
import { UsageError } from './flags.ts';

const nameOf = (document: unknown) =>
  (document as { metadata?: { name?: unknown } }).metadata?.name;

export async function runPolicyShow({
  values,
  positionals,
  stdout,
}: CommandContext): Promise<number> {
  if (positionals.length > 1) throw new UsageError('at most one NAME');
  const onlyBuiltin = values.builtin as boolean;
  const setup = loadOfflinePolicies({
    flags: values,
    paths: onlyBuiltin ? [] : (values.policies as string[]),
    builtin: true,
  });
  const enabled = [...setup.policies.builtin, ...(onlyBuiltin ? [] : setup.policies.custom)].map(
    (policy) => policy.source as unknown,
  );
  const name = positionals[0];
  let documents: unknown[] = enabled;
  if (name !== undefined) {
    const everything = [...builtinDocuments(), ...enabled];
    const found = everything.find((document) => nameOf(document) === name);
    if (!found) throw new UsageError(`no policy named "${name}"`);
    documents = [found];
  }
  stdout.write(documents.map((document) => stringify(document, { lineWidth: 0 })).join('---\n'));
  return 0;
}
