import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { admitRequest, agent, denialsBy, type Request, task } from './harness.ts';

const POLICY = 'orka-task-semantics';

const codexAgent = (runtime: Record<string, unknown> = {}) =>
  agent({ metadata: { name: 'codex-agent' }, spec: { runtime: { type: 'codex', ...runtime } } });
const providerAgent = agent({
  metadata: { name: 'planner' },
  spec: { runtime: undefined, providerRef: { name: 'openai' } },
});
const aiTask = task({
  spec: { type: 'ai', agentRef: { name: 'planner' }, prompt: undefined, ai: { prompt: 'plan' } },
});

interface Case extends Request {
  name: string;
  want: string[];
  /** what the schema answers (then alone: no policy validates after a schema failure) */
  schema?: string[];
}

const cases: Case[] = [
  {
    name: 'an agent Task with a runtime Agent is admitted',
    object: task(),
    agent: agent(),
    want: [],
  },
  {
    name: 'type agent needs an agentRef: the schema alone says so',
    object: task({ spec: { agentRef: undefined } }),
    want: [],
    schema: ['spec.agentRef: Required value: type: agent tasks require an agentRef'],
  },
  {
    name: 'type agent needs a prompt: the schema alone says so',
    object: task({ spec: { prompt: '' } }),
    agent: agent(),
    want: [],
    schema: ['spec.prompt: Required value: prompt is required for type: agent tasks'],
  },
  {
    name: 'ai.prompt does not stand in for the prompt of an agent Task',
    object: task({ spec: { prompt: undefined, ai: { prompt: 'Fix it' } } }),
    agent: agent(),
    want: [],
    schema: ['spec.prompt: Required value: prompt is required for type: agent tasks'],
  },
  {
    name: 'the Agent needs a runtime',
    object: task(),
    agent: agent({ spec: { runtime: undefined, model: { provider: 'anthropic' } } }),
    want: [
      'agent "claude-agent" does not have a runtime configured (required for type: agent tasks)',
    ],
  },
  {
    name: 'an Agent-level execution workspace is refused',
    object: task(),
    agent: agent({ spec: { execution: { workspace: { enabled: true } } } }),
    want: [
      'agent "claude-agent" sets spec.execution.workspace, but execution workspace requests are only supported on Task.spec.execution.workspace',
    ],
  },
  {
    name: 'an Agent-level workspace that is not enabled is no request',
    object: task(),
    agent: agent({ spec: { execution: { workspace: { enabled: false } } } }),
    want: [],
  },
  {
    name: 'an Agent with runtime and providerRef is refused',
    object: task(),
    agent: agent({ spec: { providerRef: { name: 'openai' } } }),
    want: ['agent "claude-agent" has both runtime and providerRef set (mutually exclusive)'],
  },
  {
    name: 'an Agent with runtime and model.provider is refused',
    object: task(),
    agent: agent({ spec: { model: { provider: 'anthropic' } } }),
    want: [
      'agent "claude-agent" has both runtime and model.provider set (mutually exclusive for agent tasks)',
    ],
  },
  {
    name: 'a Codex Agent with Bash allowed by default is admitted',
    object: task({ spec: { agentRef: { name: 'codex-agent' } } }),
    agent: codexAgent(),
    want: [],
  },
  {
    name: 'a Codex Agent with Bash disabled on the Agent is refused',
    object: task({ spec: { agentRef: { name: 'codex-agent' } } }),
    agent: codexAgent({ defaultAllowBash: false }),
    want: [
      'codex runtime requires allowBash=true because the Codex CLI cannot disable shell execution',
    ],
  },
  {
    name: 'a Codex Task that disallows Bash is refused',
    object: task({
      spec: { agentRef: { name: 'codex-agent' }, agentRuntime: { disallowedTools: ['Bash'] } },
    }),
    agent: codexAgent(),
    want: [
      'codex runtime requires allowBash=true because the Codex CLI cannot disable shell execution',
    ],
  },
  {
    name: "the Task's allowBash overrides the Codex Agent's default",
    object: task({
      spec: { agentRef: { name: 'codex-agent' }, agentRuntime: { allowBash: true } },
    }),
    agent: codexAgent({ defaultAllowBash: false }),
    want: [],
  },
  {
    name: 'a Claude Agent without Bash is admitted',
    object: task({ spec: { agentRuntime: { allowBash: false } } }),
    agent: agent(),
    want: [],
  },
  {
    name: 'type ai with a provider Agent is admitted',
    object: aiTask,
    agent: providerAgent,
    want: [],
  },
  {
    name: 'type ai with a runtime Agent is refused',
    object: aiTask,
    agent: agent({ metadata: { name: 'planner' } }),
    want: ['agent "planner" has runtime configured (use type: agent instead of type: ai)'],
  },
  {
    name: 'every failing rule is reported',
    object: task(),
    agent: agent({
      spec: { providerRef: { name: 'openai' }, model: { provider: 'openai' } },
    }),
    want: [
      'agent "claude-agent" has both runtime and providerRef set (mutually exclusive)',
      'agent "claude-agent" has both runtime and model.provider set (mutually exclusive for agent tasks)',
    ],
  },
  {
    name: 'with the Agent unknown only the Task itself is judged',
    object: task(),
    agent: null,
    want: [],
  },
  {
    name: 'a metadata-only UPDATE is not re-judged',
    oldObject: task(),
    object: task({ metadata: { finalizers: ['orka.ai/cleanup'] } }),
    agent: agent({ spec: { runtime: undefined, model: { provider: 'anthropic' } } }),
    want: [],
  },
];

describe('orka-task-semantics', () => {
  for (const { name, want, schema = [], ...request } of cases) {
    test(name, () => {
      assert.deepEqual(denialsBy(POLICY, request), want);
      assert.deepEqual(denialsBy('schema', request), schema);
    });
  }

  test('an unknown Agent admits the Task with the chain warning', () => {
    const decision = admitRequest({ object: task(), agent: null });
    assert.equal(decision.allowed, true);
    assert.deepEqual(decision.warnings, [
      'orka-task-semantics: agent "claude-agent" not found in namespace "team-a"',
    ]);
  });
});
