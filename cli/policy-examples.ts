// The admission half of `orka examples`: every Agent and Task manifest under the examples folder
// through the full admission chain with the built-in policies the flags switch on (what a default
// install decides), one decision per manifest with its reasons; then every example policy's suite.
// Agents named by Tasks are taken from the examples.
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { KubeObject } from '../policy/chain/request.ts';
import { readDocuments } from '../policy/loading.ts';
import { evaluateOffline, loadOfflinePolicies } from '../policy/offline/evaluate.ts';
import { readSuite, runSuite } from '../policy/testing/suite.ts';

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
  const setup = loadOfflinePolicies({ flags, paths: [], builtin: true });
  const all = manifests(root);
  const agents = new Map(
    all
      .filter(({ file, object }) => object.kind === 'Agent' && file.startsWith('seeds'))
      .map(({ object }) => [nameOf(object), object]),
  );
  const lines = [`Admission decisions (${setup.policies.builtin.length} built-in policies):`];
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

export interface SuiteReport {
  text: string;
  failed: number;
}

/** Runs every `*.test.yaml` suite under examples/policies/: a line per case and a summary. */
export function policySuitesReport(
  root: string,
  flags: Readonly<Record<string, unknown>>,
): SuiteReport {
  const dir = join(root, 'policies');
  const files = existsSync(dir)
    ? readdirSync(dir)
        .filter((entry) => /\.test\.ya?ml$/.test(entry))
        .sort()
    : [];
  const lines = ['Example policy suites:'];
  let passed = 0;
  let failed = 0;
  for (const entry of files) {
    for (const result of runSuite(readSuite(join(dir, entry)), flags)) {
      if (result.passed) passed++;
      else failed++;
      const verdict = result.passed ? 'PASS' : `FAIL: ${result.mismatches.join('; ')}`;
      lines.push(`policies/${entry}  ${result.name}: ${verdict}`);
    }
  }
  lines.push(`${passed + failed} policy cases: ${passed} passed, ${failed} failed`);
  return { text: `${lines.join('\n')}\n`, failed };
}
