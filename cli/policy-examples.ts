// The admission half of `orka examples`: every Agent and Task manifest under the examples folder
// through the full admission chain (built-ins switched by the flags, plus examples/policies/),
// one decision per manifest with its reasons. Agents named by Tasks are taken from the examples.
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { KubeObject } from '../policy/chain/request.ts';
import { readDocuments } from '../policy/loading.ts';
import { evaluateOffline, loadOfflinePolicies } from '../policy/offline/evaluate.ts';

const MANIFEST_FOLDERS = ['seeds', 'invalid'];

function manifests(root: string): { file: string; object: KubeObject }[] {
  return MANIFEST_FOLDERS.flatMap((folder) => {
    const dir = join(root, folder);
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .filter((entry) => /\.ya?ml$/.test(entry) && !/\.test\.ya?ml$/.test(entry))
      .sort()
      .flatMap((entry) => {
        const path = join(dir, entry);
        let documents: unknown[];
        try {
          documents = readDocuments(path);
        } catch {
          return [];
        }
        return documents
          .filter((d): d is KubeObject => typeof d === 'object' && d !== null && !Array.isArray(d))
          .filter((d) => d.kind === 'Task' || d.kind === 'Agent')
          .map((object) => ({ file: relative(root, path), object }));
      });
  });
}

const nameOf = (object: KubeObject) =>
  String((object.metadata as { name?: unknown } | undefined)?.name ?? '-');

export function admissionReport(root: string, flags: Readonly<Record<string, unknown>>): string {
  const policiesDir = join(root, 'policies');
  const setup = loadOfflinePolicies({
    flags,
    paths: existsSync(policiesDir) ? [policiesDir] : [],
    builtin: true,
  });
  const all = manifests(root);
  const agents = new Map(
    all
      .filter(({ file, object }) => object.kind === 'Agent' && file.startsWith('seeds'))
      .map(({ object }) => [nameOf(object), object]),
  );
  const lines = [
    `Admission decisions (${setup.policies.builtin.length} built-in + ${setup.policies.custom.length} example policies):`,
  ];
  for (const { file, object } of all) {
    const agentName = (object.spec as { agentRef?: { name?: string } } | undefined)?.agentRef?.name;
    const decision = evaluateOffline(setup, {
      object,
      agent: object.kind === 'Task' && agentName ? (agents.get(agentName) ?? null) : null,
    });
    const verdict = decision.allowed ? 'ALLOWED' : `DENIED (${decision.code})`;
    lines.push(`${file}  ${object.kind}/${nameOf(object)}: ${verdict}`);
    for (const denial of decision.denials)
      lines.push(`    deny: ${denial.policy}: ${denial.message}`);
    for (const warning of decision.warnings) lines.push(`    warn: ${warning}`);
  }
  return `${lines.join('\n')}\n`;
}
