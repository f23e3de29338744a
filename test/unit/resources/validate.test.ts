import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { applyDefaults } from '../../../resources/defaults.ts';
import {
  formatFieldError,
  formatFieldErrors,
  parseResource,
  ResourceValidationError,
  validateResource,
} from '../../../resources/validate.ts';

const seedFolder = fileURLToPath(new URL('../../../examples/seeds/', import.meta.url));
const seeds: Record<string, unknown>[] = readdirSync(seedFolder)
  .sort()
  .map((file) => parse(readFileSync(join(seedFolder, file), 'utf8')));

const agent = (spec: Record<string, unknown>) => ({
  apiVersion: 'core.orka.ai/v1alpha1',
  kind: 'Agent',
  metadata: { name: 'a', namespace: 'team' },
  spec,
});
type Spec = Record<string, unknown>;
const task = (spec: Spec) => ({
  apiVersion: 'core.orka.ai/v1alpha1',
  kind: 'Task',
  metadata: { name: 't', namespace: 'team' },
  spec: { type: 'agent', agentRef: { name: 'a' }, prompt: 'do it', ...spec } as Spec,
});
const policy = (spec: Record<string, unknown>) => ({
  apiVersion: 'policy.orka.ai/v1alpha1',
  kind: 'AdmissionPolicy',
  metadata: { name: 'p' },
  spec: {
    matchConstraints: {
      resourceRules: [
        {
          apiGroups: ['core.orka.ai'],
          apiVersions: ['*'],
          resources: ['tasks'],
          operations: ['CREATE'],
        },
      ],
    },
    validations: [{ expression: 'true' }],
    ...spec,
  } as Spec,
});

const errorsOf = (object: unknown, old?: unknown) =>
  validateResource(object, old).errors.map(formatFieldError);

describe('validateResource', () => {
  test('every seed manifest is valid', () => {
    assert.equal(seeds.length, 12);
    for (const seed of seeds) assert.deepEqual(errorsOf(seed), [], JSON.stringify(seed));
  });

  const invalid: [string, unknown, string[]][] = [
    [
      'runtime type outside the enum',
      agent({ runtime: { type: 'gemini' } }),
      [
        'spec.runtime.type: Unsupported value: "gemini": supported values: "copilot", "claude", "codex"',
      ],
    ],
    ['runtime without its type', agent({ runtime: {} }), ['spec.runtime.type: Required value']],
    [
      'defaultMaxTurns above 1000',
      agent({ runtime: { type: 'claude', defaultMaxTurns: 1001 } }),
      [
        'spec.runtime.defaultMaxTurns: Invalid value: 1001: spec.runtime.defaultMaxTurns in body should be less than or equal to 1000',
      ],
    ],
    [
      'temperature below 0',
      agent({ model: { temperature: -1 } }),
      [
        'spec.model.temperature: Invalid value: -1: spec.model.temperature in body should be greater than or equal to 0',
      ],
    ],
    [
      'quantity that is no quantity',
      agent({ resources: { limits: { memory: 'lots' } } }),
      [
        `spec.resources.limits[memory]: Invalid value: "lots": spec.resources.limits[memory] in body should match '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$'`,
      ],
    ],
    [
      'nodeSelector value of the wrong type',
      agent({ execution: { nodeSelector: { disk: 3 } } }),
      [
        'spec.execution.nodeSelector[disk]: Invalid value: "integer": spec.execution.nodeSelector[disk] in body must be of type string: "integer"',
      ],
    ],
    [
      'unknown field',
      agent({ runtimeType: 'claude' }),
      ['spec.runtimeType: unknown field "spec.runtimeType"'],
    ],
    [
      'Task type container (not supported here)',
      task({ type: 'container' }),
      ['spec.type: Unsupported value: "container": supported values: "agent", "ai"'],
    ],
    ['Task without type', { ...task({}), spec: { prompt: 'x' } }, ['spec.type: Required value']],
    ['Task without spec', { ...task({}), spec: undefined }, ['spec: Required value']],
    [
      'priority above 1000',
      task({ priority: 2000 }),
      [
        'spec.priority: Invalid value: 2000: spec.priority in body should be less than or equal to 1000',
      ],
    ],
    [
      'priority of the wrong type',
      task({ priority: 'high' }),
      [
        'spec.priority: Invalid value: "string": spec.priority in body must be of type integer: "string"',
      ],
    ],
    [
      'timeout in days',
      task({ timeout: '1d' }),
      [
        `spec.timeout: Invalid value: "1d": spec.timeout in body should match '^(0|(([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+)$'`,
      ],
    ],
    [
      'agent Task without prompt',
      task({ prompt: undefined }),
      ['spec.prompt: Required value: prompt is required for type: agent tasks'],
    ],
    [
      'agent Task with an empty prompt',
      task({ prompt: '' }),
      ['spec.prompt: Required value: prompt is required for type: agent tasks'],
    ],
    [
      'agent Task without agentRef',
      task({ agentRef: undefined }),
      ['spec.agentRef: Required value: type: agent tasks require an agentRef'],
    ],
    [
      'ref and branch together (agentRuntime.workspace)',
      task({
        agentRuntime: { workspace: { gitRepo: 'https://x/y.git', ref: 'v1', branch: 'main' } },
      }),
      [
        'spec.agentRuntime.workspace: Invalid value: "object": ref and branch are mutually exclusive: set one of them',
      ],
    ],
    [
      'ref and branch together (top-level workspace)',
      task({ workspace: { ref: 'v1', branch: 'main' } }),
      [
        'spec.workspace: Invalid value: "object": ref and branch are mutually exclusive: set one of them',
      ],
    ],
    [
      'maxTurns 0',
      task({ agentRuntime: { maxTurns: 0 } }),
      [
        'spec.agentRuntime.maxTurns: Invalid value: 0: spec.agentRuntime.maxTurns in body should be greater than or equal to 1',
      ],
    ],
    [
      'sandbox reusePolicy outside the enum',
      task({ execution: { workspace: { enabled: true, reusePolicy: 'always' } } }),
      [
        'spec.execution.workspace.reusePolicy: Unsupported value: "always": supported values: "none", "session"',
      ],
    ],
    [
      'sessionRef without name',
      task({ sessionRef: { create: true } }),
      ['spec.sessionRef.name: Required value'],
    ],
    [
      'toleration with a field of the wrong type',
      task({ execution: { tolerations: [{ key: 'a', tolerationSeconds: 'long' }] } }),
      [
        'spec.execution.tolerations[0].tolerationSeconds: Invalid value: "string": spec.execution.tolerations[0].tolerationSeconds in body must be of type integer: "string"',
      ],
    ],
    [
      'status phase outside the enum',
      { ...task({}), status: { phase: 'Done' } },
      [
        'status.phase: Unsupported value: "Done": supported values: "Pending", "Running", "Succeeded", "Failed", "Cancelled"',
      ],
    ],
    [
      'condition without its required fields',
      { ...task({}), status: { conditions: [{ type: 'Complete', status: 'True' }] } },
      [
        'status.conditions[0].lastTransitionTime: Required value',
        'status.conditions[0].reason: Required value',
        'status.conditions[0].message: Required value',
      ],
    ],
    [
      'missing name',
      { ...task({}), metadata: {} },
      ['metadata.name: Required value: name or generateName is required'],
    ],
    ['missing metadata', { ...task({}), metadata: undefined }, ['metadata: Required value']],
    [
      'Deny and Warn together',
      policy({ validationActions: ['Deny', 'Warn'] }),
      [
        'spec.validationActions: Invalid value: "object": validationActions may not contain both Deny and Warn',
      ],
    ],
    [
      'duplicate validation action',
      policy({ validationActions: ['Audit', 'Audit'] }),
      ['spec.validationActions[1]: Duplicate value: "Audit"'],
    ],
    [
      'failurePolicy outside the enum',
      policy({ failurePolicy: 'Deny' }),
      ['spec.failurePolicy: Unsupported value: "Deny": supported values: "Fail", "Ignore"'],
    ],
    [
      'policy without matchConstraints',
      policy({ matchConstraints: undefined }),
      ['spec.matchConstraints: Required value'],
    ],
    [
      'params and paramRef together',
      policy({ params: { admins: ['x'] }, paramRef: { name: 'cm' } }),
      [
        'spec: Invalid value: "object": params and paramRef are mutually exclusive: set one of them',
      ],
    ],
    [
      'policy that does nothing',
      policy({ validations: [] }),
      [
        'spec: Invalid value: "object": at least one of validations, mutations or auditAnnotations is required',
      ],
    ],
    [
      'variable name that is no CEL identifier',
      policy({ variables: [{ name: 'my-tools', expression: '1' }] }),
      [
        `spec.variables[0].name: Invalid value: "my-tools": spec.variables[0].name in body should match '^[A-Za-z_][A-Za-z0-9_]*$'`,
      ],
    ],
    [
      'duplicate matchCondition names',
      policy({
        matchConditions: [
          { name: 'a', expression: 'true' },
          { name: 'a', expression: 'false' },
        ],
      }),
      ['spec.matchConditions[1]: Duplicate value: {"name":"a"}'],
    ],
    [
      'validation reason outside the enum',
      policy({ validations: [{ expression: 'true', reason: 'Nope' }] }),
      [
        'spec.validations[0].reason: Unsupported value: "Nope": supported values: "Unauthorized", "Forbidden", "Invalid", "RequestEntityTooLarge"',
      ],
    ],
    [
      'unknown kind',
      { apiVersion: 'core.orka.ai/v1alpha1', kind: 'Session', metadata: { name: 's' } },
      [
        'kind: Unsupported value: no matches for kind "Session" in version "core.orka.ai/v1alpha1": supported kinds: core.orka.ai/v1alpha1 Agent, core.orka.ai/v1alpha1 Task, policy.orka.ai/v1alpha1 AdmissionPolicy',
      ],
    ],
    [
      'no apiVersion nor kind',
      { metadata: { name: 's' } },
      ['apiVersion: Required value', 'kind: Required value'],
    ],
    ['not an object', 'Task', ['Invalid value: "Task": must be an object']],
  ];
  for (const [name, object, expected] of invalid) {
    test(`invalid: ${name}`, () => {
      const result = validateResource(object);
      assert.equal(result.valid, false);
      assert.deepEqual(result.errors.map(formatFieldError), expected);
    });
  }

  test('all errors are reported at once', () => {
    const errors = errorsOf(task({ priority: -1, timeout: 'soon', prompt: '' }));
    assert.equal(errors.length, 3);
  });

  test('the detected kind is reported', () => {
    assert.equal(validateResource(seeds[0]).kind, 'Agent');
    assert.equal(validateResource(policy({})).kind, 'AdmissionPolicy');
  });

  const transitions: [string, Record<string, unknown>, Record<string, unknown>, string[]][] = [
    [
      'requestedBy added',
      {},
      { requestedBy: { username: 'mallory' } },
      ['spec: Invalid value: "object": requestedBy is immutable'],
    ],
    [
      'requestedBy changed',
      { requestedBy: { username: 'alice' } },
      { requestedBy: { username: 'bob' } },
      ['spec: Invalid value: "object": requestedBy is immutable'],
    ],
    [
      'requestedBy removed',
      { requestedBy: { username: 'alice' } },
      {},
      ['spec: Invalid value: "object": requestedBy is immutable'],
    ],
    [
      'requestedBy unchanged, key order differs',
      { requestedBy: { username: 'alice', groups: ['a'] } },
      { requestedBy: { groups: ['a'], username: 'alice' } },
      [],
    ],
    [
      'transaction changed',
      { transaction: { id: '1' } },
      { transaction: { id: '2' } },
      ['spec: Invalid value: "object": transaction is immutable'],
    ],
    [
      'transaction scopes reordered',
      { transaction: { scopes: ['a', 'b'] } },
      { transaction: { scopes: ['b', 'a'] } },
      ['spec: Invalid value: "object": transaction is immutable'],
    ],
    ['other fields change freely', { priority: 1 }, { priority: 2, prompt: 'new' }, []],
  ];
  for (const [name, before, after, expected] of transitions) {
    test(`update: ${name}`, () => {
      assert.deepEqual(errorsOf(task(after), task(before)), expected);
    });
  }

  test('transition rules do not apply on create', () => {
    assert.deepEqual(errorsOf(task({ requestedBy: { username: 'alice' } })), []);
  });
});

describe('applyDefaults', () => {
  test('fills the CRD defaults the way the apiserver does, without touching the input', () => {
    const input = task({
      sessionRef: { name: 's' },
      execution: { workspace: {} },
      retryPolicy: {},
    });
    const snapshot = structuredClone(input);
    const defaulted = applyDefaults(input);
    assert.deepEqual(input, snapshot);
    assert.equal(defaulted.spec.priority, 500);
    assert.deepEqual(defaulted.spec.sessionRef, {
      name: 's',
      create: false,
      append: true,
      maxMessages: 50,
    });
    assert.deepEqual(defaulted.spec.execution, {
      workspace: { enabled: false, reusePolicy: 'none' },
    });
    assert.deepEqual(defaulted.spec.retryPolicy, { maxRetries: 0, backoffMultiplier: 2 });
  });

  test('absent parents are not created; present ones get their defaults', () => {
    const bare = applyDefaults(agent({}));
    assert.deepEqual(bare.spec, {});
    const withRuntime = applyDefaults(agent({ runtime: { type: 'codex' }, model: { name: 'm' } }));
    assert.deepEqual(withRuntime.spec, {
      runtime: { type: 'codex', defaultMaxTurns: 50 },
      model: { name: 'm', temperature: 0.7 },
    });
  });

  test('null fields are pruned, then defaulted', () => {
    const defaulted = applyDefaults(task({ priority: null, timeout: null }));
    assert.equal(defaulted.spec.priority, 500);
    assert.ok(!('timeout' in defaulted.spec));
  });

  test('policy defaults: failurePolicy Fail, validationActions [Deny]; list items defaulted', () => {
    const defaulted = applyDefaults(policy({}));
    assert.equal(defaulted.spec.failurePolicy, 'Fail');
    assert.deepEqual(defaulted.spec.validationActions, ['Deny']);
    const tools = applyDefaults(agent({ tools: [{ name: 'x' }] }));
    assert.deepEqual(tools.spec.tools, [{ name: 'x', enabled: true }]);
  });

  test('an object of another kind is refused, naming it', () => {
    assert.throws(
      () => applyDefaults({ apiVersion: 'v1', kind: 'Pod' }),
      /no Orka kind "Pod" in version "v1"/,
    );
  });
});

describe('parseResource', () => {
  test('returns the defaulted resource', () => {
    const parsed = parseResource(task({}));
    assert.equal(parsed.kind, 'Task');
    assert.equal(parsed.kind === 'Task' && parsed.spec.priority, 500);
  });

  test('throws naming the object and every problem', () => {
    assert.throws(
      () => parseResource(task({ priority: 2000, prompt: '' })),
      (error: unknown) => {
        assert.ok(error instanceof ResourceValidationError);
        assert.equal(error.errors.length, 2);
        assert.equal(error.message, `Task "t" is invalid: ${formatFieldErrors(error.errors)}`);
        assert.match(
          error.message,
          /^Task "t" is invalid: \[spec\.priority: Invalid value: 2000: .*, spec\.prompt: Required value: /,
        );
        return true;
      },
    );
  });
});
