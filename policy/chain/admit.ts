// The full admission chain of DESIGN §4 for one request, in the apiserver's order: CRD defaulting,
// mutations (built-in, then custom policies by name, then requester stamping on CREATE), schema
// validation, validations (built-in, then custom by name; skipped when the schema failed, as the
// apiserver never calls validating webhooks then). Every failing validation is reported;
// the first denial's reason sets the HTTP code. Dry-run requests get the same decision.
import { changedProvenanceFields, type ManagedKeys } from '../admission-policy/provenance.ts';
import type { Activation, CompiledPolicy } from '../admission-policy/types.ts';
import { type CelBudget, createCelBudget } from '../cel/engine.ts';
import { stringifyJsonPreservingIntegers } from '../cel/json.ts';
import { mutateWithPolicy, type PatchGuard } from '../evaluate/mutate.ts';
import {
  type Denial,
  emptyOutcome,
  mergeOutcome,
  type PolicyOutcome,
  type PolicyResult,
} from '../evaluate/outcome.ts';
import {
  type ParamsLookup,
  type PolicyEvaluation,
  validateWithPolicyInto,
} from '../evaluate/policy.ts';
import type { PolicyTracer } from '../evaluate/trace.ts';
import type { PatchOperation } from '../json-patch/apply.ts';
import { isTask, requestActivations } from './activation.ts';
import type { PolicyConfig } from './config.ts';
import { diffPatch } from './diff.ts';
import { applyNamespaceOverrides } from './overrides.ts';
import type { AdmissionInput, KubeObject } from './request.ts';
import type { ResourceModel } from './resource-model.ts';
import { statusCodeOf } from './status-codes.ts';

export interface PolicySet {
  /** in their fixed order */
  builtin: CompiledPolicy[];
  /** evaluated by name */
  custom: CompiledPolicy[];
}

export interface AdmissionContext {
  config: PolicyConfig;
  /** the Agent a Task references; null when it is unknown (or the object is not a Task) */
  agent: KubeObject | null;
  namespaceObject: KubeObject | null;
  lookupParams?: ParamsLookup;
  policies: PolicySet;
  resources: ResourceModel;
  /** the request-wide step budget; a fresh default budget when absent */
  budget?: CelBudget;
  /** explain mode (opt-in): told what the validate phase found out about each policy */
  tracer?: PolicyTracer;
  /**
   * false: the decision's patch is left empty, for a caller that has no use for it (a validating
   * webhook answers without one), so what defaulting changed is not worked out
   */
  reportPatch?: boolean;
}

export interface AdmissionDecision {
  allowed: boolean;
  denials: Denial[];
  /** `<policy>: <message>` */
  warnings: string[];
  /** `<policy>/<key>` → value */
  auditAnnotations: Record<string, string>;
  /**
   * every operation applied to the object: defaults, policy mutations, requester stamp; empty
   * when the context asked for no patch
   */
  patch: PatchOperation[];
  /** HTTP status: 200 when allowed, else from the first denial's reason */
  code: number;
  /** the object as admitted (after defaulting and mutations); null on DELETE */
  object: KubeObject | null;
  /** how each policy that matched fared in the validate phase */
  results: PolicyResult[];
}

const byName = (a: CompiledPolicy, b: CompiledPolicy) =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : 0;

/** The policies by name; the list itself when it is in order already (PolicyStore keeps it so). */
function sortedByName(policies: readonly CompiledPolicy[]): readonly CompiledPolicy[] {
  for (let i = 1; i < policies.length; i++) {
    if (byName(policies[i - 1]!, policies[i]!) > 0) return [...policies].sort(byName);
  }
  return policies;
}

/** Custom policies never see AdmissionPolicies nor the controller's own writes. */
function customPoliciesApply(input: AdmissionInput, config: PolicyConfig): boolean {
  if (input.kind.group === 'policy.orka.ai' && input.kind.kind === 'AdmissionPolicy') return false;
  if (input.subResource === 'status') return false;
  if (input.operation === 'UPDATE' && input.userInfo.username === config.controllerUsername) {
    const strip = (object: KubeObject | null) => {
      const { finalizers: _, ...metadata } = (object?.metadata ?? {}) as Record<string, unknown>;
      return stringifyJsonPreservingIntegers({ ...object, metadata });
    };
    if (strip(input.object) === strip(input.oldObject)) return false;
  }
  return true;
}

/** Refuses a custom mutation that changes a provenance field. One per set of managed keys. */
const provenanceGuards = new WeakMap<ManagedKeys, PatchGuard>();

function provenanceGuard(managedKeys: ManagedKeys): PatchGuard {
  let guard = provenanceGuards.get(managedKeys);
  if (guard === undefined) {
    guard = (before, after) => {
      const changed = changedProvenanceFields(before, after, managedKeys);
      return changed.length > 0
        ? `custom mutations may not change provenance fields: ${changed.join(', ')}`
        : undefined;
    };
    provenanceGuards.set(managedKeys, guard);
  }
  return guard;
}

/**
 * The request as each policy sees it at one point of the chain. A class, not an object literal
 * with a getter: a literal's getter is a new accessor on every request, so every evaluation
 * would get a map of its own and each of the policies' reads of it would miss V8's caches.
 */
class RequestEvaluation implements PolicyEvaluation {
  readonly input: AdmissionInput;
  readonly namespaceObject: KubeObject | null;
  readonly lookupParams: ParamsLookup | undefined;
  tracer?: PolicyTracer;
  constructor(
    input: AdmissionInput,
    private readonly current: KubeObject | null,
    private readonly activationFor: (object: KubeObject | null) => Activation,
    context: AdmissionContext,
    readonly budget: CelBudget,
  ) {
    this.input = { ...input, object: current };
    this.namespaceObject = context.namespaceObject;
    this.lookupParams = context.lookupParams;
  }

  /** built when a policy first binds it: /mutate's view of most requests never does */
  get activation(): Activation {
    return this.activationFor(this.current);
  }
}

function unknownAgentWarning(input: AdmissionInput, object: KubeObject | null): string | undefined {
  const agentRef = (
    object?.spec as { agentRef?: { name?: unknown; namespace?: unknown } } | undefined
  )?.agentRef;
  if (!agentRef || typeof agentRef.name !== 'string') return undefined;
  const namespace =
    typeof agentRef.namespace === 'string' && agentRef.namespace !== ''
      ? agentRef.namespace
      : input.namespace;
  return `orka-task-semantics: agent "${agentRef.name}" not found in namespace "${namespace}"`;
}

export function admit(input: AdmissionInput, context: AdmissionContext): AdmissionDecision {
  const budget = context.budget ?? createCelBudget();
  const { config, resources, tracer } = context;
  const customApply = customPoliciesApply(input, config);
  const custom = customApply ? sortedByName(context.policies.custom) : [];
  const ordered = [...context.policies.builtin, ...custom];
  const reportPatch = context.reportPatch !== false;
  const patch: PatchOperation[] = [];
  const mutationOutcome = emptyOutcome();
  let object = input.object;
  const mutating =
    object !== null && (input.operation === 'CREATE' || input.operation === 'UPDATE');
  const orka = object !== null && resources.isOrkaResource(object);

  // the object as defaulting left it: validation need not default it again while it is unchanged
  let defaulted: KubeObject | undefined;
  if (mutating && object !== null && orka && input.subResource === '') {
    defaulted = resources.applyDefaults(object);
    if (reportPatch) patch.push(...diffPatch(object, defaulted));
    object = defaulted;
  }

  const activationFor = requestActivations({
    input,
    agent: context.agent,
    namespaceObject: context.namespaceObject,
    config,
    resources,
  });

  if (mutating && object !== null) {
    for (const policy of ordered) {
      // a policy without mutations changes nothing in this phase
      if (policy.mutations.length === 0) continue;
      const step = mutateWithPolicy(
        policy,
        object,
        (current) => new RequestEvaluation(input, current, activationFor, context, budget),
        policy.builtin ? undefined : provenanceGuard(resources.managedKeys),
      );
      object = step.object;
      if (reportPatch) patch.push(...step.patch);
      mergeOutcome(mutationOutcome, step.outcome);
    }
    if (isTask(input) && input.operation === 'CREATE' && input.subResource === '') {
      const spec = object.spec;
      if (typeof spec === 'object' && spec !== null && !Object.hasOwn(spec, 'requestedBy')) {
        const stamp: PatchOperation = {
          op: 'add',
          path: '/spec/requestedBy',
          value: { username: input.userInfo.username, groups: [...input.userInfo.groups] },
        };
        object = { ...object, spec: { ...spec, requestedBy: stamp.value } };
        if (reportPatch) patch.push(stamp);
      }
    }
  }

  const schemaDenials: Denial[] =
    mutating && object !== null && orka && input.subResource === ''
      ? resources.validate(object, input.oldObject, object === defaulted).map((message) => ({
          policy: 'schema',
          message,
          reason: 'Invalid',
        }))
      : [];

  // The apiserver calls validating webhooks only for objects that passed the schema, so a schema
  // failure is the whole answer (never repeated in the words of a semantics policy).
  const validation: PolicyOutcome = emptyOutcome();
  if (schemaDenials.length === 0) {
    const evaluation = new RequestEvaluation(input, object, activationFor, context, budget);
    if (tracer) evaluation.tracer = tracer;
    const acting = applyNamespaceOverrides(
      context.policies.builtin,
      custom,
      context.namespaceObject,
    );
    validation.warnings.push(...acting.warnings);
    for (const policy of acting.builtin) validateWithPolicyInto(validation, policy, evaluation);
    for (const policy of acting.custom) validateWithPolicyInto(validation, policy, evaluation);
    if (tracer && !customApply) traceExcludedCustomPolicies(tracer, context.policies.custom);

    if (
      isTask(input) &&
      mutating &&
      context.agent === null &&
      context.policies.builtin.length > 0
    ) {
      const warning = unknownAgentWarning(input, object);
      if (warning) validation.warnings.push(warning);
    }
  }

  const denials = [...schemaDenials, ...mutationOutcome.denials, ...validation.denials];
  const auditAnnotations = { ...validation.auditAnnotations };
  for (const [key, value] of Object.entries(mutationOutcome.auditAnnotations))
    auditAnnotations[key] ??= value;
  return {
    allowed: denials.length === 0,
    denials,
    warnings: [...mutationOutcome.warnings, ...validation.warnings],
    auditAnnotations,
    patch,
    code: denials.length === 0 ? 200 : statusCodeOf(denials[0]!.reason),
    object,
    results: validation.results,
  };
}

function traceExcludedCustomPolicies(tracer: PolicyTracer, policies: readonly CompiledPolicy[]) {
  for (const policy of [...policies].sort(byName)) {
    tracer.record({
      policy: policy.name,
      builtin: false,
      matched: false,
      skippedBy: {
        constraint: 'customPoliciesExcluded',
        detail:
          'custom policies never see AdmissionPolicies, status writes or the controller’s own finalizer updates',
      },
      failurePolicy: policy.failurePolicy,
      validationActions: [...policy.validationActions],
      variables: [],
      validations: [],
    });
  }
}

/** The denial text of a decision: `<policy>: <message>` joined with `; `. */
export function denialMessage(decision: Pick<AdmissionDecision, 'denials'>): string {
  return decision.denials.map((d) => `${d.policy}: ${d.message}`).join('; ');
}
