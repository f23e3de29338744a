import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { agent, CONTROLLER, denialsBy, type Request, task } from './harness.ts';

const POLICY = 'orka-context-token';

type Overrides = Record<string, unknown>;

/** A Task the REST API wrote for a context-token caller whose signed context is `context`. */
function tokenTask(context: Record<string, string>, overrides: Overrides = {}) {
  const base = task(overrides);
  return {
    ...base,
    spec: {
      ...(base.spec as object),
      transaction: { profile: 'kontxt', id: 'txn-1', subject: 'ci-bot', context },
    },
  };
}

const aiSpec = (ai: Overrides): Overrides => ({
  spec: { type: 'ai', agentRef: undefined, prompt: undefined, ai },
});

interface Case extends Request {
  name: string;
  want: string[];
  /** what the schema answers (then alone: no policy validates after a schema failure) */
  schema?: string[];
}

const cases: Case[] = [
  { name: 'a Task without a transaction is not concerned', object: task(), want: [] },
  {
    name: 'an empty context constrains nothing',
    object: tokenTask({}),
    want: [],
  },
  {
    name: 'a matching namespace is allowed',
    object: tokenTask({ namespace: 'team-a' }),
    want: [],
  },
  {
    name: 'another namespace is refused for the Task and its Agent',
    object: tokenTask({ namespace: 'team-b' }),
    want: [
      'namespace "team-a" does not match token context "team-b"',
      'agent namespace "team-a" does not match token context "team-b"',
    ],
  },
  {
    name: "an Agent in another namespace than the token's is refused",
    object: tokenTask({ namespace: 'team-a' }, { spec: { agentRef: { namespace: 'shared' } } }),
    want: ['agent namespace "shared" does not match token context "team-a"'],
  },
  {
    name: "a Provider in another namespace than the token's is refused",
    object: tokenTask(
      { namespace: 'team-a' },
      aiSpec({ providerRef: { name: 'openai', namespace: 'providers' }, prompt: 'plan' }),
    ),
    want: ['provider namespace "providers" does not match token context "team-a"'],
  },
  {
    name: 'another task name is refused',
    object: tokenTask({ taskName: 'release' }),
    want: ['task name "fix-tests" does not match token context "release"'],
  },
  { name: 'task matches the bare name', object: tokenTask({ task: 'fix-tests' }), want: [] },
  {
    name: 'task matches namespace/name',
    object: tokenTask({ task: 'team-a/fix-tests' }),
    want: [],
  },
  {
    name: 'task in another namespace is refused',
    object: tokenTask({ task: 'team-b/fix-tests' }),
    want: ['task "team-a/fix-tests" does not match token context "team-b/fix-tests"'],
  },
  {
    name: 'another task type is refused',
    object: tokenTask({ taskType: 'ai' }),
    want: ['task type "agent" does not match token context "ai"'],
  },
  { name: 'agent matches the name', object: tokenTask({ agent: 'claude-agent' }), want: [] },
  {
    name: 'agent matches namespace/name',
    object: tokenTask({ agent: 'team-a/claude-agent' }),
    want: [],
  },
  {
    name: 'another agent is refused',
    object: tokenTask({ agent: 'codex-agent' }),
    want: ['agent "team-a/claude-agent" does not match token context "codex-agent"'],
  },
  {
    name: 'allowedAgents as a JSON list admits a listed agent',
    object: tokenTask({ allowedAgents: '["codex-agent","claude-agent"]' }),
    want: [],
  },
  {
    name: 'allowedAgents as CSV refuses an unlisted agent',
    object: tokenTask({ allowedAgents: 'codex-agent, team-a/copilot-agent' }),
    want: ['agent "team-a/claude-agent" is not allowed by token context'],
  },
  {
    name: 'allowedAgents [] allows nothing',
    object: tokenTask({ allowedAgents: '[]' }),
    want: ['agent "team-a/claude-agent" is not allowed by token context'],
  },
  {
    name: 'allowedAgents with a non-string element constrains nothing',
    object: tokenTask({ allowedAgents: '["codex-agent", 3]' }),
    want: [],
  },
  {
    name: 'allowedAgents refuses a Task without an agent',
    object: tokenTask({ allowedAgents: 'planner' }, aiSpec({ prompt: 'plan' })),
    want: ['task does not specify an agent allowed by token context'],
  },
  {
    name: 'provider matches the ai provider type',
    object: tokenTask({ provider: 'openai' }, aiSpec({ provider: 'openai' })),
    want: [],
  },
  {
    name: 'another provider is refused',
    object: tokenTask({ provider: 'anthropic' }, aiSpec({ provider: 'openai' })),
    want: ['provider "openai" is not allowed by token context'],
  },
  {
    name: "the Agent's model.provider is the provider when the Task names none",
    object: tokenTask({ allowedProviders: '["openai"]' }),
    agent: agent({ spec: { model: { provider: 'anthropic' } } }),
    want: ['provider "anthropic" is not allowed by token context'],
  },
  {
    name: 'a providerRef matches by namespace/name',
    object: tokenTask(
      { allowedProviders: 'team-a/corp-openai' },
      aiSpec({ providerRef: { name: 'corp-openai' } }),
    ),
    want: [],
  },
  {
    name: 'a Task without any provider fails a provider constraint',
    object: tokenTask({ provider: 'anthropic' }),
    want: ['provider "" is not allowed by token context'],
  },
  {
    name: 'another model is refused',
    object: tokenTask({ model: 'gpt-4o' }, aiSpec({ provider: 'openai', model: 'gpt-5' })),
    want: ['model "gpt-5" does not match token context "gpt-4o"'],
  },
  {
    name: "the Agent's model name is the model when the Task names none",
    object: tokenTask({ model: 'claude-sonnet-4' }),
    agent: agent(),
    want: [],
  },
  {
    name: 'allowedModels accepts <type>/<model>',
    object: tokenTask(
      { allowedModels: '["openai/gpt-5"]' },
      aiSpec({ provider: 'openai', model: 'gpt-5' }),
    ),
    want: [],
  },
  {
    name: 'allowedModels refuses a model of another provider',
    object: tokenTask(
      { allowedModels: 'anthropic/gpt-5' },
      aiSpec({ provider: 'openai', model: 'gpt-5' }),
    ),
    want: ['model "gpt-5" is not allowed by token context'],
  },
  {
    name: 'the workspace must be the signed repo',
    object: tokenTask(
      { repo: 'https://github.com/acme/api' },
      { spec: { workspace: { gitRepo: 'https://github.com/acme/web' } } },
    ),
    want: [
      'workspace repo "https://github.com/acme/web" does not match token context "https://github.com/acme/api"',
    ],
  },
  {
    name: 'a Task without a workspace has the empty repo',
    object: tokenTask({ repo: 'https://github.com/acme/api' }),
    want: ['workspace repo "" does not match token context "https://github.com/acme/api"'],
  },
  {
    name: 'agentRuntime.workspace is used when there is no top-level workspace',
    object: tokenTask(
      { repo: 'https://github.com/acme/api', branch: 'main' },
      {
        spec: {
          agentRuntime: { workspace: { gitRepo: 'https://github.com/acme/api', branch: 'main' } },
        },
      },
    ),
    want: [],
  },
  {
    name: 'another branch is refused',
    object: tokenTask({ branch: 'main' }, { spec: { workspace: { branch: 'dev' } } }),
    want: ['workspace branch "dev" does not match token context "main"'],
  },
  {
    name: 'a workspace pinned to the signed ref needs no branch',
    object: tokenTask(
      { branch: 'main', ref: 'abc123' },
      { spec: { workspace: { ref: 'abc123' } } },
    ),
    want: [],
  },
  {
    name: 'another ref is refused',
    object: tokenTask({ ref: 'abc123' }, { spec: { workspace: { ref: 'def456' } } }),
    want: ['workspace ref "def456" does not match token context "abc123"'],
  },
  {
    name: 'Bash allowed by default is a tool outside the context',
    object: tokenTask(
      { allowedTools: '["Read","Grep"]' },
      { spec: { agentRuntime: { allowedTools: ['Read', 'Grep'] } } },
    ),
    want: ['tool "Bash" is not allowed by token context'],
  },
  {
    name: 'tools inside the context with Bash disabled are allowed',
    object: tokenTask(
      { allowedTools: 'Read, Grep' },
      { spec: { agentRuntime: { allowedTools: ['Read', 'Grep'], allowBash: false } } },
    ),
    want: [],
  },
  {
    name: 'every tool outside the context is named',
    object: tokenTask(
      { allowedTools: '["Read"]' },
      { spec: { agentRuntime: { allowedTools: ['Read', 'Write'] } } },
    ),
    want: [
      'tool "Write" is not allowed by token context; tool "Bash" is not allowed by token context',
    ],
  },
  {
    name: 'an agent Task with no tool list is unrestricted',
    object: tokenTask(
      { allowedTools: '["Read"]' },
      { spec: { agentRuntime: { allowBash: false } } },
    ),
    want: [
      'agent runtime tools are unrestricted by task or agent while token context restricts allowedTools',
    ],
  },
  {
    name: "the Agent's default tools restrict the runtime",
    object: tokenTask({ allowedTools: '["Read"]' }),
    agent: agent({ spec: { runtime: { defaultAllowedTools: ['Read'], defaultAllowBash: false } } }),
    want: [],
  },
  {
    name: 'disallowed tools are not counted',
    object: tokenTask(
      { allowedTools: '["Read"]' },
      {
        spec: {
          agentRuntime: { allowedTools: ['Read', 'Write'], disallowedTools: ['Write', 'Bash'] },
        },
      },
    ),
    want: [],
  },
  {
    name: 'allowedTools [] allows no tool at all',
    object: tokenTask(
      { allowedTools: '[]' },
      { spec: { agentRuntime: { allowedTools: ['Read'], allowBash: false } } },
    ),
    want: ['tool "Read" is not allowed by token context'],
  },
  {
    name: "the ai worker's enabled tools count against allowedTools; disabled ones do not",
    object: tokenTask(
      { allowedTools: 'web_search' },
      aiSpec({ prompt: 'plan', tools: [{ name: 'shell' }, { name: 'http', enabled: false }] }),
    ),
    agent: agent({
      metadata: { name: 'planner' },
      spec: {
        runtime: undefined,
        tools: [{ name: 'web_search' }, { name: 'http', enabled: false }],
      },
    }),
    want: ['tool "shell" is not allowed by token context'],
  },
  {
    name: 'a metadata-only UPDATE is not re-judged',
    oldObject: tokenTask({ taskType: 'ai' }),
    object: tokenTask({ taskType: 'ai' }, { metadata: { finalizers: ['orka.ai/cleanup'] } }),
    want: [],
  },
  {
    name: 'an UPDATE that changes the spec is judged',
    oldObject: tokenTask({ ref: 'abc123' }, { spec: { workspace: { ref: 'abc123' } } }),
    object: tokenTask({ ref: 'abc123' }, { spec: { workspace: { ref: 'def456' } } }),
    want: ['workspace ref "def456" does not match token context "abc123"'],
  },
];

describe('orka-context-token', () => {
  for (const { name, want, schema = [], ...request } of cases) {
    test(name, () => {
      assert.deepEqual(denialsBy(POLICY, { user: CONTROLLER, ...request }), want);
      assert.deepEqual(denialsBy('schema', { user: CONTROLLER, ...request }), schema);
    });
  }
});
