// Expressions that read only request-level variables are evaluated once per request and replayed
// for every other policy (policy/admission-policy/shared-results.ts): same decisions, same errors,
// same step budget as evaluating each policy alone.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compilePolicy } from '../../../policy/admission-policy/compile.ts';
import { createExpressionCompiler } from '../../../policy/admission-policy/expression-compiler.ts';
import type { CompiledPolicy, MatchConstraints } from '../../../policy/admission-policy/types.ts';
import { createCelBudget } from '../../../policy/cel/engine.ts';
import { admit } from '../../../policy/chain/admit.ts';
import { constraintsMatch } from '../../../policy/evaluate/matching.ts';
import { context, policyObject, task, taskRequest, taskRule } from './helpers.ts';

/**
 * A compiler with `tick()`, a function that counts its calls and returns true, and `count(x)`,
 * which counts its calls and returns the size of the list or string x.
 */
function countingCompiler() {
  const counter = { calls: 0, counted: 0 };
  const compiler = createExpressionCompiler({
    extend(environment) {
      environment.registerFunction('tick(): bool', () => {
        counter.calls++;
        return true;
      });
      environment.registerFunction('count(dyn): int', (value: unknown) => {
        counter.counted++;
        return BigInt((value as string | unknown[]).length);
      });
    },
  });
  const policy = (name: string, spec: Record<string, unknown>): CompiledPolicy =>
    compilePolicy(policyObject(name, spec), compiler);
  return { counter, policy };
}

const denialsOf = (decision: ReturnType<typeof admit>) =>
  decision.denials.map((denial) => [denial.policy, denial.reason, denial.message]);

describe('results shared between the policies of one request', () => {
  test('a request-level expression repeated by three policies runs once and is charged thrice', () => {
    const { counter, policy } = countingCompiler();
    const policies = ['a', 'b', 'c'].map((name) =>
      policy(name, { validations: [{ expression: 'tick()' }] }),
    );
    const budget = createCelBudget(100);
    const decision = admit(taskRequest(task()), context(policies, { budget }));
    assert.equal(decision.allowed, true);
    assert.equal(counter.calls, 1);
    assert.equal(budget.limit - budget.remaining, 3);
  });

  test('the parts of an expression naming variables or params run for every policy', () => {
    const { counter, policy } = countingCompiler();
    const policies = [
      policy('a', {
        variables: [{ name: 'v', expression: "'a'" }],
        validations: [{ expression: "tick() && count(variables.v) == 1 && variables.v == 'a'" }],
      }),
      policy('b', {
        variables: [{ name: 'v', expression: "'b'" }],
        validations: [{ expression: "tick() && count(variables.v) == 1 && variables.v == 'a'" }],
      }),
      policy('c', {
        params: { n: 1 },
        validations: [{ expression: 'tick() && count([params.n]) == 1 && params.n == 1' }],
      }),
      policy('d', {
        params: { n: 2 },
        validations: [{ expression: 'tick() && count([params.n]) == 1 && params.n == 1' }],
      }),
    ];
    const budget = createCelBudget(100);
    const decision = admit(taskRequest(task()), context(policies, { budget }));
    // tick() reads nothing of the policy's own: the part shared by all four
    assert.deepEqual([counter.calls, counter.counted], [1, 4]);
    assert.deepEqual(
      decision.denials.map((denial) => denial.policy),
      ['b', 'd'],
    );
    assert.equal(budget.limit - budget.remaining, 8);
  });

  test('a comprehension variable named like a request-level variable is never shared', () => {
    const { counter, policy } = countingCompiler();
    const expression = 'params.lists.map(object, count(object)) == [1, 2]';
    const policies = ['a', 'b'].map((name) =>
      policy(name, { params: { lists: [['a'], ['b', 'c']] }, validations: [{ expression }] }),
    );
    const decision = admit(taskRequest(task()), context(policies));
    assert.equal(decision.allowed, true);
    assert.equal(counter.counted, 4);
  });

  test('a request-level part inside a comprehension step is shared across iterations', () => {
    const { counter, policy } = countingCompiler();
    const expression = 'params.sizes.all(n, count(object.spec.prompt) > n)';
    const policies = ['a', 'b'].map((name) =>
      policy(name, { params: { sizes: [1, 2, 3] }, validations: [{ expression }] }),
    );
    const budget = createCelBudget(100);
    const decision = admit(taskRequest(task()), context(policies, { budget }));
    assert.equal(decision.allowed, true);
    assert.equal(counter.counted, 1);
    // per policy: 3 steps and 3 count() calls
    assert.equal(budget.limit - budget.remaining, 12);
  });

  test('policies compiled by different compilers share nothing', () => {
    const first = countingCompiler();
    const second = countingCompiler();
    const policies = [
      first.policy('a', { validations: [{ expression: 'tick()' }] }),
      second.policy('b', { validations: [{ expression: 'tick()' }] }),
    ];
    admit(taskRequest(task()), context(policies));
    assert.deepEqual([first.counter.calls, second.counter.calls], [1, 1]);
  });

  test('a replay on an exhausted budget fails even when it takes no steps', () => {
    const run = (source: string) => {
      const { policy } = countingCompiler();
      const policies = [
        policy('a', { params: { on: true }, validations: [{ expression: source }] }),
        policy('b', {
          params: { n: [1, 2, 3, 4, 5] },
          validations: [{ expression: 'params.n.all(x, x > 0)' }],
        }),
        policy('c', { params: { on: true }, validations: [{ expression: source }] }),
      ];
      const budget = createCelBudget(3);
      const decision = admit(taskRequest(task()), context(policies, { budget }));
      return { denials: denialsOf(decision), remaining: budget.remaining };
    };
    const shared = run("object.metadata.name != ''");
    assert.deepEqual(
      shared.denials.map(([policy, reason]) => [policy, reason]),
      [
        ['b', 'InternalError'],
        ['c', 'InternalError'],
      ],
    );
    assert.deepEqual(shared, run("object.metadata.name != '' && params.on"));
  });

  // Each row: a request-level expression (no `||`, so a trailing `&&` binds last), and the same
  // expression made policy-level (never shared) by a `params` term that is always true and costs
  // no step. Both must give the same denials, messages and budget.
  const cases: { name: string; expression: string; limit: number }[] = [
    {
      name: 'a replay that overdraws the budget fails where the evaluation would',
      expression: '[1, 2, 3].all(x, x > 0)',
      limit: 7,
    },
    {
      name: 'an evaluation error is replayed for every policy with its own path',
      expression: "object.spec.missing == 'x'",
      limit: 100,
    },
    {
      name: 'a replay within the budget spends what the evaluation spent',
      expression: "['x', 'y'].exists(t, t == 'y') && object.spec.prompt.size() > 0",
      limit: 100,
    },
  ];
  for (const { name, expression, limit } of cases) {
    test(name, () => {
      const run = (source: string) => {
        const { policy } = countingCompiler();
        const policies = ['a', 'b', 'c'].map((policyName) =>
          policy(policyName, { params: { on: true }, validations: [{ expression: source }] }),
        );
        const budget = createCelBudget(limit);
        const decision = admit(taskRequest(task()), context(policies, { budget }));
        return { denials: denialsOf(decision), remaining: budget.remaining };
      };
      const shared = run(expression);
      const alone = run(`${expression} && params.on`);
      assert.equal(shared.remaining, alone.remaining);
      assert.deepEqual(shared.denials, alone.denials);
    });
  }

  // Each row: policy-level expressions (they read params) whose request-level parts are shared
  // when one compiler compiled them all, against the same policies each from its own compiler,
  // which share nothing. Denials (messages with their positions) and budget must be the same.
  const subexpressionCases: { name: string; expressions: string[]; limit: number }[] = [
    {
      name: 'a shared part that fails reports the position in each expression',
      expressions: [
        'params.on && object.spec.missing.size() > 0',
        'params.on && params.on && object.spec.missing.size() > 0',
      ],
      limit: 100,
    },
    {
      name: 'a replayed part that overdraws the budget fails where the evaluation would',
      expressions: [
        '[1, 2, 3].all(x, x > 0) && params.on',
        '[1, 2, 3].all(x, x > 0) && params.on',
        '[1, 2, 3].all(x, x > 0) && params.on',
      ],
      limit: 10,
    },
    {
      name: 'replayed parts spend what their evaluation spent',
      expressions: [
        "object.spec.prompt.size() < 10000 && !params.tools.exists(t, t == 'Forbidden')",
        "params.on && object.spec.prompt.size() < 10000 && ['x'].exists(t, t == 'x')",
        'object.spec.prompt.size() < 5 || params.tools.size() == 1',
      ],
      limit: 100,
    },
  ];
  for (const { name, expressions, limit } of subexpressionCases) {
    test(name, () => {
      const run = (compilerFor: (index: number) => ReturnType<typeof countingCompiler>) => {
        const policies = expressions.map((expression, index) =>
          compilerFor(index).policy(`p${index}`, {
            params: { on: true, tools: ['Read'] },
            validations: [{ expression }],
          }),
        );
        const budget = createCelBudget(limit);
        const decision = admit(taskRequest(task()), context(policies, { budget }));
        return { denials: denialsOf(decision), remaining: budget.remaining };
      };
      const oneCompiler = countingCompiler();
      const shared = run(() => oneCompiler);
      const alone = run(() => countingCompiler());
      assert.equal(shared.remaining, alone.remaining);
      assert.deepEqual(shared.denials, alone.denials);
    });
  }
});

describe('one activation bound by each policy in turn', () => {
  test('every policy sees its own params and variables, whatever the policies before it bound', () => {
    const { policy } = countingCompiler();
    const policies = [
      policy('a-params-and-variable', {
        params: { who: 'a' },
        variables: [{ name: 'v', expression: "params.who + '-var'" }],
        validations: [
          { expression: "params.who == 'a' && variables.v == 'a-var'", message: 'a saw others' },
        ],
      }),
      policy('b-nothing', {
        validations: [{ expression: 'params == null', message: 'b saw params' }],
      }),
      policy('c-variable-only', {
        variables: [{ name: 'v', expression: "'c-var'" }],
        validations: [
          { expression: "params == null && variables.v == 'c-var'", message: 'c saw others' },
          { expression: "variables.v == 'a-var'", message: 'c has its own v' },
        ],
      }),
      policy('d-params', {
        params: { who: 'd' },
        validations: [{ expression: "params.who == 'd'", message: 'd saw others' }],
      }),
    ];
    const request = taskRequest(task());
    for (const round of [1, 2]) {
      const decision = admit(request, context(policies));
      assert.deepEqual(
        denialsOf(decision),
        [['c-variable-only', 'Invalid', 'c has its own v']],
        `round ${round}`,
      );
    }
  });

  test('a lazy variable read late still evaluates against its own policy', () => {
    const { policy } = countingCompiler();
    const policies = ['x', 'y', 'z'].map((name) =>
      policy(name, {
        params: { name },
        variables: [{ name: 'mine', expression: 'params.name' }],
        validations: [
          { expression: 'true' },
          { expression: `variables.mine == '${name}'`, message: `${name} read another's` },
        ],
      }),
    );
    assert.deepEqual(denialsOf(admit(taskRequest(task()), context(policies))), []);
  });
});

describe('policies with equal matchConstraints', () => {
  const namespaceWith = (labels: Record<string, string>) => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'default', labels },
  });

  const selected = (labels: Record<string, string>, namespaceLabels: Record<string, string>) => {
    const { policy } = countingCompiler();
    const spec = (name: string) => ({
      matchConstraints: {
        resourceRules: [{ ...taskRule, operations: ['CREATE'] }],
        objectSelector: { matchLabels: { tier: 'gold' } },
        namespaceSelector: { matchLabels: { team: 'a' } },
      },
      validations: [{ expression: 'false', message: `${name} matched` }],
    });
    const policies = ['p1', 'p2', 'p3'].map((name) => policy(name, spec(name)));
    return denialsOf(
      admit(
        taskRequest(task({}, { labels })),
        context(policies, { namespaceObject: namespaceWith(namespaceLabels) }),
      ),
    ).map(([name]) => name);
  };

  test('match or skip together, answered afresh for every request', () => {
    const cases: [Record<string, string>, Record<string, string>, string[]][] = [
      [{ tier: 'gold' }, { team: 'a' }, ['p1', 'p2', 'p3']],
      [{ tier: 'silver' }, { team: 'a' }, []],
      [{ tier: 'gold' }, { team: 'b' }, []],
      [{ tier: 'gold' }, { team: 'a' }, ['p1', 'p2', 'p3']],
    ];
    for (const [labels, namespaceLabels, expected] of cases) {
      assert.deepEqual(
        selected(labels, namespaceLabels),
        expected,
        JSON.stringify([labels, namespaceLabels]),
      );
    }
  });

  test('the same input asked about with another namespace object is answered again', () => {
    const constraints = (): MatchConstraints => ({
      resourceRules: [taskRule],
      namespaceSelector: { matchLabels: { team: 'a' } },
    });
    const input = taskRequest(task());
    const [first, second] = [constraints(), constraints()];
    assert.equal(constraintsMatch(first, input, namespaceWith({ team: 'a' })), true);
    assert.equal(constraintsMatch(second, input, namespaceWith({ team: 'b' })), false);
    assert.equal(constraintsMatch(first, input, namespaceWith({ team: 'a' })), true);
  });

  test('an UPDATE of the same request shape is matched by its own operation', () => {
    const { policy } = countingCompiler();
    const policies = ['u1', 'u2'].map((name) =>
      policy(name, {
        matchConstraints: {
          resourceRules: [{ ...taskRule, operations: ['UPDATE'] }],
        },
        validations: [{ expression: 'false', message: `${name} matched` }],
      }),
    );
    const create = admit(taskRequest(task()), context(policies));
    const update = admit(
      taskRequest(task(), { operation: 'UPDATE', oldObject: task() }),
      context(policies),
    );
    assert.deepEqual(denialsOf(create), []);
    assert.deepEqual(
      denialsOf(update).map(([name]) => name),
      ['u1', 'u2'],
    );
  });
});
