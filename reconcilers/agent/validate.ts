// The Agent's Ready check (reference §1.1): the first problem in the reference's order, or none.
// Lookups are injected so the order and wording can be tested without a cluster.
import type { Agent } from '../../resources/types.ts';

export type ProviderState = 'missing' | 'not-ready' | 'ready';

export interface AgentLookups {
  provider(namespace: string, name: string): Promise<ProviderState>;
  secretExists(namespace: string, name: string): Promise<boolean>;
  /** The ConfigMap's keys (data and binaryData), or undefined when it does not exist. */
  configMapKeys(namespace: string, name: string): Promise<string[] | undefined>;
  skillExists(namespace: string, name: string): Promise<boolean>;
  agentExists(namespace: string, name: string): Promise<boolean>;
}

export const READY_MESSAGE = 'Agent configuration is valid';

export async function agentProblem(
  agent: Agent,
  lookups: AgentLookups,
): Promise<string | undefined> {
  const spec = agent.spec;
  const namespace = agent.metadata?.namespace ?? '';
  if (spec.runtime && spec.providerRef) return 'runtime and providerRef are mutually exclusive';
  if (!spec.runtime && !spec.providerRef && !spec.model?.provider) {
    return 'either providerRef or model.provider must be specified';
  }
  if (spec.providerRef) {
    const name = spec.providerRef.name;
    const state = await lookups.provider(spec.providerRef.namespace || namespace, name);
    if (state === 'missing') return `referenced provider "${name}" not found`;
    if (state === 'not-ready') return `referenced provider "${name}" is not ready`;
  }
  const secret = spec.secretRef?.name;
  if (secret && !(await lookups.secretExists(namespace, secret))) {
    return `referenced secret "${secret}" not found`;
  }
  for (const skill of spec.skills ?? []) {
    const ref = skill.configMapRef;
    if (skill.name) {
      if (!(await lookups.skillExists(namespace, skill.name))) {
        return `referenced Skill "${skill.name}" not found`;
      }
    } else if (ref) {
      const keys = await lookups.configMapKeys(namespace, ref.name);
      if (!keys) return `referenced skill ConfigMap "${ref.name}" not found`;
      if (!keys.includes(ref.key))
        return `key "${ref.key}" not found in skill ConfigMap "${ref.name}"`;
    } else {
      return 'skill reference must set either name or configMapRef';
    }
  }
  const prompt = spec.systemPrompt?.configMapRef;
  if (prompt) {
    const keys = await lookups.configMapKeys(namespace, prompt.name);
    if (!keys) return `systemPrompt ConfigMap "${prompt.name}" not found`;
    if (!keys.includes(prompt.key)) {
      return `key "${prompt.key}" not found in systemPrompt ConfigMap "${prompt.name}"`;
    }
  }
  for (const target of spec.coordination?.allowedAgents ?? []) {
    if (!(await lookups.agentExists(target.namespace || namespace, target.name))) {
      return `coordination target agent "${target.name}" not found`;
    }
  }
  return undefined;
}
