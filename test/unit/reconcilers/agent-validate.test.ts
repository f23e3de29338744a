import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type AgentLookups, agentProblem } from '../../../reconcilers/agent/validate.ts';
import type { Agent } from '../../../resources/types.ts';

const lookups = (known: {
  secrets?: string[];
  configMaps?: Record<string, string[]>;
  agents?: string[];
}): AgentLookups => ({
  provider: async (_ns, name) =>
    name === 'ready' ? 'ready' : name === 'unready' ? 'not-ready' : 'missing',
  secretExists: async (_ns, name) => known.secrets?.includes(name) ?? false,
  configMapKeys: async (_ns, name) => known.configMaps?.[name],
  skillExists: async () => false,
  agentExists: async (_ns, name) => known.agents?.includes(name) ?? false,
});

const agent = (spec: Record<string, unknown>): Agent =>
  ({
    apiVersion: 'core.orka.ai/v1alpha1',
    kind: 'Agent',
    metadata: { name: 'a', namespace: 'n' },
    spec,
  }) as Agent;

describe('Agent Ready checks in reference §1.1 order', () => {
  const runtime = { runtime: { type: 'claude' } };
  const cases: Array<[string, Record<string, unknown>, string | undefined]> = [
    ['valid runtime Agent', runtime, undefined],
    [
      'runtime and providerRef',
      { ...runtime, providerRef: { name: 'ready' } },
      'runtime and providerRef are mutually exclusive',
    ],
    [
      'neither runtime, providerRef nor model.provider',
      { model: { name: 'x' } },
      'either providerRef or model.provider must be specified',
    ],
    ['missing provider', { providerRef: { name: 'p' } }, 'referenced provider "p" not found'],
    [
      'provider not ready',
      { providerRef: { name: 'unready' } },
      'referenced provider "unready" is not ready',
    ],
    [
      'missing secret',
      { ...runtime, secretRef: { name: 'creds' } },
      'referenced secret "creds" not found',
    ],
    [
      'secret before skills',
      { ...runtime, secretRef: { name: 'creds' }, skills: [{}] },
      'referenced secret "creds" not found',
    ],
    [
      'empty skill reference',
      { ...runtime, skills: [{}] },
      'skill reference must set either name or configMapRef',
    ],
    [
      'missing Skill',
      { ...runtime, skills: [{ name: 'lint' }] },
      'referenced Skill "lint" not found',
    ],
    [
      'missing skill ConfigMap',
      { ...runtime, skills: [{ configMapRef: { name: 'cm', key: 'k' } }] },
      'referenced skill ConfigMap "cm" not found',
    ],
    [
      'missing skill key',
      { ...runtime, skills: [{ configMapRef: { name: 'have', key: 'k' } }] },
      'key "k" not found in skill ConfigMap "have"',
    ],
    [
      'missing prompt ConfigMap',
      { ...runtime, systemPrompt: { configMapRef: { name: 'cm', key: 'k' } } },
      'systemPrompt ConfigMap "cm" not found',
    ],
    [
      'missing prompt key',
      { ...runtime, systemPrompt: { configMapRef: { name: 'have', key: 'k' } } },
      'key "k" not found in systemPrompt ConfigMap "have"',
    ],
    [
      'missing coordination target',
      { ...runtime, coordination: { enabled: true, allowedAgents: [{ name: 'helper' }] } },
      'coordination target agent "helper" not found',
    ],
    [
      'present coordination target',
      { ...runtime, coordination: { enabled: true, allowedAgents: [{ name: 'known' }] } },
      undefined,
    ],
  ];
  for (const [name, spec, message] of cases) {
    test(name, async () => {
      const problem = await agentProblem(
        agent(spec),
        lookups({ configMaps: { have: ['other'] }, agents: ['known'] }),
      );
      assert.equal(problem, message);
    });
  }
});
