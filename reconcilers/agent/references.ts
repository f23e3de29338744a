// Which Agents a Secret or ConfigMap matters to: the objects an Agent's Ready check reads
// (agent/validate.ts), all in the Agent's own namespace.
import type { Agent } from '../../resources/types.ts';

export type ReferencedKind = 'Secret' | 'ConfigMap';

/** Names of the objects of `kind` the Agent's Ready check reads. */
export function referencedNames(agent: Agent, kind: ReferencedKind): string[] {
  const spec = agent.spec;
  if (kind === 'Secret') return spec.secretRef?.name ? [spec.secretRef.name] : [];
  const names = (spec.skills ?? []).flatMap((skill) =>
    !skill.name && skill.configMapRef?.name ? [skill.configMapRef.name] : [],
  );
  const prompt = spec.systemPrompt?.configMapRef?.name;
  if (prompt) names.push(prompt);
  return names;
}

/** The Agents among `agents` (any namespaces) whose Ready check reads `namespace/name` of `kind`. */
export function agentsReferencing(
  agents: readonly Agent[],
  kind: ReferencedKind,
  namespace: string,
  name: string,
): Agent[] {
  return agents.filter(
    (agent) =>
      (agent.metadata?.namespace ?? '') === namespace &&
      referencedNames(agent, kind).includes(name),
  );
}
