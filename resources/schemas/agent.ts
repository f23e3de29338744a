// Agent (core.orka.ai/v1alpha1, namespaced): reference §1.1 and seed 000.
import { Type } from '@sinclair/typebox';
import { ExecutionSpec } from './execution.ts';
import {
  ConfigMapKeyReference,
  conditionsList,
  LocalObjectReference,
  NamespacedReference,
  ResourceRequirements,
} from './kubernetes.ts';
import { resourceSchema } from './meta.ts';
import { Duration, Int32, Obj, StringEnum, Timestamp } from './shapes.ts';

export const RUNTIME_TYPES = ['copilot', 'claude', 'codex'] as const;

export const ToolName = Type.String({ minLength: 1, maxLength: 128 });
export const toolList = (description: string) =>
  Type.Array(ToolName, { maxItems: 128, description });

export const AgentRuntime = Obj(
  {
    type: StringEnum(RUNTIME_TYPES, {
      description: 'Agent CLI that runs the Task: copilot, claude or codex.',
    }),
    defaultMaxTurns: Type.Optional(
      Int32({
        minimum: 1,
        maximum: 1000,
        default: 50,
        description: 'Agent loop iterations per Task unless the Task sets agentRuntime.maxTurns.',
      }),
    ),
    defaultAllowedTools: Type.Optional(
      toolList(
        'Tools available unless the Task lists its own (Claude: Read, Write, Edit, Bash, Glob, Grep, WebFetch, WebSearch).',
      ),
    ),
    defaultAllowBash: Type.Optional(
      Type.Boolean({
        description:
          'Whether Bash is allowed unless the Task says otherwise; unset means true. Codex needs it true.',
      }),
    ),
  },
  {
    description:
      'Marks the Agent for type: agent Tasks and sets their runtime defaults. Mutually exclusive with providerRef.',
  },
);

export const SkillReference = Obj(
  {
    name: Type.Optional(Type.String({ description: 'Name of a Skill.' })),
    configMapRef: Type.Optional(ConfigMapKeyReference('ConfigMap key holding the skill.')),
  },
  { description: 'A skill mounted under /workspace/.skills: a Skill name or a ConfigMap key.' },
);

export const ToolReference = Obj(
  {
    name: Type.String({ minLength: 1, description: 'Name of the Tool.' }),
    enabled: Type.Optional(
      Type.Boolean({ default: true, description: 'Whether the tool is offered.' }),
    ),
  },
  { description: 'A Tool offered to type: ai Tasks.' },
);

export const MODEL_PROVIDERS = ['anthropic', 'openai'] as const;

export const AgentSpec = Obj(
  {
    runtime: Type.Optional(AgentRuntime),
    providerRef: Type.Optional(
      NamespacedReference('Provider used by type: ai Tasks. Mutually exclusive with runtime.'),
    ),
    model: Type.Optional(
      Obj(
        {
          provider: Type.Optional(
            StringEnum(MODEL_PROVIDERS, { description: 'Model provider for type: ai Tasks.' }),
          ),
          name: Type.Optional(
            Type.String({ description: 'Model name, passed to agent runtimes as --model.' }),
          ),
          temperature: Type.Optional(
            Type.Number({
              minimum: 0,
              maximum: 2,
              default: 0.7,
              description: 'Sampling temperature (type: ai).',
            }),
          ),
          maxTokens: Type.Optional(
            Int32({ minimum: 1, description: 'Output token limit (type: ai).' }),
          ),
          fallbacks: Type.Optional(
            Type.Array(
              Obj({
                providerRef: Type.String({ minLength: 1, description: 'Name of the Provider.' }),
                model: Type.Optional(Type.String({ description: 'Model at that Provider.' })),
              }),
              { description: 'Models tried in order when the primary fails (type: ai).' },
            ),
          ),
        },
        { description: 'The language model.' },
      ),
    ),
    systemPrompt: Type.Optional(
      Obj(
        {
          inline: Type.Optional(
            Type.String({ description: 'The prompt text; wins over configMapRef.' }),
          ),
          configMapRef: Type.Optional(
            ConfigMapKeyReference("ConfigMap key in the Agent's namespace holding the prompt."),
          ),
        },
        { description: "System prompt appended to the runtime's own." },
      ),
    ),
    tools: Type.Optional(Type.Array(ToolReference, { description: 'Tools (type: ai).' })),
    skills: Type.Optional(
      Type.Array(SkillReference, { description: 'Skills mounted for the agent.' }),
    ),
    resources: Type.Optional(ResourceRequirements),
    execution: Type.Optional(ExecutionSpec),
    secretRef: Type.Optional(
      Obj(LocalObjectReference.properties, {
        description:
          'Secret with the runtime credentials (ANTHROPIC_API_KEY, OPENAI_API_KEY or CODEX_API_KEY, GITHUB_TOKEN): injected as environment variables and mounted read-only.',
      }),
    ),
    session: Type.Optional(
      Obj(
        {
          persistence: Type.Optional(
            StringEnum(['configmap', 'pvc', 'none'], {
              default: 'configmap',
              description: 'Kept for compatibility; sessions live in the controller store.',
            }),
          ),
          ttl: Type.Optional(Duration('Kept for compatibility.')),
          maxMessages: Type.Optional(
            Int32({ minimum: 1, default: 50, description: 'Kept for compatibility.' }),
          ),
        },
        { description: 'Kept for compatibility; Tasks choose sessions with spec.sessionRef.' },
      ),
    ),
    rateLimit: Type.Optional(
      Obj(
        {
          requestsPerMinute: Type.Optional(
            Int32({ minimum: 0, description: 'Requests per minute.' }),
          ),
          tokensPerMinute: Type.Optional(Int32({ minimum: 0, description: 'Tokens per minute.' })),
        },
        { description: 'Model rate limits (type: ai).' },
      ),
    ),
    coordination: Type.Optional(
      Obj(
        {
          enabled: Type.Optional(
            Type.Boolean({ default: false, description: 'Whether the Agent may delegate.' }),
          ),
          allowedAgents: Type.Optional(
            Type.Array(NamespacedReference('An Agent that may receive child Tasks.'), {
              description: 'Agents that may receive child Tasks.',
            }),
          ),
          maxConcurrentChildren: Type.Optional(
            Int32({
              minimum: 1,
              default: 5,
              description: 'Child Tasks running at once.',
            }),
          ),
          maxDepth: Type.Optional(
            Int32({
              minimum: 1,
              maximum: 10,
              default: 3,
              description: 'Depth of the delegation tree.',
            }),
          ),
          autonomous: Type.Optional(Type.Boolean({ description: 'Iterate without a user turn.' })),
          maxIterations: Type.Optional(
            Int32({ minimum: 0, description: 'Autonomous iterations.' }),
          ),
        },
        { description: 'Delegation to child Tasks (type: ai coordination).' },
      ),
    ),
    ttlAfterLastTask: Type.Optional(
      Duration('Delete the Agent this long after its last Task ended (Go duration, e.g. 24h).'),
    ),
  },
  { description: 'Desired state of the Agent.' },
);

export const AgentStatus = Obj(
  {
    ready: Type.Optional(Type.Boolean({ description: 'Whether the configuration is valid.' })),
    activeTasks: Type.Optional(
      Int32({ minimum: 0, description: 'Tasks of this Agent that have not finished.' }),
    ),
    lastUsed: Type.Optional(Timestamp('When a Task of this Agent last ran or ended.')),
    observedGeneration: Type.Optional(
      Type.Integer({ format: 'int64', description: 'The generation the status describes.' }),
    ),
    conditions: Type.Optional(conditionsList('Ready: whether the Agent configuration is valid.')),
  },
  { description: 'Observed state of the Agent, written by the controller.' },
);

export const AgentSchema = resourceSchema(
  'core.orka.ai/v1alpha1',
  'Agent',
  { spec: AgentSpec, status: Type.Optional(AgentStatus) },
  'An Agent: the runtime, model, prompt, credentials and defaults that Tasks run with.',
);
