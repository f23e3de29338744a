import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Activation, CompiledExpression } from '../../../policy/admission-policy/types.ts';
import { createCelBudget } from '../../../policy/cel/engine.ts';
import { admit, denialMessage } from '../../../policy/chain/admit.ts';
import { PolicyVariables } from '../../../policy/evaluate/variables.ts';
import { context, policy, task, taskRequest } from './helpers.ts';

const deny = (name: string, expression: string, extra: Record<string, unknown> = {}) =>
  policy(name, { validations: [{ expression, ...extra }] });

describe('matching', () => {
  const cases: [string, Record<string, unknown>, boolean][] = [
    ['resourceRules match', {}, true],
    [
      'excludeResourceRules win',
      {
        matchConstraints: {
          resourceRules: [
            { apiGroups: ['*'], apiVersions: ['*'], resources: ['*'], operations: ['*'] },
          ],
          excludeResourceRules: [
            {
              apiGroups: ['core.orka.ai'],
              apiVersions: ['*'],
              resources: ['tasks'],
              operations: ['CREATE'],
            },
          ],
        },
      },
      false,
    ],
    [
      'namespaceSelector against the Namespace labels',
      {
        matchConstraints: {
          resourceRules: [
            {
              apiGroups: ['core.orka.ai'],
              apiVersions: ['*'],
              resources: ['tasks'],
              operations: ['*'],
            },
          ],
          namespaceSelector: { matchLabels: { tenant: 'true' } },
        },
      },
      true,
    ],
    [
      'namespaceSelector miss',
      {
        matchConstraints: {
          resourceRules: [
            {
              apiGroups: ['core.orka.ai'],
              apiVersions: ['*'],
              resources: ['tasks'],
              operations: ['*'],
            },
          ],
          namespaceSelector: { matchLabels: { tenant: 'false' } },
        },
      },
      false,
    ],
    [
      'objectSelector against the object labels',
      {
        matchConstraints: {
          resourceRules: [
            {
              apiGroups: ['core.orka.ai'],
              apiVersions: ['*'],
              resources: ['tasks'],
              operations: ['*'],
            },
          ],
          objectSelector: { matchExpressions: [{ key: 'team', operator: 'In', values: ['a'] }] },
        },
      },
      true,
    ],
    [
      'a false matchCondition skips',
      { matchConditions: [{ name: 'never', expression: 'false' }] },
      false,
    ],
  ];
  const namespaceObject = {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'default', labels: { tenant: 'true' } },
  };
  for (const [name, spec, matches] of cases) {
    test(name, () => {
      const p = policy('p', {
        validations: [{ expression: 'false', message: 'refused' }],
        ...spec,
      });
      const decision = admit(
        taskRequest(task({}, { labels: { team: 'a' } })),
        context([p], { namespaceObject }),
      );
      assert.equal(decision.allowed, !matches);
    });
  }
});

describe('failurePolicy', () => {
  const erroring = "object.spec.missing == 'x'";
  const cases: [string, 'Fail' | 'Ignore', 'matchCondition' | 'validation', boolean][] = [
    ['matchCondition error under Fail denies', 'Fail', 'matchCondition', false],
    ['matchCondition error under Ignore skips', 'Ignore', 'matchCondition', true],
    ['validation error under Fail denies', 'Fail', 'validation', false],
    ['validation error under Ignore passes', 'Ignore', 'validation', true],
  ];
  for (const [name, failurePolicy, where, allowed] of cases) {
    test(name, () => {
      const spec =
        where === 'matchCondition'
          ? {
              failurePolicy,
              matchConditions: [{ name: 'c', expression: erroring }],
              validations: [{ expression: 'true' }],
            }
          : { failurePolicy, validations: [{ expression: erroring }] };
      const decision = admit(taskRequest(task()), context([policy('p', spec)]));
      assert.equal(decision.allowed, allowed);
      if (!allowed) {
        assert.equal(decision.denials[0]!.reason, 'InternalError');
        assert.equal(decision.code, 500);
        assert.match(
          decision.denials[0]!.message,
          /spec\.(matchConditions|validations)\[0\]\.expression: evaluation error/,
        );
      }
    });
  }

  test('a matchCondition that is false wins over one that errors', () => {
    const p = policy('p', {
      matchConditions: [
        { name: 'err', expression: erroring },
        { name: 'no', expression: 'false' },
      ],
      validations: [{ expression: 'false' }],
    });
    assert.equal(admit(taskRequest(task()), context([p])).allowed, true);
  });

  test('step-budget exhaustion under Fail is an InternalError denial', () => {
    const p = policy('loop', {
      params: { n: Array.from({ length: 200 }, (_, i) => i) },
      validations: [{ expression: 'params.n.all(a, params.n.all(b, a + b >= 0))' }],
    });
    const decision = admit(taskRequest(task()), context([p], { budget: createCelBudget(1000) }));
    assert.equal(decision.allowed, false);
    assert.equal(decision.denials[0]!.reason, 'InternalError');
    assert.match(decision.denials[0]!.message, /budget of 1000 steps/);
  });

  test('the budget is shared across the whole request', () => {
    const p = (name: string) =>
      policy(name, {
        params: { n: Array.from({ length: 30 }, (_, i) => i) },
        validations: [{ expression: 'params.n.all(a, a >= 0)' }],
      });
    const budget = createCelBudget(50);
    const decision = admit(taskRequest(task()), context([p('a'), p('b')], { budget }));
    assert.deepEqual(
      decision.denials.map((d) => [d.policy, d.reason]),
      [['b', 'InternalError']],
    );
  });
});

describe('messages, actions and reasons', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['static message', { message: 'no' }, 'no'],
    [
      'messageExpression wins over message',
      { message: 'no', messageExpression: "'dynamic ' + object.metadata.name" },
      'dynamic fix-tests',
    ],
    [
      'an erroring messageExpression falls back to message',
      { message: 'no', messageExpression: 'object.spec.missing' },
      'no',
    ],
    [
      'a multi-line messageExpression falls back',
      { message: 'no', messageExpression: "'a\\nb'" },
      'no',
    ],
    ['default message names the expression', {}, 'failed expression: false'],
  ];
  for (const [name, extra, message] of cases) {
    test(name, () => {
      const decision = admit(taskRequest(task()), context([deny('p', 'false', extra)]));
      assert.equal(decision.denials[0]!.message, message);
    });
  }

  test('Warn admits with a prefixed warning', () => {
    const p = policy('soft', {
      validationActions: ['Warn'],
      validations: [{ expression: 'false', message: 'careful' }],
    });
    const decision = admit(taskRequest(task()), context([p]));
    assert.equal(decision.allowed, true);
    assert.deepEqual(decision.warnings, ['soft: careful']);
  });

  test('Audit admits with an audit annotation', () => {
    const p = policy('quiet', {
      validationActions: ['Audit'],
      validations: [{ expression: 'false', message: 'noted' }],
    });
    const decision = admit(taskRequest(task()), context([p]));
    assert.equal(decision.allowed, true);
    const entries = JSON.parse(decision.auditAnnotations['quiet/validation_failure']!);
    assert.equal(entries[0].message, 'noted');
  });

  test('auditAnnotations publish <policy>/<key>; null omits', () => {
    const p = policy('a', {
      auditAnnotations: [
        { key: 'name', valueExpression: 'object.metadata.name' },
        { key: 'none', valueExpression: 'null' },
      ],
    });
    const decision = admit(taskRequest(task()), context([p]));
    assert.deepEqual(decision.auditAnnotations, { 'a/name': 'fix-tests' });
  });

  test('a schema failure is the whole answer: no policy validates after it, as in the apiserver', () => {
    const decision = admit(
      taskRequest(task({ priority: 2000 })),
      context([
        deny('zeta', 'false', { message: 'z', reason: 'Forbidden' }),
        deny('alpha', 'false', { message: 'a', reason: 'Unauthorized' }),
      ]),
    );
    assert.deepEqual(
      decision.denials.map((d) => d.policy),
      ['schema'],
    );
    assert.equal(decision.code, 422);
    assert.match(denialMessage(decision), /^schema: spec\.priority: Invalid value: 2000[^;]*$/);
    assert.deepEqual(decision.results, []);
  });

  test('all failing validations reported: custom policies by name; first reason sets the code', () => {
    const decision = admit(
      taskRequest(task()),
      context([
        deny('zeta', 'false', { message: 'z', reason: 'Forbidden' }),
        deny('alpha', 'false', { message: 'a', reason: 'Unauthorized' }),
      ]),
    );
    assert.deepEqual(
      decision.denials.map((d) => d.policy),
      ['alpha', 'zeta'],
    );
    assert.equal(decision.code, 401);
    assert.equal(denialMessage(decision), 'alpha: a; zeta: z');
  });

  test('without schema failures the first policy reason sets the code', () => {
    const decision = admit(
      taskRequest(task()),
      context([
        deny('b', 'false', { reason: 'Forbidden' }),
        deny('c', 'false', { reason: 'Invalid' }),
      ]),
    );
    assert.equal(decision.code, 403);
  });

  test('dry-run requests get the same decision', () => {
    const policies = [deny('p', "object.spec.prompt != 'Fix the tests'")];
    const wet = admit(taskRequest(task()), context(policies));
    const dry = admit(taskRequest(task(), { dryRun: true }), context(policies));
    assert.deepEqual(dry, wet);
  });
});

describe('variables', () => {
  test('evaluated lazily and at most once', () => {
    let evaluations = 0;
    const counting: CompiledExpression = {
      path: 'spec.variables[0].expression',
      source: 'x',
      evaluate: () => {
        evaluations++;
        return 42n;
      },
    };
    const activation: Activation = {};
    const variables = new PolicyVariables(
      [{ name: 'x', expression: counting }],
      activation,
      createCelBudget(),
    );
    assert.equal(evaluations, 0);
    assert.equal(variables.field('x'), 42n);
    assert.equal(variables.whole().x, 42n);
    assert.equal(variables.field('x'), 42n);
    assert.equal(evaluations, 1);
  });

  test('a variable used by several validations', () => {
    const p = policy('v', {
      variables: [{ name: 'prompt', expression: 'object.spec.prompt' }],
      validations: [
        { expression: "variables.prompt.startsWith('Fix')" },
        { expression: 'size(variables.prompt) > 100', message: 'too short' },
      ],
    });
    assert.deepEqual(
      admit(taskRequest(task()), context([p])).denials.map((d) => d.message),
      ['too short'],
    );
  });
});

describe('mutations', () => {
  const gvisor = policy('gvisor', {
    mutations: [
      {
        expression:
          "has(object.spec.execution) ? [{'op': 'add', 'path': '/spec/execution/runtimeClassName', 'value': 'gvisor'}] : [{'op': 'add', 'path': '/spec/execution', 'value': {'runtimeClassName': 'gvisor'}}]",
      },
    ],
  });

  test('patches apply in order and validations see the result', () => {
    const check = deny('check', "object.spec.execution.runtimeClassName == 'gvisor'");
    const decision = admit(
      taskRequest(task({ execution: { runtimeClassName: 'kata' } })),
      context([gvisor, check]),
    );
    assert.equal(decision.allowed, true);
    assert.deepEqual(decision.patch[1], {
      op: 'add',
      path: '/spec/execution/runtimeClassName',
      value: 'gvisor',
    });
  });

  test('defaults, policy mutation and requester stamp all appear in the patch', () => {
    const decision = admit(taskRequest(task()), context([gvisor]));
    assert.deepEqual(
      decision.patch.map((op) => op.path),
      ['/spec/priority', '/spec/execution', '/spec/requestedBy'],
    );
    assert.deepEqual((decision.object!.spec as Record<string, unknown>).requestedBy, {
      username: 'alice',
      groups: ['system:authenticated'],
    });
  });

  test('no requester stamp on UPDATE or over a client value', () => {
    const stamped = task({ requestedBy: { username: 'bob', groups: [] } });
    assert.ok(
      !admit(taskRequest(stamped), context([])).patch.some((op) => op.path === '/spec/requestedBy'),
    );
    const update = admit(
      taskRequest(task(), { operation: 'UPDATE', oldObject: task() }),
      context([]),
    );
    assert.ok(!update.patch.some((op) => op.path === '/spec/requestedBy'));
  });

  test('integers a mutation writes are plain JSON numbers that pass the schema', () => {
    const p = policy('priority', {
      mutations: [{ expression: "[{'op': 'replace', 'path': '/spec/priority', 'value': 600}]" }],
    });
    const decision = admit(taskRequest(task()), context([p]));
    assert.equal(decision.allowed, true, JSON.stringify(decision.denials));
    assert.deepEqual(decision.patch[1], { op: 'replace', path: '/spec/priority', value: 600 });
  });

  test('a patch whose parent does not exist fails under Fail', () => {
    const p = policy('bad', {
      mutations: [
        { expression: "[{'op': 'add', 'path': '/spec/workspace/gitRepo', 'value': 'x'}]" },
      ],
    });
    const decision = admit(taskRequest(task()), context([p]));
    assert.equal(decision.allowed, false);
    assert.match(decision.denials[0]!.message, /parent does not exist/);
    assert.equal(decision.denials[0]!.reason, 'InternalError');
  });

  test('a provenance change not visible statically is rejected at evaluation', () => {
    const sneaky = policy('sneaky', {
      mutations: [
        {
          expression:
            "[{'op': 'add', 'path': '/spec/' + 'requestedBy', 'value': {'username': 'root'}}]",
        },
      ],
    });
    const decision = admit(taskRequest(task()), context([sneaky]));
    assert.equal(decision.allowed, false);
    assert.equal(decision.denials[0]!.reason, 'Forbidden');
    assert.match(decision.denials[0]!.message, /provenance fields: spec\.requestedBy/);
    assert.deepEqual((decision.object!.spec as { requestedBy: unknown }).requestedBy, {
      username: 'alice',
      groups: ['system:authenticated'],
    });
  });
});

describe('what custom policies never see', () => {
  const refuseAll = policy('refuse-all', {
    matchConstraints: {
      resourceRules: [
        { apiGroups: ['*'], apiVersions: ['*'], resources: ['*', '*/*'], operations: ['*'] },
      ],
    },
    validations: [{ expression: 'false' }],
  });
  const controller = 'system:serviceaccount:orka-system:orka';

  test('AdmissionPolicy objects', () => {
    const request = taskRequest(
      { apiVersion: 'policy.orka.ai/v1alpha1', kind: 'AdmissionPolicy', metadata: { name: 'x' } },
      {
        kind: { group: 'policy.orka.ai', version: 'v1alpha1', kind: 'AdmissionPolicy' },
        resource: { group: 'policy.orka.ai', version: 'v1alpha1', resource: 'admissionpolicies' },
        namespace: '',
        operation: 'DELETE',
        object: null,
        oldObject: {
          apiVersion: 'policy.orka.ai/v1alpha1',
          kind: 'AdmissionPolicy',
          metadata: { name: 'x' },
        },
      },
    );
    assert.equal(admit(request, context([refuseAll])).allowed, true);
  });

  test('status writes', () => {
    const request = taskRequest(task(), {
      operation: 'UPDATE',
      oldObject: task(),
      subResource: 'status',
    });
    assert.equal(admit(request, context([refuseAll])).allowed, true);
  });

  test("the controller's finalizer-only update", () => {
    const withFinalizer = task({}, { finalizers: ['orka.ai/cleanup'] });
    const request = taskRequest(task(), {
      operation: 'UPDATE',
      oldObject: withFinalizer,
      userInfo: { username: controller, groups: [] },
    });
    assert.equal(admit(request, context([refuseAll])).allowed, true);
  });

  test('but the controller changing the spec is seen', () => {
    const request = taskRequest(task({ prompt: 'other' }), {
      operation: 'UPDATE',
      oldObject: task(),
      userInfo: { username: controller, groups: [] },
    });
    assert.equal(admit(request, context([refuseAll])).allowed, false);
  });
});

describe('activation', () => {
  test('requester is spec.requestedBy when stamped, tctx parses list values, config from flags', () => {
    const p = policy('vars', {
      validations: [
        {
          expression: "requester.username == 'bob' && 'ops' in requester.groups",
          message: 'requester',
        },
        { expression: "request.userInfo.username == 'alice'", message: 'userInfo' },
        {
          expression: "tctx.allowedTools == ['Read', 'Write'] && tctx.namespace == 'default'",
          message: 'tctx',
        },
        {
          expression: 'config.provenance.enabled && config.maxTasksPerNamespace == 0',
          message: 'config',
        },
        {
          expression: "effective.maxTurns == 50 && effective.toolSet == ['Bash']",
          message: 'effective',
        },
      ],
    });
    const object = task({
      requestedBy: { username: 'bob', groups: ['ops'] },
      transaction: {
        id: 'tx',
        context: { allowedTools: '["Read","Write"]', namespace: ' default ' },
      },
    });
    const decision = admit(taskRequest(object), context([p]));
    assert.deepEqual(
      decision.denials.filter((d) => d.policy === 'vars'),
      [],
    );
  });

  test('an unknown Agent gives the orka-task-semantics warning when built-ins are on', () => {
    const builtin = policy('orka-task-semantics', { validations: [{ expression: 'true' }] }, true);
    const decision = admit(taskRequest(task()), {
      ...context([]),
      policies: { builtin: [builtin], custom: [] },
    });
    assert.deepEqual(decision.warnings, [
      'orka-task-semantics: agent "claude-agent" not found in namespace "default"',
    ]);
  });
});
