// Policy test suites (`orka policy test`, format in README "Policy test suites"): YAML naming the
// policies under test and cases with the request and the expected outcome. Each case runs through
// the full offline admission chain.
import { dirname, resolve } from 'node:path';
import type { AdmissionDecision } from '../chain/admit.ts';
import type { KubeObject } from '../chain/request.ts';
import { readDocuments } from '../loading.ts';
import type { Operation } from '../match/resource-rules.ts';
import { evaluateOffline, loadOfflinePolicies, type OfflinePolicies } from '../offline/evaluate.ts';

export class SuiteFormatError extends Error {
  override name = 'SuiteFormatError';
}

export interface Expectation {
  allowed: boolean;
  /** substrings that must each appear in some `<policy>: <message>` denial */
  denials?: string[];
  /** substrings that must each appear in some warning */
  warnings?: string[];
  /** operations that must each appear in the applied patch */
  patch?: unknown[];
  /** audit annotations that must be present with these values */
  auditAnnotations?: Record<string, string>;
}

export interface SuiteCase {
  name: string;
  operation?: Operation;
  user?: string;
  groups?: string[];
  namespace?: string;
  namespaceLabels?: Record<string, string>;
  agent?: KubeObject;
  params?: KubeObject;
  object: KubeObject;
  oldObject?: KubeObject;
  expect: Expectation;
}

export interface Suite {
  file: string;
  policies: string[];
  builtin: boolean;
  flags: Record<string, unknown>;
  cases: SuiteCase[];
}

export interface CaseResult {
  name: string;
  passed: boolean;
  /** why the case failed; empty when it passed */
  mismatches: string[];
}

const SUITE_KEYS = ['policies', 'builtin', 'flags', 'cases'];
const CASE_KEYS = [
  'name',
  'operation',
  'user',
  'groups',
  'namespace',
  'namespaceLabels',
  'agent',
  'params',
  'object',
  'oldObject',
  'expect',
];
const EXPECT_KEYS = ['allowed', 'denials', 'warnings', 'patch', 'auditAnnotations'];

const isMap = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function checkKeys(value: Record<string, unknown>, allowed: string[], where: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key))
      throw new SuiteFormatError(
        `${where}: unknown field "${key}" (expected one of ${allowed.join(', ')})`,
      );
  }
}

function stringList(value: unknown, where: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    throw new SuiteFormatError(`${where}: must be a list of strings`);
  }
  return value as string[];
}

function parseCase(raw: unknown, where: string): SuiteCase {
  if (!isMap(raw)) throw new SuiteFormatError(`${where}: must be a map`);
  checkKeys(raw, CASE_KEYS, where);
  if (typeof raw.name !== 'string' || raw.name === '')
    throw new SuiteFormatError(`${where}.name: required`);
  const at = `${where} (${raw.name})`;
  if (!isMap(raw.object)) throw new SuiteFormatError(`${at}.object: required, a Kubernetes object`);
  if (!isMap(raw.expect)) throw new SuiteFormatError(`${at}.expect: required`);
  checkKeys(raw.expect, EXPECT_KEYS, `${at}.expect`);
  if (typeof raw.expect.allowed !== 'boolean')
    throw new SuiteFormatError(`${at}.expect.allowed: required, true or false`);
  if (
    raw.operation !== undefined &&
    !['CREATE', 'UPDATE', 'DELETE'].includes(raw.operation as string)
  ) {
    throw new SuiteFormatError(`${at}.operation: must be CREATE, UPDATE or DELETE`);
  }
  for (const field of ['agent', 'params', 'oldObject', 'namespaceLabels'] as const) {
    if (raw[field] !== undefined && !isMap(raw[field]))
      throw new SuiteFormatError(`${at}.${field}: must be a map`);
  }
  if (raw.expect.patch !== undefined && !Array.isArray(raw.expect.patch)) {
    throw new SuiteFormatError(`${at}.expect.patch: must be a list of JSON patch operations`);
  }
  if (raw.expect.auditAnnotations !== undefined && !isMap(raw.expect.auditAnnotations)) {
    throw new SuiteFormatError(`${at}.expect.auditAnnotations: must be a map`);
  }
  const expect: Expectation = { allowed: raw.expect.allowed };
  const denials = stringList(raw.expect.denials, `${at}.expect.denials`);
  const warnings = stringList(raw.expect.warnings, `${at}.expect.warnings`);
  if (denials) expect.denials = denials;
  if (warnings) expect.warnings = warnings;
  if (raw.expect.patch) expect.patch = raw.expect.patch as unknown[];
  if (raw.expect.auditAnnotations)
    expect.auditAnnotations = raw.expect.auditAnnotations as Record<string, string>;
  const groups = stringList(raw.groups, `${at}.groups`);
  return {
    name: raw.name,
    object: raw.object,
    expect,
    ...(raw.operation ? { operation: raw.operation as Operation } : {}),
    ...(typeof raw.user === 'string' ? { user: raw.user } : {}),
    ...(groups ? { groups } : {}),
    ...(typeof raw.namespace === 'string' ? { namespace: raw.namespace } : {}),
    ...(raw.namespaceLabels
      ? { namespaceLabels: raw.namespaceLabels as Record<string, string> }
      : {}),
    ...(raw.agent ? { agent: raw.agent as KubeObject } : {}),
    ...(raw.params ? { params: raw.params as KubeObject } : {}),
    ...(raw.oldObject ? { oldObject: raw.oldObject as KubeObject } : {}),
  };
}

export function readSuite(file: string): Suite {
  const documents = readDocuments(file);
  if (documents.length !== 1 || !isMap(documents[0])) {
    throw new SuiteFormatError(`${file}: a suite is one YAML map with policies and cases`);
  }
  const raw = documents[0];
  checkKeys(raw, SUITE_KEYS, file);
  const policies = stringList(raw.policies, `${file}: policies`) ?? [];
  if (raw.builtin !== undefined && typeof raw.builtin !== 'boolean')
    throw new SuiteFormatError(`${file}: builtin must be true or false`);
  if (raw.flags !== undefined && !isMap(raw.flags))
    throw new SuiteFormatError(`${file}: flags must be a map of controller flag names to values`);
  if (!Array.isArray(raw.cases) || raw.cases.length === 0)
    throw new SuiteFormatError(`${file}: cases: at least one case is required`);
  return {
    file,
    policies: policies.map((path) => resolve(dirname(file), path)),
    builtin: raw.builtin ?? true,
    flags: raw.flags ?? {},
    cases: raw.cases.map((item, i) => parseCase(item, `${file}: cases[${i}]`)),
  };
}

function includesOperation(patch: readonly unknown[], wanted: unknown): boolean {
  const text = JSON.stringify(wanted, Object.keys(wanted as object).sort());
  return patch.some(
    (operation) => JSON.stringify(operation, Object.keys(operation as object).sort()) === text,
  );
}

/** Why a decision does not meet an expectation (empty when it does). */
export function mismatches(decision: AdmissionDecision, expect: Expectation): string[] {
  const problems: string[] = [];
  const denials = decision.denials.map((d) => `${d.policy}: ${d.message}`);
  if (decision.allowed !== expect.allowed) {
    problems.push(
      expect.allowed
        ? `expected allowed, was denied: ${denials.join('; ')}`
        : 'expected denied, was allowed',
    );
  }
  for (const wanted of expect.denials ?? []) {
    if (!denials.some((d) => d.includes(wanted)))
      problems.push(`no denial contains "${wanted}" (got: ${denials.join('; ') || 'none'})`);
  }
  for (const wanted of expect.warnings ?? []) {
    if (!decision.warnings.some((w) => w.includes(wanted))) {
      problems.push(
        `no warning contains "${wanted}" (got: ${decision.warnings.join('; ') || 'none'})`,
      );
    }
  }
  const patch = JSON.parse(
    JSON.stringify(decision.patch, (_, v) => (typeof v === 'bigint' ? Number(v) : v)),
  );
  for (const wanted of expect.patch ?? []) {
    if (!isMap(wanted) || !includesOperation(patch, wanted))
      problems.push(`patch lacks ${JSON.stringify(wanted)}`);
  }
  for (const [key, value] of Object.entries(expect.auditAnnotations ?? {})) {
    if (decision.auditAnnotations[key] !== value) {
      problems.push(
        `audit annotation ${key} is ${JSON.stringify(decision.auditAnnotations[key] ?? null)}, expected ${JSON.stringify(value)}`,
      );
    }
  }
  return problems;
}

/** Agents and Namespaces from a cluster, for cases that do not bring their own (`--cluster`). */
export interface LiveObjects {
  agent(namespace: string, name: string): KubeObject | null;
  namespace(name: string): KubeObject | null;
  /** the ConfigMap a paramRef names */
  params(namespace: string, name: string): KubeObject | null;
}

function liveAgentOf(testCase: SuiteCase, live: LiveObjects): KubeObject | null {
  const ref = (testCase.object.spec as { agentRef?: { name?: unknown; namespace?: unknown } })
    ?.agentRef;
  if (testCase.object.kind !== 'Task' || typeof ref?.name !== 'string') return null;
  const meta = (testCase.object.metadata ?? {}) as { namespace?: string };
  const namespace =
    (typeof ref.namespace === 'string' && ref.namespace) ||
    testCase.namespace ||
    meta.namespace ||
    'default';
  return live.agent(namespace, ref.name);
}

function namespaceObjectOf(testCase: SuiteCase, live?: LiveObjects): KubeObject | null {
  if (!testCase.namespaceLabels) {
    if (!live) return null;
    const meta = (testCase.object.metadata ?? {}) as { namespace?: string };
    return live.namespace(testCase.namespace || meta.namespace || 'default');
  }
  const meta = (testCase.object.metadata ?? {}) as { namespace?: string };
  const name = testCase.namespace ?? meta.namespace ?? 'default';
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels: testCase.namespaceLabels },
  };
}

/** One case through the chain; with `live`, a case without agent or namespaceLabels uses the cluster's. */
export function runCase(
  setup: OfflinePolicies,
  testCase: SuiteCase,
  live?: LiveObjects,
): CaseResult {
  const decision = evaluateOffline(setup, {
    object: testCase.object,
    oldObject: testCase.oldObject ?? null,
    ...(testCase.operation ? { operation: testCase.operation } : {}),
    ...(testCase.namespace ? { namespace: testCase.namespace } : {}),
    ...(testCase.user ? { user: testCase.user } : {}),
    ...(testCase.groups ? { groups: testCase.groups } : {}),
    agent: testCase.agent ?? (live ? liveAgentOf(testCase, live) : null),
    namespaceObject: namespaceObjectOf(testCase, live),
    paramObject: testCase.params ?? null,
    ...(live && !testCase.params
      ? { lookupParams: (ref, namespace) => live.params(namespace, ref.name) ?? undefined }
      : {}),
  });
  const problems = mismatches(decision, testCase.expect);
  return { name: testCase.name, passed: problems.length === 0, mismatches: problems };
}

/** Runs every case of a suite against its policies, with `flags` over the suite's own flags. */
export function runSuite(suite: Suite, flags: Readonly<Record<string, unknown>>): CaseResult[] {
  const setup = loadOfflinePolicies({
    flags: { ...flags, ...suite.flags },
    paths: suite.policies,
    builtin: suite.builtin,
  });
  return suite.cases.map((testCase) => runCase(setup, testCase));
}
