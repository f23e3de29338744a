// `orka policy replay`: a candidate policy against live objects, before it is enforced (DESIGN §4
// "Offline and rollout"). Each object goes through the same admission chain the webhook runs, as
// if it were written now, with only the candidate policy: a Task's requester is its
// `spec.requestedBy`, its Agent and Namespace are the live ones, so per-namespace action overrides
// apply as they would in admission. Pure: the objects are gathered by collect.ts.
import type { CompiledPolicy } from '../admission-policy/types.ts';
import { requesterOf } from '../chain/activation.ts';
import { admit } from '../chain/admit.ts';
import type { PolicyConfig } from '../chain/config.ts';
import type { KubeObject } from '../chain/request.ts';
import { orkaResources } from '../chain/resource-model.ts';
import type { Operation } from '../match/resource-rules.ts';
import { DEFAULT_GROUPS, DEFAULT_USER, offlineAdmissionInput } from '../offline/request.ts';

export interface ReplayObject {
  object: KubeObject;
  /** the Agent a Task references, looked up live; null when missing or not a Task */
  agent: KubeObject | null;
  namespaceObject: KubeObject | null;
  /** params objects by `<namespace>/<name>` */
  params: ReadonlyMap<string, KubeObject>;
}

export type ReplayAction = 'deny' | 'warn' | 'audit';

export interface ReplayFinding {
  namespace: string;
  name: string;
  kind: string;
  action: ReplayAction;
  message: string;
}

export interface NamespaceTally {
  objects: number;
  matched: number;
  /** objects with at least one finding of that action */
  denied: number;
  warned: number;
  audited: number;
  /** objects whose evaluation hit an expression error (a denial under failurePolicy Fail) */
  errors: number;
}

export interface ReplayReport {
  policy: string;
  /** sorted by namespace, kind, name */
  findings: ReplayFinding[];
  namespaces: Map<string, NamespaceTally>;
  total: NamespaceTally;
}

export interface ReplayOptions {
  config: PolicyConfig;
  /** CREATE (as if each object were created now) or UPDATE (an update that changes nothing) */
  operation: Extract<Operation, 'CREATE' | 'UPDATE'>;
}

const emptyTally = (): NamespaceTally => ({
  objects: 0,
  matched: 0,
  denied: 0,
  warned: 0,
  audited: 0,
  errors: 0,
});

const text = (value: unknown) => (typeof value === 'string' ? value : '');

function auditMessages(value: string | undefined): string[] {
  if (value === undefined) return [];
  const entries = JSON.parse(value) as { message?: unknown }[];
  return entries.map((entry) => text(entry.message));
}

/** The candidate's findings for one object, and whether it matched or errored. */
export function replayOne(
  candidate: CompiledPolicy,
  item: ReplayObject,
  options: ReplayOptions,
): { findings: ReplayFinding[]; matched: boolean; error: boolean } {
  const { object } = item;
  const metadata = (object.metadata ?? {}) as { name?: unknown; namespace?: unknown };
  const isTask = object.kind === 'Task';
  const requester = isTask
    ? requesterOf(object, { username: DEFAULT_USER, groups: DEFAULT_GROUPS })
    : { username: DEFAULT_USER, groups: DEFAULT_GROUPS };
  const input = offlineAdmissionInput({
    object,
    ...(options.operation === 'UPDATE' ? { oldObject: object } : {}),
    operation: options.operation,
    user: requester.username,
    groups: requester.groups,
  });
  const decision = admit(input, {
    config: options.config,
    agent: item.agent,
    namespaceObject: item.namespaceObject,
    lookupParams: (ref, namespace) => item.params.get(`${namespace}/${ref.name}`),
    policies: { builtin: [], custom: [candidate] },
    resources: orkaResources,
  });
  const where = {
    namespace: input.namespace,
    name: text(metadata.name),
    kind: text(object.kind),
  };
  const prefix = `${candidate.name}: `;
  const findings: ReplayFinding[] = [
    ...decision.denials
      .filter((denial) => denial.policy === candidate.name)
      .map((denial) => ({ ...where, action: 'deny' as const, message: denial.message })),
    ...decision.warnings
      .filter((warning) => warning.startsWith(prefix))
      .map((warning) => ({
        ...where,
        action: 'warn' as const,
        message: warning.slice(prefix.length),
      })),
    ...auditMessages(decision.auditAnnotations[`${candidate.name}/validation_failure`]).map(
      (message) => ({ ...where, action: 'audit' as const, message }),
    ),
  ];
  const result = decision.results.find((entry) => entry.policy === candidate.name);
  return { findings, matched: result !== undefined, error: result?.result === 'error' };
}

const compareFindings = (a: ReplayFinding, b: ReplayFinding) =>
  a.namespace.localeCompare(b.namespace) ||
  a.kind.localeCompare(b.kind) ||
  a.name.localeCompare(b.name);

export function replayPolicy(
  candidate: CompiledPolicy,
  objects: readonly ReplayObject[],
  options: ReplayOptions,
): ReplayReport {
  const findings: ReplayFinding[] = [];
  const namespaces = new Map<string, NamespaceTally>();
  const total = emptyTally();
  for (const item of objects) {
    const outcome = replayOne(candidate, item, options);
    const namespace = text((item.object.metadata as { namespace?: unknown })?.namespace);
    let tally = namespaces.get(namespace);
    if (!tally) {
      tally = emptyTally();
      namespaces.set(namespace, tally);
    }
    const has = (action: ReplayAction) => outcome.findings.some((f) => f.action === action);
    for (const counts of [tally, total]) {
      counts.objects++;
      if (outcome.matched) counts.matched++;
      if (outcome.error) counts.errors++;
      if (has('deny')) counts.denied++;
      if (has('warn')) counts.warned++;
      if (has('audit')) counts.audited++;
    }
    findings.push(...outcome.findings);
  }
  findings.sort(compareFindings);
  const sorted = new Map([...namespaces].sort(([a], [b]) => a.localeCompare(b)));
  return { policy: candidate.name, findings, namespaces: sorted, total };
}
