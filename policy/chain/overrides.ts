// Per-namespace action overrides (policy-anchors §3 #12): a Namespace label
// `policy.orka.ai/action.<policy>: Warn|Audit` lowers a custom policy's validationActions in that
// namespace, so one team can run a policy in Warn or Audit while the rest of the cluster enforces
// it. A label only ever lowers (Deny > Warn > Audit); built-in policies are never lowered and a
// label naming one is ignored with a warning, as is a value other than Warn or Audit.
import type { CompiledPolicy, ValidationAction } from '../admission-policy/types.ts';
import type { KubeObject } from './request.ts';

export const ACTION_LABEL_PREFIX = 'policy.orka.ai/action.';

const RANK: Readonly<Record<ValidationAction, number>> = { Deny: 2, Warn: 1, Audit: 0 };

/** The actions lowered to at most `ceiling` (Warn or Audit), in order, without duplicates. */
export function lowerActions(
  actions: readonly ValidationAction[],
  ceiling: 'Warn' | 'Audit',
): ValidationAction[] {
  const lowered = actions.map((action) => (RANK[action] > RANK[ceiling] ? ceiling : action));
  return [...new Set(lowered)];
}

export interface OverriddenPolicies {
  builtin: readonly CompiledPolicy[];
  custom: readonly CompiledPolicy[];
  /** `<policy>: <why the label is ignored>` */
  warnings: string[];
}

function actionLabels(namespaceObject: KubeObject | null): Map<string, string> | undefined {
  const labels = (namespaceObject?.metadata as { labels?: unknown } | undefined)?.labels;
  if (typeof labels !== 'object' || labels === null) return undefined;
  let found: Map<string, string> | undefined;
  for (const [key, value] of Object.entries(labels)) {
    if (!key.startsWith(ACTION_LABEL_PREFIX)) continue;
    found ??= new Map();
    found.set(key.slice(ACTION_LABEL_PREFIX.length), String(value));
  }
  return found;
}

/**
 * The policies as they act in the request's namespace. Only policies with validations are
 * concerned (actions apply to validation failures), so a mutation-only view reports nothing.
 */
export function applyNamespaceOverrides(
  builtin: readonly CompiledPolicy[],
  custom: readonly CompiledPolicy[],
  namespaceObject: KubeObject | null,
): OverriddenPolicies {
  const labels = actionLabels(namespaceObject);
  if (labels === undefined) return { builtin, custom, warnings: [] };
  const namespace = String(
    (namespaceObject?.metadata as { name?: unknown } | undefined)?.name ?? '',
  );
  const warnings: string[] = [];
  const labelText = (name: string) =>
    `namespace "${namespace}" label ${ACTION_LABEL_PREFIX}${name}=${labels.get(name)}`;
  for (const policy of builtin) {
    if (labels.has(policy.name) && policy.validations.length > 0) {
      warnings.push(
        `${policy.name}: ${labelText(policy.name)} ignored: built-in policies are never lowered below Deny`,
      );
    }
  }
  const lowered = custom.map((policy) => {
    const value = labels.get(policy.name);
    if (value === undefined || policy.validations.length === 0) return policy;
    if (value !== 'Warn' && value !== 'Audit') {
      warnings.push(
        `${policy.name}: ${labelText(policy.name)} ignored: the value must be Warn or Audit`,
      );
      return policy;
    }
    const validationActions = lowerActions(policy.validationActions, value);
    return { ...policy, validationActions };
  });
  return { builtin, custom: lowered, warnings };
}
