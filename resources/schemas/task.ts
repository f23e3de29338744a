// Task (core.orka.ai/v1alpha1, namespaced): reference §1.3, seeds 000 and 001, DESIGN §3.
// Only `agent` and `ai` Tasks exist here (no container or cron Tasks).
import { Type } from '@sinclair/typebox';
import { MODEL_PROVIDERS, SkillReference, ToolReference, toolList } from './agent.ts';
import { ExecutionSpec, WorkspaceConfig } from './execution.ts';
import { conditionsList, EnvVar, NamespacedReference, ResourceRequirements } from './kubernetes.ts';
import { resourceSchema } from './meta.ts';
import { celRules, rules } from './rules.ts';
import { Duration, Int32, Obj, StringEnum, StringMap, Timestamp } from './shapes.ts';

export const TASK_TYPES = ['agent', 'ai'] as const;
export const TASK_PHASES = ['Pending', 'Running', 'Succeeded', 'Failed', 'Cancelled'] as const;

export const AgentRuntimeOverrides = Obj(
  {
    workspace: Type.Optional(WorkspaceConfig),
    maxTurns: Type.Optional(
      Int32({
        minimum: 1,
        maximum: 1000,
        description: "Agent loop iterations; overrides the Agent's defaultMaxTurns.",
      }),
    ),
    allowedTools: Type.Optional(
      toolList("Tools the agent may use; when non-empty replaces the Agent's defaultAllowedTools."),
    ),
    disallowedTools: Type.Optional(
      toolList('Tools the agent may not use; always wins over allowedTools.'),
    ),
    allowBash: Type.Optional(
      Type.Boolean({
        description: "Whether Bash is allowed; overrides the Agent's defaultAllowBash.",
      }),
    ),
  },
  { description: 'Task-level overrides of the Agent runtime defaults (all optional).' },
);

export const AISpec = Obj(
  {
    providerRef: Type.Optional(NamespacedReference("Provider; overrides the Agent's.")),
    provider: Type.Optional(StringEnum(MODEL_PROVIDERS, { description: 'Model provider.' })),
    model: Type.Optional(Type.String({ description: 'Model name.' })),
    prompt: Type.Optional(
      Type.String({ description: 'Instruction; used when spec.prompt is empty.' }),
    ),
    systemPrompt: Type.Optional(Type.String({ description: 'System prompt.' })),
    temperature: Type.Optional(
      Type.Number({ minimum: 0, maximum: 2, description: 'Sampling temperature.' }),
    ),
    maxTokens: Type.Optional(Int32({ minimum: 1, description: 'Output token limit.' })),
    skills: Type.Optional(Type.Array(SkillReference, { description: 'Skills.' })),
    tools: Type.Optional(Type.Array(ToolReference, { description: 'Tools.' })),
  },
  { description: 'Settings of type: ai Tasks, run by the built-in AI worker.' },
);

export const RequestedBy = Obj(
  {
    subject: Type.Optional(Type.String({ description: 'Subject (sub) of the token.' })),
    issuer: Type.Optional(Type.String({ description: 'Issuer of the token.' })),
    username: Type.Optional(Type.String({ description: 'Kubernetes or OIDC username.' })),
    email: Type.Optional(Type.String({ description: 'E-mail claim.' })),
    groups: Type.Optional(Type.Array(Type.String(), { description: 'Groups of the requester.' })),
    roles: Type.Optional(Type.Array(Type.String(), { description: 'Roles of the requester.' })),
  },
  {
    description:
      'Who asked for this Task: stamped at creation by the admission webhook or the REST API; immutable.',
  },
);

export const TransactionSpec = Obj(
  {
    profile: Type.Optional(Type.String({ description: 'Context-token profile, e.g. kontxt.' })),
    id: Type.Optional(Type.String({ description: 'Transaction id (txn claim).' })),
    issuer: Type.Optional(Type.String({ description: 'Issuer of the context token.' })),
    audience: Type.Optional(Type.Array(Type.String(), { description: 'Audience of the token.' })),
    subject: Type.Optional(Type.String({ description: 'Subject of the token.' })),
    requestingWorkload: Type.Optional(Type.String({ description: 'req_wl claim.' })),
    scope: Type.Optional(Type.String({ description: 'scope claim as sent.' })),
    scopes: Type.Optional(Type.Array(Type.String(), { description: 'The scope claim split.' })),
    contextDigest: Type.Optional(Type.String({ description: 'Digest of the tctx claim.' })),
    requesterContextDigest: Type.Optional(
      Type.String({ description: 'Digest of the rctx claim.' }),
    ),
    context: Type.Optional(
      StringMap(Type.String(), {
        description: 'The tctx constraints; list values as JSON text or CSV.',
      }),
    ),
  },
  {
    description:
      'The context (transaction) token this Task was created under: stamped by the REST API; immutable.',
  },
);

export const TaskSpec = Obj(
  {
    type: StringEnum(TASK_TYPES, {
      description:
        'agent: run an agent CLI (the Agent needs spec.runtime); ai: run the built-in AI worker.',
    }),
    agentRef: Type.Optional(
      NamespacedReference(
        "The Agent to run; required for type: agent. Namespace defaults to the Task's.",
      ),
    ),
    prompt: Type.Optional(
      Type.String({ description: 'Instruction sent to the agent; required for type: agent.' }),
    ),
    agentRuntime: Type.Optional(AgentRuntimeOverrides),
    workspace: Type.Optional(WorkspaceConfig),
    execution: Type.Optional(ExecutionSpec),
    resources: Type.Optional(ResourceRequirements),
    env: Type.Optional(
      Type.Array(EnvVar, { description: 'Extra environment variables of the worker container.' }),
    ),
    secretRef: Type.Optional(
      NamespacedReference(
        "Secret that overrides the Agent's secretRef for this Task (same namespace; namespace is ignored).",
      ),
    ),
    timeout: Type.Optional(
      Duration('Longest run before the Task is terminated (Go duration: 30m, 10m0s, 1h30m).'),
    ),
    priority: Type.Optional(
      Int32({
        minimum: 0,
        maximum: 1000,
        default: 500,
        description: 'Queue ordering when slots are limited: higher runs first (0-1000).',
      }),
    ),
    retryPolicy: Type.Optional(
      Obj(
        {
          maxRetries: Type.Optional(
            Int32({ minimum: 0, default: 0, description: 'Retries after a failed run.' }),
          ),
          backoffMultiplier: Type.Optional(
            Type.Number({
              minimum: 0,
              default: 2,
              description: 'Factor applied to the delay after each failed attempt.',
            }),
          ),
          initialDelay: Type.Optional(Duration('Delay before the first retry (default 10s).')),
        },
        { description: 'Retries of failed runs, with exponential backoff capped at 5 minutes.' },
      ),
    ),
    sessionRef: Type.Optional(
      Obj(
        {
          name: Type.String({ minLength: 1, description: 'Name of the session.' }),
          create: Type.Optional(
            Type.Boolean({
              default: false,
              description: 'Create the session if it does not exist.',
            }),
          ),
          append: Type.Optional(
            Type.Boolean({
              default: true,
              description: "Append this Task's prompt and result to the transcript.",
            }),
          ),
          maxMessages: Type.Optional(
            Int32({
              minimum: 1,
              default: 50,
              description: 'Newest transcript messages given to the agent.',
            }),
          ),
        },
        { description: 'Conversation continuity: Tasks of one session run one at a time.' },
      ),
    ),
    priorTaskRef: Type.Optional(
      NamespacedReference('A Task whose diff is applied to the workspace before this one runs.'),
    ),
    ai: Type.Optional(AISpec),
    requestedBy: Type.Optional(RequestedBy),
    transaction: Type.Optional(TransactionSpec),
  },
  {
    description: 'Desired state of the Task.',
    ...celRules(
      rules.requestedByImmutable,
      rules.transactionImmutable,
      rules.agentTaskNeedsAgentRef,
      rules.agentTaskNeedsPrompt,
    ),
  },
);

export const TaskStatus = Obj(
  {
    phase: Type.Optional(StringEnum(TASK_PHASES, { description: 'Lifecycle phase.' })),
    message: Type.Optional(Type.String({ description: 'Why the Task is in its phase.' })),
    jobName: Type.Optional(Type.String({ description: 'The current worker Job.' })),
    startTime: Type.Optional(Timestamp('When the current Job was created.')),
    completionTime: Type.Optional(Timestamp('When the Task finished.')),
    attempts: Type.Optional(Int32({ minimum: 0, description: 'Jobs created so far.' })),
    resultRef: Type.Optional(
      Obj(
        { available: Type.Boolean({ description: 'Whether the store holds a result.' }) },
        { description: 'Where the result is: fetch it from the REST API.' },
      ),
    ),
    observedGeneration: Type.Optional(
      Type.Integer({ format: 'int64', description: 'The generation the status describes.' }),
    ),
    conditions: Type.Optional(
      conditionsList('JobCreated, Complete, and the conditions that say why a Task waits.'),
    ),
  },
  { description: 'Observed state of the Task, written by the controller.' },
);

export const TaskSchema = resourceSchema(
  'core.orka.ai/v1alpha1',
  'Task',
  { spec: TaskSpec, status: Type.Optional(TaskStatus) },
  'A Task: one run of an agent (or the AI worker) on a prompt, as a hardened Job.',
);
