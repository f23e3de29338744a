import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { agent, denialsBy, type Request, task } from './harness.ts';

const POLICY = 'orka-namespace-isolation';
const ISOLATED = { 'enforce-namespace-isolation': true };
const aiTask = (ai: Record<string, unknown>) =>
  task({ spec: { type: 'ai', agentRef: { name: 'planner' }, prompt: undefined, ai } });

interface Case extends Request {
  name: string;
  want: string[];
}

const cases: Case[] = [
  { name: 'an agentRef without namespace is local', object: task(), flags: ISOLATED, want: [] },
  {
    name: 'an agentRef naming the own namespace is allowed',
    object: task({ spec: { agentRef: { name: 'claude-agent', namespace: 'team-a' } } }),
    flags: ISOLATED,
    want: [],
  },
  {
    name: 'a cross-namespace agentRef is refused',
    object: task({ spec: { agentRef: { name: 'claude-agent', namespace: 'shared' } } }),
    flags: ISOLATED,
    want: [
      'cross-namespace agent reference not allowed when namespace isolation is enforced: agent "claude-agent" in namespace "shared", task in "team-a"',
    ],
  },
  {
    name: 'without --enforce-namespace-isolation cross-namespace references are allowed',
    object: task({ spec: { agentRef: { name: 'claude-agent', namespace: 'shared' } } }),
    want: [],
  },
  {
    name: "an ai Task's cross-namespace providerRef is refused",
    object: aiTask({ providerRef: { name: 'openai', namespace: 'providers' } }),
    flags: ISOLATED,
    want: [
      'cross-namespace provider reference not allowed when namespace isolation is enforced: provider "openai" in namespace "providers", task in "team-a"',
    ],
  },
  {
    name: "an ai Task's local providerRef is allowed",
    object: aiTask({ providerRef: { name: 'openai' } }),
    flags: ISOLATED,
    want: [],
  },
  {
    name: "an ai Task inherits the Agent's providerRef",
    object: aiTask({ prompt: 'plan' }),
    agent: agent({
      metadata: { name: 'planner' },
      spec: { runtime: undefined, providerRef: { name: 'anthropic', namespace: 'providers' } },
    }),
    flags: ISOLATED,
    want: [
      'cross-namespace provider reference not allowed when namespace isolation is enforced: provider "anthropic" in namespace "providers", task in "team-a"',
    ],
  },
  {
    name: "the Task's own providerRef wins over the Agent's",
    object: aiTask({ providerRef: { name: 'openai' } }),
    agent: agent({
      metadata: { name: 'planner' },
      spec: { runtime: undefined, providerRef: { name: 'anthropic', namespace: 'providers' } },
    }),
    flags: ISOLATED,
    want: [],
  },
  {
    name: 'agent Tasks never resolve a provider',
    object: task(),
    agent: agent({ spec: { providerRef: { name: 'anthropic', namespace: 'providers' } } }),
    flags: ISOLATED,
    want: [],
  },
  {
    name: 'a cross-namespace priorTaskRef is refused',
    object: task({ spec: { priorTaskRef: { name: 'first-pass', namespace: 'team-b' } } }),
    flags: ISOLATED,
    want: [
      'cross-namespace prior task reference not allowed when namespace isolation is enforced: task "first-pass" in namespace "team-b", task in "team-a"',
    ],
  },
  {
    name: 'every cross-namespace reference is reported',
    object: task({
      spec: {
        agentRef: { name: 'claude-agent', namespace: 'shared' },
        priorTaskRef: { name: 'first-pass', namespace: 'team-b' },
      },
    }),
    flags: ISOLATED,
    want: [
      'cross-namespace agent reference not allowed when namespace isolation is enforced: agent "claude-agent" in namespace "shared", task in "team-a"',
      'cross-namespace prior task reference not allowed when namespace isolation is enforced: task "first-pass" in namespace "team-b", task in "team-a"',
    ],
  },
  {
    name: 'an UPDATE that changes the reference is checked',
    oldObject: task(),
    object: task({ spec: { agentRef: { name: 'claude-agent', namespace: 'shared' } } }),
    flags: ISOLATED,
    want: [
      'cross-namespace agent reference not allowed when namespace isolation is enforced: agent "claude-agent" in namespace "shared", task in "team-a"',
    ],
  },
  {
    name: 'a metadata-only UPDATE of an older Task is not re-judged',
    oldObject: task({ spec: { agentRef: { name: 'claude-agent', namespace: 'shared' } } }),
    object: task({
      metadata: { finalizers: ['orka.ai/cleanup'] },
      spec: { agentRef: { name: 'claude-agent', namespace: 'shared' } },
    }),
    flags: ISOLATED,
    want: [],
  },
];

describe('orka-namespace-isolation', () => {
  for (const { name, want, ...request } of cases) {
    test(name, () => assert.deepEqual(denialsBy(POLICY, request), want));
  }
});
