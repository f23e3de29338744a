// Runs the built-in policies through the production admission chain (policy/chain/admit.ts), the
// same path `orka webhook` and `orka policy eval` take: built-ins compiled from policy/builtin,
// switched on by controller flags, the request built as the apiserver would send it.
import { createExpressionCompiler } from '../../../policy/admission-policy/expression-compiler.ts';
import { compileBuiltins, enabledBuiltins } from '../../../policy/builtin/index.ts';
import { type AdmissionDecision, admit } from '../../../policy/chain/admit.ts';
import { policyConfigFromFlags } from '../../../policy/chain/config.ts';
import type { KubeObject } from '../../../policy/chain/request.ts';
import { orkaResources } from '../../../policy/chain/resource-model.ts';
import type { Operation } from '../../../policy/match/resource-rules.ts';
import { offlineAdmissionInput } from '../../../policy/offline/request.ts';

const compiled = compileBuiltins(createExpressionCompiler());

export const CONTROLLER = 'system:serviceaccount:orka-system:orka';
export const ALICE = 'alice@example.com';
export const ALICE_GROUPS = ['platform', 'system:authenticated'];

export interface Request {
  object: KubeObject;
  oldObject?: KubeObject;
  operation?: Operation;
  /** default ALICE */
  user?: string;
  /** default ALICE_GROUPS */
  groups?: string[];
  namespace?: string;
  subResource?: string;
  agent?: KubeObject | null;
  /** controller flags by name, e.g. `{'enforce-namespace-isolation': true}` */
  flags?: Record<string, unknown>;
}

export function admitRequest(request: Request): AdmissionDecision {
  const config = policyConfigFromFlags(request.flags ?? {});
  const input = offlineAdmissionInput({
    object: request.object,
    // A stored object has been through CRD defaulting, as the apiserver sends it.
    oldObject: request.oldObject ? orkaResources.applyDefaults(request.oldObject) : null,
    operation: request.operation ?? '',
    namespace: request.namespace,
    user: request.user ?? ALICE,
    groups: request.groups ?? ALICE_GROUPS,
  });
  return admit(
    { ...input, subResource: request.subResource ?? '' },
    {
      config,
      agent: request.agent ?? null,
      namespaceObject: null,
      policies: { builtin: enabledBuiltins(compiled, config), custom: [] },
      resources: orkaResources,
    },
  );
}

/** The messages one policy denied the request with, in order. */
export function denialsBy(policy: string, request: Request): string[] {
  return admitRequest(request)
    .denials.filter((denial) => denial.policy === policy)
    .map((denial) => denial.message);
}

/** A JSON-safe deep merge: objects merge, everything else (lists included) replaces. */
function merge(base: unknown, patch: unknown): unknown {
  if (
    typeof base !== 'object' ||
    base === null ||
    Array.isArray(base) ||
    typeof patch !== 'object' ||
    patch === null ||
    Array.isArray(patch)
  ) {
    return structuredClone(patch);
  }
  const out: Record<string, unknown> = structuredClone(base) as Record<string, unknown>;
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) delete out[key];
    else out[key] = merge(out[key], value);
  }
  return out;
}

type Overrides = Record<string, unknown>;

/** A valid `type: agent` Task in namespace team-a; `overrides` merge into it (undefined deletes). */
export function task(overrides: Overrides = {}): KubeObject {
  return merge(
    {
      apiVersion: 'core.orka.ai/v1alpha1',
      kind: 'Task',
      metadata: { name: 'fix-tests', namespace: 'team-a' },
      spec: {
        type: 'agent',
        agentRef: { name: 'claude-agent' },
        prompt: 'Fix the failing unit tests',
      },
    },
    overrides,
  ) as KubeObject;
}

/** A valid claude Agent in namespace team-a; `overrides` merge into it (undefined deletes). */
export function agent(overrides: Overrides = {}): KubeObject {
  return merge(
    {
      apiVersion: 'core.orka.ai/v1alpha1',
      kind: 'Agent',
      metadata: { name: 'claude-agent', namespace: 'team-a' },
      spec: {
        runtime: { type: 'claude', defaultMaxTurns: 50 },
        model: { name: 'claude-sonnet-4' },
      },
    },
    overrides,
  ) as KubeObject;
}

/** The Task as the chain stamps it for `user` on CREATE. */
export function stamped(object: KubeObject, user = ALICE, groups = ALICE_GROUPS): KubeObject {
  return merge(object, { spec: { requestedBy: { username: user, groups } } }) as KubeObject;
}
