// `orka policy test [PATH]...`: runs policy test suites (README "Policy test suites"); one line
// per case, a summary line, exit 1 on any mismatch. With --cluster, suites and manifests run
// against the policies deployed in the cluster instead of the suites' own (policy/testing/cluster.ts).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { denialMessage } from '../policy/chain/admit.ts';
import type { KubeObject } from '../policy/chain/request.ts';
import { readDocuments } from '../policy/loading.ts';
import { DEFAULT_GROUPS, DEFAULT_USER } from '../policy/offline/request.ts';
import { clientNodeReader } from '../policy/replay/reader.ts';
import {
  caseSubjects,
  evaluateManifest,
  loadDeployedPolicies,
  prefetchLiveObjects,
  subjectNamespace,
} from '../policy/testing/cluster.ts';
import { readSuite, runCase, runSuite } from '../policy/testing/suite.ts';
import type { CommandContext } from './commands.ts';
import { UsageError } from './flags.ts';
import { requireKubeConfig } from './policy-replay.ts';

const SUITE_FILE = /\.test\.ya?ml$/;

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    throw new UsageError(`${path}: no such file or folder`);
  }
}

function suitesUnder(path: string): string[] {
  return readdirSync(path, { recursive: true, encoding: 'utf8' })
    .filter((entry) => SUITE_FILE.test(entry))
    .sort()
    .map((entry) => join(path, entry));
}

function suiteFiles(paths: readonly string[]): string[] {
  return paths.flatMap((path) => (isDirectory(path) ? suitesUnder(path) : [path]));
}

class Tally {
  passed = 0;
  failed = 0;
  constructor(private readonly stdout: NodeJS.WritableStream) {}

  pass(line: string): void {
    this.passed++;
    this.stdout.write(`${line}\n`);
  }

  fail(line: string): void {
    this.failed++;
    this.stdout.write(`${line}\n`);
  }

  finish(): number {
    this.stdout.write(
      `${this.passed + this.failed} cases, ${this.passed} passed, ${this.failed} failed\n`,
    );
    return this.failed === 0 ? 0 : 1;
  }
}

export async function runPolicyTest(context: CommandContext): Promise<number> {
  if (context.values.cluster === true) return runAgainstCluster(context);
  const { values, positionals, stdout } = context;
  const files = suiteFiles(positionals.length > 0 ? positionals : ['.']);
  if (files.length === 0) throw new UsageError('no suite files (*.test.yaml) found');
  const tally = new Tally(stdout);
  for (const file of files) {
    const suite = readSuite(file);
    for (const result of runSuite(suite, values)) {
      if (result.passed) tally.pass(`PASS ${file}: ${result.name}`);
      else tally.fail(`FAIL ${file}: ${result.name}: ${result.mismatches.join('; ')}`);
    }
  }
  return tally.finish();
}

function manifestDocuments(file: string): KubeObject[] {
  return readDocuments(file).map((document, i) => {
    const kind = (document as { kind?: unknown } | null)?.kind;
    if (typeof document !== 'object' || document === null || typeof kind !== 'string') {
      throw new UsageError(`${file}: document ${i + 1} is not a Kubernetes object with a kind`);
    }
    return document as KubeObject;
  });
}

/**
 * Suites (*.test.yaml, folders expand to them) keep their cases and expectations but run against
 * the deployed policies and the controller flags given here, not their own policies and flags;
 * any other file is a manifest whose documents must each be admitted.
 */
async function runAgainstCluster({
  values,
  positionals,
  stdout,
  stderr,
  env,
}: CommandContext): Promise<number> {
  if (positionals.length === 0)
    throw new UsageError('--cluster needs suite files, folders or manifests to test');
  const suites: string[] = [];
  const manifests: string[] = [];
  for (const path of positionals) {
    if (isDirectory(path)) suites.push(...suitesUnder(path));
    else (SUITE_FILE.test(path) ? suites : manifests).push(path);
  }
  if (suites.length + manifests.length === 0)
    throw new UsageError('no suite files (*.test.yaml) or manifests found');
  const reader = clientNodeReader(requireKubeConfig(values.kubeconfig as string, env));
  const { setup, refused } = await loadDeployedPolicies(reader, values);
  for (const { name, errors } of refused) {
    stderr.write(
      `orka policy test: cluster AdmissionPolicy "${name}" does not compile and is left out, as the webhook leaves it out: ${errors.join('; ')}\n`,
    );
  }
  stderr.write(
    `orka policy test: against the cluster: ${setup.policies.builtin.length} built-in and ${setup.policies.custom.length} custom policies\n`,
  );
  const tally = new Tally(stdout);
  for (const file of suites) {
    const suite = readSuite(file);
    const live = await prefetchLiveObjects(reader, setup, caseSubjects(suite.cases));
    for (const testCase of suite.cases) {
      const result = runCase(setup, testCase, live);
      if (result.passed) tally.pass(`PASS ${file}: ${result.name}`);
      else tally.fail(`FAIL ${file}: ${result.name}: ${result.mismatches.join('; ')}`);
    }
  }
  const user = { username: DEFAULT_USER, groups: DEFAULT_GROUPS };
  for (const file of manifests) {
    const objects = manifestDocuments(file);
    const subjects = objects.map((object) => ({ object, namespace: subjectNamespace(object) }));
    const live = await prefetchLiveObjects(reader, setup, subjects, objects);
    for (const { object, namespace } of subjects) {
      const decision = evaluateManifest(setup, object, live, user);
      const name = (object.metadata as { name?: unknown } | undefined)?.name;
      const where = `${file}: ${String(object.kind)} ${namespace}/${String(name ?? '')}`;
      const warnings = decision.warnings.map((warning) => `\n  warn: ${warning}`).join('');
      if (decision.allowed) tally.pass(`ALLOWED ${where}${warnings}`);
      else tally.fail(`DENIED ${where}: ${denialMessage(decision)}${warnings}`);
    }
  }
  return tally.finish();
}
