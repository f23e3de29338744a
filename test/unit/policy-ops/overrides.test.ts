// Per-namespace action overrides: the lowering table, then the chain with Namespace labels
// (custom policies lowered, built-ins never, bad values ignored with a warning).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ValidationAction } from '../../../policy/admission-policy/types.ts';
import { compileBuiltins } from '../../../policy/builtin/index.ts';
import { admit } from '../../../policy/chain/admit.ts';
import { applyNamespaceOverrides, lowerActions } from '../../../policy/chain/overrides.ts';
import type { KubeObject } from '../../../policy/chain/request.ts';
import { compiler, context, policy, task, taskRequest } from '../policy/helpers.ts';

describe('lowerActions', () => {
  const table: [ValidationAction[], 'Warn' | 'Audit', ValidationAction[]][] = [
    [['Deny'], 'Warn', ['Warn']],
    [['Deny'], 'Audit', ['Audit']],
    [['Deny', 'Audit'], 'Warn', ['Warn', 'Audit']],
    [['Deny', 'Audit'], 'Audit', ['Audit']],
    [['Warn'], 'Warn', ['Warn']],
    [['Warn'], 'Audit', ['Audit']],
    [['Warn', 'Audit'], 'Audit', ['Audit']],
    [['Warn', 'Audit'], 'Warn', ['Warn', 'Audit']],
    // never raised
    [['Audit'], 'Warn', ['Audit']],
    [['Audit'], 'Audit', ['Audit']],
  ];
  for (const [actions, ceiling, expected] of table) {
    test(`${actions.join('+')} with ${ceiling} → ${expected.join('+')}`, () => {
      assert.deepEqual(lowerActions(actions, ceiling), expected);
    });
  }
});

const namespace = (labels: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name: 'default', labels },
});

const noBash = (validationActions: ValidationAction[]) =>
  policy('no-bash', {
    validationActions,
    validations: [{ expression: '!effective.allowBash', message: 'Bash is not allowed' }],
  });

const failingBuiltin = () =>
  policy(
    'orka-task-provenance',
    {
      validationActions: ['Deny'],
      validations: [{ expression: 'false', message: 'provenance says no' }],
    },
    true,
  );

const LABEL = 'policy.orka.ai/action.';

describe('namespace action overrides through the chain', () => {
  const rows: {
    name: string;
    actions: ValidationAction[];
    labels: Record<string, string>;
    allowed: boolean;
    warnings: string[];
    audited: boolean;
  }[] = [
    {
      name: 'no label',
      actions: ['Deny'],
      labels: {},
      allowed: false,
      warnings: [],
      audited: false,
    },
    {
      name: 'Deny lowered to Warn',
      actions: ['Deny'],
      labels: { [`${LABEL}no-bash`]: 'Warn' },
      allowed: true,
      warnings: ['no-bash: Bash is not allowed'],
      audited: false,
    },
    {
      name: 'Deny lowered to Audit',
      actions: ['Deny'],
      labels: { [`${LABEL}no-bash`]: 'Audit' },
      allowed: true,
      warnings: [],
      audited: true,
    },
    {
      name: 'Deny+Audit lowered to Warn+Audit',
      actions: ['Deny', 'Audit'],
      labels: { [`${LABEL}no-bash`]: 'Warn' },
      allowed: true,
      warnings: ['no-bash: Bash is not allowed'],
      audited: true,
    },
    {
      name: 'Audit is never raised to Warn',
      actions: ['Audit'],
      labels: { [`${LABEL}no-bash`]: 'Warn' },
      allowed: true,
      warnings: [],
      audited: true,
    },
    {
      name: 'a label for another policy changes nothing',
      actions: ['Deny'],
      labels: { [`${LABEL}other`]: 'Audit' },
      allowed: false,
      warnings: [],
      audited: false,
    },
    {
      name: 'a value other than Warn or Audit is ignored with a warning',
      actions: ['Deny'],
      labels: { [`${LABEL}no-bash`]: 'Deny' },
      allowed: false,
      warnings: [
        'no-bash: namespace "default" label policy.orka.ai/action.no-bash=Deny ignored: the value must be Warn or Audit',
      ],
      audited: false,
    },
  ];
  for (const row of rows) {
    test(row.name, () => {
      const decision = admit(
        taskRequest(task()),
        context([noBash(row.actions)], { namespaceObject: namespace(row.labels) }),
      );
      assert.equal(decision.allowed, row.allowed, JSON.stringify(decision.denials));
      assert.deepEqual(decision.warnings, row.warnings);
      assert.equal(
        Object.hasOwn(decision.auditAnnotations, 'no-bash/validation_failure'),
        row.audited,
      );
      assert.deepEqual(
        decision.results.map((result) => [result.policy, result.result, result.validationActions]),
        [['no-bash', 'fail', decision.results[0]?.validationActions]],
      );
    });
  }

  test('the decision records the lowered actions per policy', () => {
    const decision = admit(
      taskRequest(task()),
      context([noBash(['Deny', 'Audit'])], {
        namespaceObject: namespace({ [`${LABEL}no-bash`]: 'Warn' }),
      }),
    );
    assert.deepEqual(decision.results, [
      { policy: 'no-bash', validationActions: ['Warn', 'Audit'], result: 'fail' },
    ]);
  });

  test('a built-in is never lowered; the label is ignored with a warning', () => {
    const decision = admit(
      taskRequest(task()),
      context([], {
        namespaceObject: namespace({ [`${LABEL}orka-task-provenance`]: 'Audit' }),
        policies: { builtin: [failingBuiltin()], custom: [] },
      }),
    );
    assert.equal(decision.allowed, false);
    assert.deepEqual(
      decision.denials.map((d) => d.policy),
      ['orka-task-provenance'],
    );
    assert.equal(
      decision.warnings[0],
      'orka-task-provenance: namespace "default" label policy.orka.ai/action.orka-task-provenance=Audit ignored: built-in policies are never lowered below Deny',
    );
  });

  test('the real provenance built-in still denies an untrusted transaction in a labelled namespace', () => {
    const builtin = compileBuiltins(compiler);
    const decision = admit(
      taskRequest(task({ transaction: { id: 'tx-1' } })),
      context([], {
        namespaceObject: namespace({ [`${LABEL}orka-task-provenance`]: 'Warn' }),
        policies: { builtin, custom: [] },
      }),
    );
    assert.equal(decision.allowed, false);
    assert.ok(decision.denials.some((d) => d.policy === 'orka-task-provenance'));
    assert.ok(decision.warnings.some((w) => w.includes('never lowered below Deny')));
  });

  test('mutation-only views (no validations) report no override warnings', () => {
    const mutationOnly = { ...noBash(['Deny']), validations: [] };
    const result = applyNamespaceOverrides(
      [],
      [mutationOnly],
      namespace({ [`${LABEL}no-bash`]: 'Bogus' }),
    );
    assert.deepEqual(result.warnings, []);
    assert.equal(result.custom[0], mutationOnly);
  });

  test('without override labels the same policy objects are used (no copies)', () => {
    const custom = [noBash(['Deny'])];
    const result = applyNamespaceOverrides([], custom, namespace({ team: 'a' }));
    assert.equal(result.custom, custom);
  });
});
