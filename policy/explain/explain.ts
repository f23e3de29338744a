// `orka policy eval --explain`: the decision plus, for every policy, whether it matched and, if
// not, which constraint skipped it; for matched policies each variable's value and each
// validation's result. The facts come from the chain's opt-in tracer, so decisions are exactly the
// ones the webhook makes.
import type { CompiledPolicy } from '../admission-policy/types.ts';
import { BUILTIN_ORDER, builtinDocuments } from '../builtin/index.ts';
import type { AdmissionDecision } from '../chain/admit.ts';
import type { PolicyConfig } from '../chain/config.ts';
import type { PolicyTrace } from '../evaluate/trace.ts';
import {
  evaluateOffline,
  type OfflineEvaluation,
  type OfflinePolicies,
} from '../offline/evaluate.ts';

export interface Explanation {
  decision: AdmissionDecision;
  /** built-ins in their fixed order (switched-off ones included), then custom policies by name */
  policies: PolicyTrace[];
}

/** The controller flag that switches each optional built-in on, and how it reads when off. */
const BUILTIN_SWITCHES: Readonly<Record<string, (config: PolicyConfig) => string | undefined>> = {
  'orka-task-provenance': (config) =>
    config.provenance.enabled ? undefined : '--task-provenance-admission-enabled=false',
  'orka-namespace-isolation': (config) =>
    config.enforceNamespaceIsolation ? undefined : '--enforce-namespace-isolation=false',
};

function switchedOffTrace(name: string, config: PolicyConfig): PolicyTrace {
  const flag = BUILTIN_SWITCHES[name]?.(config);
  return {
    policy: name,
    builtin: true,
    matched: false,
    skippedBy: {
      constraint: 'builtinSwitchedOff',
      detail: flag ? `switched off by ${flag}` : 'switched off by the controller flags',
    },
    failurePolicy: 'Fail',
    validationActions: ['Deny'],
    variables: [],
    validations: [],
  };
}

function builtinRank(name: string): number {
  const index = BUILTIN_ORDER.indexOf(name);
  return index < 0 ? BUILTIN_ORDER.length : index;
}

export function explainOffline(setup: OfflinePolicies, request: OfflineEvaluation): Explanation {
  const traces: PolicyTrace[] = [];
  const decision = evaluateOffline(setup, {
    ...request,
    tracer: { record: (t) => traces.push(t) },
  });
  if (setup.policies.builtin.length > 0) {
    const enabled = new Set(setup.policies.builtin.map((policy: CompiledPolicy) => policy.name));
    for (const document of builtinDocuments()) {
      const name = String((document as { metadata?: { name?: unknown } }).metadata?.name);
      if (!enabled.has(name)) traces.push(switchedOffTrace(name, setup.config));
    }
  }
  const builtin = traces
    .filter((trace) => trace.builtin)
    .sort((a, b) => builtinRank(a.policy) - builtinRank(b.policy));
  const custom = traces
    .filter((trace) => !trace.builtin)
    .sort((a, b) => (a.policy < b.policy ? -1 : a.policy > b.policy ? 1 : 0));
  return { decision, policies: [...builtin, ...custom] };
}
