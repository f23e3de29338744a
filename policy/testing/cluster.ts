// `orka policy test --cluster`: suites and manifests against the policies DEPLOYED in a cluster
// (policy-anchors §3 #15) — the built-ins the given controller flags switch on plus the cluster's
// AdmissionPolicy objects, refused ones left out as the webhook leaves them out — with Agents and
// Namespaces looked up live where a case or manifest does not bring its own.
import { admitPolicy } from '../admission-policy/admit-policy.ts';
import { compilePolicy, type ExpressionCompiler } from '../admission-policy/compile.ts';
import { createExpressionCompiler } from '../admission-policy/expression-compiler.ts';
import type { CompiledPolicy } from '../admission-policy/types.ts';
import { compileBuiltins, enabledBuiltins } from '../builtin/index.ts';
import type { AdmissionDecision } from '../chain/admit.ts';
import { policyConfigFromFlags } from '../chain/config.ts';
import type { KubeObject } from '../chain/request.ts';
import { evaluateOffline, type OfflinePolicies } from '../offline/evaluate.ts';
import type { ClusterReader } from '../replay/reader.ts';
import type { LiveObjects, SuiteCase } from './suite.ts';

export interface DeployedPolicies {
  setup: OfflinePolicies;
  /** cluster AdmissionPolicies that do not compile: the webhook skips them too */
  refused: { name: string; errors: string[] }[];
}

const text = (value: unknown) => (typeof value === 'string' ? value : '');
const metadataOf = (object: KubeObject | undefined) =>
  (object?.metadata ?? {}) as { name?: unknown; namespace?: unknown };

export async function loadDeployedPolicies(
  reader: ClusterReader,
  flags: Readonly<Record<string, unknown>>,
  compiler: ExpressionCompiler = createExpressionCompiler(),
): Promise<DeployedPolicies> {
  const config = policyConfigFromFlags(flags);
  const builtin = enabledBuiltins(compileBuiltins(compiler), config);
  const custom: CompiledPolicy[] = [];
  const refused: DeployedPolicies['refused'] = [];
  for (const document of await reader.admissionPolicies()) {
    const verdict = admitPolicy(document, compiler);
    if (!verdict.allowed) {
      refused.push({ name: text(metadataOf(document).name), errors: verdict.errors });
      continue;
    }
    custom.push(compilePolicy(document, compiler));
  }
  return { setup: { config, policies: { builtin, custom }, compiler }, refused };
}

/** The Agent a Task references, as `<namespace>/<name>`; undefined when it names none. */
function agentKey(object: KubeObject, namespace: string): string | undefined {
  if (object.kind !== 'Task') return undefined;
  const ref = (object.spec as { agentRef?: { name?: unknown; namespace?: unknown } } | undefined)
    ?.agentRef;
  const name = text(ref?.name);
  return name === '' ? undefined : `${text(ref?.namespace) || namespace}/${name}`;
}

export interface Subject {
  object: KubeObject;
  /** the request namespace (a case's `namespace`, else the object's, else `default`) */
  namespace: string;
}

export const subjectNamespace = (object: KubeObject, given?: string) =>
  given || text(metadataOf(object).namespace) || 'default';

/**
 * Reads, once each, the Namespaces and Agents a set of objects needs; Agents among `local` (e.g.
 * in the same manifest files, as one `kubectl apply` would create them) win over live ones.
 */
export async function prefetchLiveObjects(
  reader: ClusterReader,
  setup: OfflinePolicies,
  subjects: readonly Subject[],
  local: readonly KubeObject[] = [],
): Promise<LiveObjects> {
  const paramRefs = setup.policies.custom.flatMap((policy) =>
    policy.params && 'ref' in policy.params ? [policy.params.ref] : [],
  );
  const configMaps = new Map<string, KubeObject | null>();
  const agents = new Map<string, KubeObject | null>();
  for (const object of local) {
    if (object.kind === 'Agent') {
      const metadata = metadataOf(object);
      agents.set(`${subjectNamespace(object)}/${text(metadata.name)}`, object);
    }
  }
  const namespaces = new Map<string, KubeObject | null>();
  const reads: Promise<void>[] = [];
  for (const { object, namespace } of subjects) {
    if (!namespaces.has(namespace)) {
      namespaces.set(namespace, null);
      reads.push(
        reader.namespace(namespace).then((found) => void namespaces.set(namespace, found)),
      );
    }
    for (const ref of paramRefs) {
      const key = `${ref.namespace ?? namespace}/${ref.name}`;
      if (configMaps.has(key)) continue;
      configMaps.set(key, null);
      reads.push(
        reader
          .configMap(ref.namespace ?? namespace, ref.name)
          .then((found) => void configMaps.set(key, found)),
      );
    }
    const key = agentKey(object, namespace);
    if (key !== undefined && !agents.has(key)) {
      agents.set(key, null);
      const at = key.indexOf('/');
      reads.push(
        reader
          .agent(key.slice(0, at), key.slice(at + 1))
          .then((found) => void agents.set(key, found)),
      );
    }
  }
  await Promise.all(reads);
  return {
    agent: (namespace, name) => agents.get(`${namespace}/${name}`) ?? null,
    namespace: (name) => namespaces.get(name) ?? null,
    params: (namespace, name) => configMaps.get(`${namespace}/${name}`) ?? null,
  };
}

/** The subjects of suite cases, for prefetching. */
export const caseSubjects = (cases: readonly SuiteCase[]): Subject[] =>
  cases.map((testCase) => ({
    object: testCase.object,
    namespace: subjectNamespace(testCase.object, testCase.namespace),
  }));

/** One manifest through the deployed chain, created by `user` as `kubectl apply` would. */
export function evaluateManifest(
  setup: OfflinePolicies,
  object: KubeObject,
  live: LiveObjects,
  user: { username: string; groups: string[] },
): AdmissionDecision {
  const namespace = subjectNamespace(object);
  const key = agentKey(object, namespace);
  const at = key?.indexOf('/') ?? -1;
  return evaluateOffline(setup, {
    object,
    namespace,
    user: user.username,
    groups: user.groups,
    agent: key === undefined ? null : live.agent(key.slice(0, at), key.slice(at + 1)),
    namespaceObject: live.namespace(namespace),
    lookupParams: (ref, at) => live.params(at, ref.name) ?? undefined,
  });
}
