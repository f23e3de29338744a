import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { denialsBy, type Request, task } from './harness.ts';

const POLICY = 'orka-sandbox-workspace';
const ENABLED = { 'agent-sandbox-enabled': true, 'agent-sandbox-default-template': 'coding-agent' };
const withWorkspace = (workspace: Record<string, unknown>, spec: Record<string, unknown> = {}) =>
  task({ spec: { ...spec, execution: { workspace: { enabled: true, ...workspace } } } });

interface Case extends Request {
  name: string;
  want: string[];
  /** what the schema answers (then alone: no policy validates after a schema failure) */
  schema?: string[];
}

const cases: Case[] = [
  { name: 'a Task without a workspace request is not concerned', object: task(), want: [] },
  {
    name: 'workspace.enabled false is no request',
    object: task({ spec: { execution: { workspace: { enabled: false } } } }),
    want: [],
  },
  {
    name: 'a request needs the sandbox enabled',
    object: withWorkspace({ templateRef: { name: 'coding-agent' } }),
    want: ['execution workspace requires agent sandbox to be enabled'],
  },
  {
    name: 'with the sandbox disabled nothing else is reported',
    object: withWorkspace({ reusePolicy: 'session' }, { type: 'ai' }),
    want: ['execution workspace requires agent sandbox to be enabled'],
  },
  {
    name: 'a request with the default template is admitted',
    object: withWorkspace({}),
    flags: ENABLED,
    want: [],
  },
  {
    name: 'only agent Tasks may request a workspace',
    object: withWorkspace({}, { type: 'ai' }),
    flags: ENABLED,
    want: ['execution workspace is only supported for type: agent tasks'],
  },
  {
    name: 'a template is required without a default template',
    object: withWorkspace({}),
    flags: { 'agent-sandbox-enabled': true },
    want: [
      'execution workspace templateRef.name is required when no agent sandbox default template is configured',
    ],
  },
  {
    name: "the Task's own template suffices",
    object: withWorkspace({ templateRef: { name: 'python', namespace: 'sandboxes' } }),
    flags: { 'agent-sandbox-enabled': true },
    want: [],
  },
  {
    name: 'an unsupported reusePolicy is refused by the schema alone',
    object: withWorkspace({ reusePolicy: 'forever' }),
    flags: ENABLED,
    want: [],
    schema: [
      'spec.execution.workspace.reusePolicy: Unsupported value: "forever": supported values: "none", "session"',
    ],
  },
  {
    name: 'an unsupported cleanupPolicy is refused by the schema alone',
    object: withWorkspace({ cleanupPolicy: 'keep' }),
    flags: ENABLED,
    want: [],
    schema: [
      'spec.execution.workspace.cleanupPolicy: Unsupported value: "keep": supported values: "delete", "retain"',
    ],
  },
  {
    name: 'reusePolicy none and cleanupPolicy retain are supported',
    object: withWorkspace({ reusePolicy: 'none', cleanupPolicy: 'retain' }),
    flags: ENABLED,
    want: [],
  },
  {
    name: 'reusePolicy session needs spec.sessionRef.name',
    object: withWorkspace({ reusePolicy: 'session' }),
    flags: ENABLED,
    want: ['execution workspace reusePolicy "session" requires spec.sessionRef.name'],
  },
  {
    name: 'reusePolicy session with a session is admitted',
    object: withWorkspace({ reusePolicy: 'session' }, { sessionRef: { name: 'review' } }),
    flags: ENABLED,
    want: [],
  },
  {
    name: 'an unsupported warm pool policy in the controller config is reported',
    object: withWorkspace({}),
    flags: { ...ENABLED, 'agent-sandbox-warm-pool-policy': 'always' },
    want: ['unsupported agent sandbox warm pool policy "always"'],
  },
  {
    name: 'an unsupported namespace strategy in the controller config is reported',
    object: withWorkspace({}),
    flags: { ...ENABLED, 'agent-sandbox-namespace-strategy': 'cluster' },
    want: ['unsupported agent sandbox namespace strategy "cluster"'],
  },
  {
    name: 'an unsupported cleanup policy in the controller config is reported',
    object: withWorkspace({}),
    flags: { ...ENABLED, 'agent-sandbox-cleanup-policy': 'never' },
    want: ['unsupported agent sandbox cleanup policy "never"'],
  },
  {
    name: 'supported controller values are accepted',
    object: withWorkspace({}),
    flags: {
      ...ENABLED,
      'agent-sandbox-warm-pool-policy': 'template',
      'agent-sandbox-namespace-strategy': 'controller',
      'agent-sandbox-cleanup-policy': 'retain',
    },
    want: [],
  },
  {
    name: 'every failing rule is reported, in order',
    object: withWorkspace({ reusePolicy: 'session' }, { type: 'ai' }),
    flags: { 'agent-sandbox-enabled': true },
    want: [
      'execution workspace is only supported for type: agent tasks',
      'execution workspace templateRef.name is required when no agent sandbox default template is configured',
      'execution workspace reusePolicy "session" requires spec.sessionRef.name',
    ],
  },
  {
    name: 'a metadata-only UPDATE is not re-judged',
    oldObject: withWorkspace({}),
    object: withWorkspace({}, {}),
    want: [],
  },
  {
    name: 'an UPDATE that changes the spec is judged',
    oldObject: task(),
    object: withWorkspace({}),
    want: ['execution workspace requires agent sandbox to be enabled'],
  },
];

describe('orka-sandbox-workspace', () => {
  for (const { name, want, schema = [], ...request } of cases) {
    test(name, () => {
      assert.deepEqual(denialsBy(POLICY, request), want);
      assert.deepEqual(denialsBy('schema', request), schema);
    });
  }
});
