// `variables` is bound per policy as a PolicyVariables value: `variables.NAME` reads one variable
// through the hooked AST, any other use sees the whole map (policy/cel/lazy-fields.ts). Every
// form of reading must give the values, errors and evaluation counts of a map of lazy getters.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compilePolicy } from '../../../policy/admission-policy/compile.ts';
import { createExpressionCompiler } from '../../../policy/admission-policy/expression-compiler.ts';
import { admit } from '../../../policy/chain/admit.ts';
import { context, policy, policyObject, task, taskRequest } from './helpers.ts';

const VARIABLES = [
  { name: 'prompt', expression: 'object.spec.prompt' },
  { name: 'length', expression: 'variables.prompt.size()' },
  { name: 'missing', expression: 'object.spec.missing' },
  { name: 'numbers', expression: '[1, 2, 3]' },
  { name: 'spec', expression: 'object.spec' },
];

/** The denial messages of one validation against a Task whose prompt is 'Fix the tests'. */
function outcomeOf(expression: string): string[] {
  const p = policy('vars', {
    variables: VARIABLES,
    validations: [{ expression, message: 'false' }],
  });
  return admit(taskRequest(task()), context([p])).denials.map((denial) => denial.message);
}

describe('variables read field by field or whole', () => {
  const cases: { expression: string; denials: string[] | RegExp }[] = [
    { expression: "variables.prompt == 'Fix the tests'", denials: [] },
    { expression: 'variables.length == 13', denials: [] },
    { expression: 'variables.length == 14', denials: ['false'] },
    { expression: 'variables.numbers.exists(n, n == 3)', denials: [] },
    { expression: 'has(variables.prompt) && !has(variables.other)', denials: [] },
    { expression: 'has(variables.spec.prompt) && !has(variables.spec.other)', denials: [] },
    { expression: 'has(variables.spec.agentRef.name)', denials: [] },
    { expression: 'has(variables.spec.other.name)', denials: /no such key/ },
    { expression: 'has(variables.missing)', denials: /no such key at line 1, column 13: missing$/ },
    { expression: 'has(variables.missing) || true', denials: [] },
    { expression: 'size(variables) == 5', denials: [] },
    { expression: "'numbers' in variables && !('other' in variables)", denials: [] },
    { expression: "variables.?prompt.orValue('') == 'Fix the tests'", denials: [] },
    { expression: "variables.?other.orValue('none') == 'none'", denials: [] },
    { expression: "variables['length'] == 13", denials: [] },
    { expression: '[5].all(variables, variables == 5)', denials: [] },
    { expression: "[{'prompt': 1}].all(variables, variables.prompt == 1)", denials: [] },
    // the error is the variable's own, positioned in its expression
    {
      expression: "variables.missing == 'x'",
      denials: /no such key at line 1, column 13: missing$/,
    },
    { expression: "variables.missing == 'x' || true", denials: [] },
    { expression: 'variables.other == 1', denials: /no such key/ },
    { expression: "variables.exists(name, name == 'numbers')", denials: [] },
  ];
  for (const { expression, denials } of cases) {
    test(expression, () => {
      const actual = outcomeOf(expression);
      if (denials instanceof RegExp) {
        assert.equal(actual.length, 1, `one denial expected, got ${JSON.stringify(actual)}`);
        assert.match(actual[0]!, denials);
      } else {
        assert.deepEqual(actual, denials);
      }
    });
  }

  test('a variable named __proto__ is a member like any other, by field and whole', () => {
    const p = policy('proto', {
      variables: [{ name: '__proto__', expression: "'p'" }],
      validations: [
        { expression: "variables.__proto__ == 'p'" },
        { expression: "has(variables.__proto__) && variables['__proto__'] == 'p'" },
        { expression: 'size(variables) == 1' },
      ],
    });
    assert.deepEqual(admit(taskRequest(task()), context([p])).denials, []);
  });

  // The cycle error is thrown inside the library's evaluation, which reports it generically.
  test('a variable that reads itself through another fails instead of looping', () => {
    const p = policy('cycle', {
      variables: [
        { name: 'a', expression: 'variables.b' },
        { name: 'b', expression: 'variables.a' },
      ],
      validations: [{ expression: 'variables.a' }],
    });
    const [denial] = admit(taskRequest(task()), context([p])).denials;
    assert.equal(
      denial?.message,
      'spec.validations[0].expression: evaluation error: evaluation failed',
    );
  });
});

describe('variables are evaluated on first read, once', () => {
  /** A policy whose variable `x` counts its evaluations (params make it policy-level). */
  function counted(validations: string[]) {
    const counter = { calls: 0 };
    const compiler = createExpressionCompiler({
      extend(environment) {
        environment.registerFunction('tick(): bool', () => {
          counter.calls++;
          return true;
        });
      },
    });
    const p = compilePolicy(
      policyObject('counted', {
        params: { n: 1 },
        variables: [
          { name: 'x', expression: 'tick() ? params.n : 0' },
          { name: 'unused', expression: 'tick() ? params.n : 0' },
        ],
        validations: validations.map((expression) => ({ expression })),
      }),
      compiler,
    );
    const decision = admit(taskRequest(task()), context([p]));
    return { calls: counter.calls, denials: decision.denials.length };
  }

  const cases: { name: string; validations: string[]; calls: number }[] = [
    { name: 'never read: never evaluated', validations: ['true'], calls: 0 },
    { name: 'read by field twice', validations: ['variables.x == 1', 'variables.x > 0'], calls: 1 },
    {
      name: 'read by field, then whole',
      validations: ['variables.x == 1', "has(variables.x) && variables['x'] == 1"],
      calls: 1,
    },
    {
      name: 'read whole, then by field',
      validations: ["variables['x'] == 1", 'variables.x == 1'],
      calls: 1,
    },
    // the library types a map by its first member, so size() reads that one
    {
      name: 'size() of the whole reads the first',
      validations: ['size(variables) == 2'],
      calls: 1,
    },
  ];
  for (const { name, validations, calls } of cases) {
    test(name, () => {
      assert.deepEqual(counted(validations), { calls, denials: 0 });
    });
  }
});
