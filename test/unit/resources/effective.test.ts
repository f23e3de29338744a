import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type EffectiveValues,
  effectiveExecution,
  effectiveValues,
} from '../../../resources/effective.ts';
import type { Agent, AgentSpec, Task, TaskSpec } from '../../../resources/types.ts';

const agent = (spec: AgentSpec): Agent => ({
  apiVersion: 'core.orka.ai/v1alpha1',
  kind: 'Agent',
  metadata: { name: 'claude-agent' },
  spec,
});
const task = (spec: Partial<TaskSpec>): Task => ({
  apiVersion: 'core.orka.ai/v1alpha1',
  kind: 'Task',
  metadata: { name: 't' },
  spec: { type: 'agent', agentRef: { name: 'claude-agent' }, prompt: 'p', ...spec },
});

const claude = agent({
  runtime: {
    type: 'claude',
    defaultMaxTurns: 30,
    defaultAllowBash: true,
    defaultAllowedTools: ['Read', 'Write', 'Bash', 'Grep'],
  },
  secretRef: { name: 'claude-api-key' },
});

type Case = [string, Task, Agent | null, Partial<EffectiveValues>];

const cases: Case[] = [
  [
    'no Agent: defaults only (maxTurns 50, Bash allowed, nothing listed)',
    task({}),
    null,
    {
      runtimeType: null,
      allowedTools: [],
      disallowedTools: [],
      toolSet: ['Bash'],
      allowBash: true,
      maxTurns: 50,
      workspace: null,
      execution: {},
      secretRef: null,
    },
  ],
  [
    'Agent defaults apply when the Task says nothing (§6.3 rows 9, 10, 12)',
    task({}),
    claude,
    {
      runtimeType: 'claude',
      allowedTools: ['Read', 'Write', 'Bash', 'Grep'],
      toolSet: ['Read', 'Write', 'Bash', 'Grep'],
      allowBash: true,
      maxTurns: 30,
      secretRef: 'claude-api-key',
    },
  ],
  [
    "a non-empty Task list replaces the Agent's (no union, §7.1)",
    task({ agentRuntime: { allowedTools: ['Read', 'Glob'] } }),
    claude,
    { allowedTools: ['Read', 'Glob'], toolSet: ['Read', 'Glob', 'Bash'] },
  ],
  [
    "an empty Task list falls back to the Agent's",
    task({ agentRuntime: { allowedTools: [] } }),
    claude,
    { allowedTools: ['Read', 'Write', 'Bash', 'Grep'] },
  ],
  [
    'disallowedTools always wins over allowedTools (seed 000)',
    task({
      agentRuntime: {
        allowedTools: ['Read', 'Write', 'WebFetch'],
        disallowedTools: ['WebFetch', 'Write'],
      },
    }),
    claude,
    { allowedTools: ['Read'], disallowedTools: ['WebFetch', 'Write'], toolSet: ['Read', 'Bash'] },
  ],
  [
    "disallowedTools also removes the Agent's defaults",
    task({ agentRuntime: { disallowedTools: ['Grep'] } }),
    claude,
    { allowedTools: ['Read', 'Write', 'Bash'] },
  ],
  [
    'disallowing Bash turns allowBash off even when the Task allows it',
    task({ agentRuntime: { allowBash: true, disallowedTools: ['Bash'] } }),
    claude,
    {
      allowBash: false,
      allowedTools: ['Read', 'Write', 'Grep'],
      toolSet: ['Read', 'Write', 'Grep'],
    },
  ],
  [
    'Task allowBash false beats Agent true and removes Bash from allowedTools',
    task({ agentRuntime: { allowBash: false } }),
    claude,
    {
      allowBash: false,
      allowedTools: ['Read', 'Write', 'Grep'],
      toolSet: ['Read', 'Write', 'Grep'],
    },
  ],
  [
    'Task allowBash true beats Agent false',
    task({ agentRuntime: { allowBash: true } }),
    agent({ runtime: { type: 'codex', defaultAllowBash: false } }),
    { allowBash: true, toolSet: ['Bash'], runtimeType: 'codex' },
  ],
  [
    'Agent defaultAllowBash false applies when the Task is silent',
    task({}),
    agent({
      runtime: { type: 'claude', defaultAllowBash: false, defaultAllowedTools: ['Bash', 'Read'] },
    }),
    { allowBash: false, allowedTools: ['Read'], toolSet: ['Read'] },
  ],
  ['maxTurns: Task > Agent', task({ agentRuntime: { maxTurns: 100 } }), claude, { maxTurns: 100 }],
  [
    'maxTurns: Agent without defaultMaxTurns gives 50',
    task({}),
    agent({ runtime: { type: 'claude' } }),
    { maxTurns: 50 },
  ],
  [
    'duplicates in the lists are dropped',
    task({ agentRuntime: { allowedTools: ['Read', 'Read'], disallowedTools: ['X', 'X'] } }),
    null,
    { allowedTools: ['Read'], disallowedTools: ['X'] },
  ],
  [
    'workspace: agentRuntime.workspace when no top-level one',
    task({ agentRuntime: { workspace: { gitRepo: 'https://e/r.git', branch: 'main' } } }),
    null,
    { workspace: { gitRepo: 'https://e/r.git', branch: 'main' } },
  ],
  [
    'workspace: top-level wins over agentRuntime.workspace',
    task({
      workspace: { gitRepo: 'https://e/top.git' },
      agentRuntime: { workspace: { gitRepo: 'https://e/inner.git' } },
    }),
    null,
    { workspace: { gitRepo: 'https://e/top.git' } },
  ],
  [
    "secretRef: the Task's overrides the Agent's (DESIGN §12 X4)",
    task({ secretRef: { name: 'different-api-key' } }),
    claude,
    { secretRef: 'different-api-key' },
  ],
  [
    'secretRef: an empty Agent name is no Secret',
    task({}),
    agent({ runtime: { type: 'claude' }, secretRef: { name: '' } }),
    { secretRef: null },
  ],
];

describe('effectiveValues', () => {
  for (const [name, t, a, expected] of cases) {
    test(name, () => {
      const actual = effectiveValues(t, a);
      for (const [key, value] of Object.entries(expected)) {
        assert.deepEqual(actual[key as keyof EffectiveValues], value, key);
      }
    });
  }

  test('the result shares no objects with its inputs', () => {
    const t = task({ workspace: { gitRepo: 'r' }, execution: { tolerations: [{ key: 'k' }] } });
    const values = effectiveValues(t, null);
    values.workspace!.gitRepo = 'changed';
    values.execution.tolerations![0]!.key = 'changed';
    assert.equal(t.spec.workspace!.gitRepo, 'r');
    assert.equal(t.spec.execution!.tolerations![0]!.key, 'k');
  });
});

describe('effectiveExecution (reference §1.4)', () => {
  const gvisorAgent = agent({
    runtime: { type: 'claude' },
    execution: {
      runtimeClassName: 'gvisor',
      nodeSelector: { 'sandbox-runtime': 'gvisor' },
      tolerations: [
        { key: 'sandbox-runtime', operator: 'Equal', value: 'gvisor', effect: 'NoSchedule' },
      ],
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: {} } },
    },
  });

  const cases: [string, Task, Agent | null, unknown][] = [
    ['the Agent alone', task({}), gvisorAgent, gvisorAgent.spec.execution],
    [
      "the Task's runtimeClassName and nodeSelector win; the rest stays the Agent's",
      task({
        execution: { runtimeClassName: 'kata-qemu', nodeSelector: { 'sandbox-runtime': 'kata' } },
      }),
      gvisorAgent,
      {
        runtimeClassName: 'kata-qemu',
        nodeSelector: { 'sandbox-runtime': 'kata' },
        tolerations: gvisorAgent.spec.execution!.tolerations,
        affinity: gvisorAgent.spec.execution!.affinity,
      },
    ],
    [
      "an empty Task runtimeClassName keeps the Agent's",
      task({ execution: { runtimeClassName: '' } }),
      gvisorAgent,
      gvisorAgent.spec.execution,
    ],
    [
      'explicit empty nodeSelector, tolerations and affinity clear the Agent values',
      task({ execution: { nodeSelector: {}, tolerations: [], affinity: {} } }),
      gvisorAgent,
      { runtimeClassName: 'gvisor' },
    ],
    [
      "the Task's sandbox workspace request is carried; the Agent's never is",
      task({ execution: { workspace: { enabled: true, reusePolicy: 'session' } } }),
      agent({
        runtime: { type: 'claude' },
        execution: { workspace: { enabled: true, templateRef: { name: 'x' } } },
      }),
      { workspace: { enabled: true, reusePolicy: 'session' } },
    ],
    ['nothing anywhere', task({}), null, {}],
  ];
  for (const [name, t, a, expected] of cases) {
    test(name, () => assert.deepEqual(effectiveExecution(t, a), expected));
  }
});
