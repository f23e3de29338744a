import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  agentsReferencing,
  type ReferencedKind,
  referencedNames,
} from '../../../reconcilers/agent/references.ts';
import type { Agent } from '../../../resources/types.ts';

const agent = (name: string, namespace: string, spec: Record<string, unknown>): Agent =>
  ({ metadata: { name, namespace }, spec: { runtime: { type: 'claude' }, ...spec } }) as Agent;

describe("referencedNames: what an Agent's Ready check reads", () => {
  const full = agent('coder', 'team-a', {
    secretRef: { name: 'api-keys' },
    skills: [
      { configMapRef: { name: 'skill-lint', key: 'SKILL.md' } },
      { name: 'named-skill', configMapRef: { name: 'ignored-when-named', key: 'k' } },
    ],
    systemPrompt: { configMapRef: { name: 'prompt', key: 'prompt.md' } },
  });
  const cases: Array<[string, Agent, ReferencedKind, string[]]> = [
    ['secretRef', full, 'Secret', ['api-keys']],
    [
      'skill ConfigMaps (not named Skills) and the system prompt',
      full,
      'ConfigMap',
      ['skill-lint', 'prompt'],
    ],
    ['no references', agent('bare', 'team-a', {}), 'Secret', []],
    ['no ConfigMaps', agent('bare', 'team-a', {}), 'ConfigMap', []],
  ];
  for (const [name, subject, kind, expected] of cases) {
    test(name, () => assert.deepEqual(referencedNames(subject, kind), expected));
  }
});

describe('agentsReferencing: an object wakes only the Agents of its namespace that name it', () => {
  const agents = [
    agent('a', 'team-a', { secretRef: { name: 'keys' } }),
    agent('b', 'team-b', { secretRef: { name: 'keys' } }),
    agent('c', 'team-a', { systemPrompt: { configMapRef: { name: 'keys', key: 'p' } } }),
    agent('d', 'team-a', { secretRef: { name: 'other' } }),
  ];
  const cases: Array<[string, ReferencedKind, string, string, string[]]> = [
    ['Secret in team-a', 'Secret', 'team-a', 'keys', ['a']],
    ['same name in team-b', 'Secret', 'team-b', 'keys', ['b']],
    ['a ConfigMap of the same name is another object', 'ConfigMap', 'team-a', 'keys', ['c']],
    ['unreferenced', 'Secret', 'team-a', 'nobody', []],
  ];
  for (const [name, kind, namespace, object, expected] of cases) {
    test(name, () =>
      assert.deepEqual(
        agentsReferencing(agents, kind, namespace, object).map((a) => a.metadata?.name),
        expected,
      ),
    );
  }
});
