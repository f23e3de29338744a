// Expressions that read only request-level variables are evaluated once per request and replayed
// for every other policy (policy/admission-policy/shared-results.ts): same decisions, same errors,
// same step budget as evaluating each policy alone.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compilePolicy } from '../../../policy/admission-policy/compile.ts';
import { createExpressionCompiler } from '../../../policy/admission-policy/expression-compiler.ts';
import type { CompiledPolicy } from '../../../policy/admission-policy/types.ts';
import { createCelBudget } from '../../../policy/cel/engine.ts';
import { admit } from '../../../policy/chain/admit.ts';
import { context, policyObject, task, taskRequest } from './helpers.ts';

/** A compiler with `tick()`, a function that counts its calls and returns true. */
function countingCompiler() {
  const counter = { calls: 0 };
  const compiler = createExpressionCompiler({
    extend(environment) {
      environment.registerFunction('tick(): bool', () => {
        counter.calls++;
        return true;
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

  test('an expression naming variables or params runs for every policy', () => {
    const { counter, policy } = countingCompiler();
    const policies = [
      policy('a', {
        variables: [{ name: 'v', expression: "'a'" }],
        validations: [{ expression: "tick() && variables.v == 'a'" }],
      }),
      policy('b', {
        variables: [{ name: 'v', expression: "'b'" }],
        validations: [{ expression: "tick() && variables.v == 'a'" }],
      }),
      policy('c', { params: { n: 1 }, validations: [{ expression: 'tick() && params.n == 1' }] }),
      policy('d', { params: { n: 2 }, validations: [{ expression: 'tick() && params.n == 1' }] }),
    ];
    const decision = admit(taskRequest(task()), context(policies));
    assert.equal(counter.calls, 4);
    assert.deepEqual(
      decision.denials.map((denial) => denial.policy),
      ['b', 'd'],
    );
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
});
