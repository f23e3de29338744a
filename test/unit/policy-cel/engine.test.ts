import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CelBudgetExceededError,
  CelCompileError,
  CelEvaluationError,
  type CompiledExpression,
  type CompileOptions,
  createCelBudget,
  createCelEngine,
} from '../../../policy/cel/engine.ts';
import { stepsUsed } from '../../../policy/cel/instrument.ts';
import { parseJsonPreservingIntegers } from '../../../policy/cel/json.ts';

const engine = createCelEngine();
const dynObject: CompileOptions = { variables: { object: 'dyn', request: 'dyn' } };

function compiled(expression: string, options: CompileOptions = dynObject): CompiledExpression {
  const result = engine.compile(expression, options);
  if (result instanceof CelCompileError) assert.fail(`${expression}: ${result.message}`);
  return result;
}

function compileError(expression: string, options: CompileOptions = dynObject): CelCompileError {
  const result = engine.compile(expression, options);
  assert.ok(result instanceof CelCompileError, `${expression} should not compile`);
  return result;
}

const task = parseJsonPreservingIntegers(`{
  "metadata": {"name": "fix-bug", "labels": {"team": "platform"}},
  "spec": {"replicas": 3, "big": 9007199254740993, "ratio": 0.5, "whole": 2.0,
           "allowedTools": ["Read", "Edit"], "prompt": "fix the bug"}
}`);

describe('compile errors carry position and the author text only', () => {
  const cases: { expression: string; code: string; contains: string; column: number }[] = [
    { expression: 'object.spec.replicas +', code: 'syntax', contains: 'Unexpected', column: 23 },
    { expression: "1 + 'a'", code: 'type', contains: 'int + string', column: 1 },
    { expression: 'undeclared.field', code: 'type', contains: 'undeclared', column: 1 },
    { expression: "object.x.matches('(?=a)')", code: 'invalid_regex', contains: '(?=', column: 1 },
    {
      expression: "object.x.matches('a(b')",
      code: 'invalid_regex',
      contains: 'missing',
      column: 1,
    },
    {
      expression: "duration('5 minutes')",
      code: 'invalid_literal',
      contains: 'duration()',
      column: 1,
    },
    {
      expression: "timestamp('yesterday')",
      code: 'invalid_literal',
      contains: 'timestamp()',
      column: 1,
    },
    { expression: "int('forty')", code: 'invalid_literal', contains: 'int()', column: 1 },
    { expression: "true && int('x') > 1", code: 'invalid_literal', contains: 'int()', column: 9 },
    {
      expression: "'%d items'.format(['x'])",
      code: 'invalid_literal',
      contains: 'format()',
      column: 1,
    },
    { expression: "quantity('1Xi')", code: 'invalid_literal', contains: 'quantity()', column: 1 },
    {
      expression: "object.x.find('[z-a]') == ''",
      code: 'invalid_regex',
      contains: 'find()',
      column: 1,
    },
  ];
  for (const { expression, code, contains, column } of cases) {
    test(expression, () => {
      const error = compileError(expression);
      assert.equal(error.code, code);
      assert.ok(error.message.includes(contains), error.message);
      assert.equal(error.position?.column, column, error.message);
    });
  }

  test('a validation must be bool and a message string', () => {
    assert.equal(compileError("'text'", { ...dynObject, resultType: 'bool' }).code, 'result_type');
    assert.equal(
      compileError('1 == 1', { ...dynObject, resultType: 'string' }).code,
      'result_type',
    );
    compiled("object.metadata.name + '!'", { ...dynObject, resultType: 'string' });
    compiled("[1, 'a', 2.0].size() == 3", { ...dynObject, resultType: 'bool' });
  });

  test('a dyn result is checked against the wanted type at evaluation', () => {
    const expression = compiled('object.spec.prompt', { ...dynObject, resultType: 'bool' });
    assert.throws(() => engine.evaluate(expression, { object: task, request: null }), {
      name: 'CelEvaluationError',
      code: 'result_type',
    });
  });
});

describe('numbers as the apiserver sees a custom resource', () => {
  const cases: [string, unknown][] = [
    ['object.spec.replicas + 1', 4n],
    ['object.spec.big + 1', 9007199254740994n],
    ['object.spec.big == 9007199254740992', false],
    ['object.spec.ratio * 2.0', 1],
    ['type(object.spec.whole) == double', true],
    ['object.spec.replicas > 2.5', true],
  ];
  for (const [expression, expected] of cases) {
    test(expression, () => {
      assert.equal(
        engine.evaluate(compiled(expression), { object: task, request: null }),
        expected,
      );
    });
  }
});

describe('matches() has RE2 semantics', () => {
  test('catastrophic-backtracking input completes', { timeout: 2000 }, () => {
    const expression = compiled("object.value.matches('^(a+)+$')");
    const value = `${'a'.repeat(28)}!`;
    assert.equal(engine.evaluate(expression, { object: { value }, request: null }), false);
  });

  const cases: [string, string, boolean][] = [
    ['^\\pL$', 'é', true],
    ['h.*o', 'xhellox', true],
    ['^abc$', 'abcd', false],
    ['[[:digit:]]+', 'a1', true],
  ];
  for (const [pattern, input, expected] of cases) {
    test(`${pattern} on ${input}`, () => {
      const expression = compiled(`object.value.matches(${JSON.stringify(pattern)})`);
      assert.equal(
        engine.evaluate(expression, { object: { value: input }, request: null }),
        expected,
      );
    });
  }

  test('a pattern from the request that is not RE2 is an evaluation error', () => {
    const expression = compiled('object.value.matches(object.pattern)');
    assert.throws(
      () =>
        engine.evaluate(expression, { object: { value: 'aa', pattern: '(a)\\1' }, request: null }),
      { name: 'CelEvaluationError', code: 'invalid_regex' },
    );
  });
});

describe('cost', () => {
  const lists: CompileOptions = { variables: { object: 'dyn', items: 'list<int>' } };

  test('three nested comprehensions over unbounded lists are refused with their estimate', () => {
    const error = compileError(
      'object.spec.a.all(x, object.spec.b.all(y, object.spec.c.all(z, x + y + z > 0)))',
      lists,
    );
    assert.equal(error.code, 'cost');
    assert.match(error.message, /estimated cost \d{10} exceeds the limit of 10000000/);
  });

  test('two nested comprehensions pass', () => {
    const expression = compiled('items.all(x, items.exists(y, x == y))', lists);
    assert.ok(expression.estimatedCost > 1_000_000 && expression.estimatedCost < 10_000_000);
  });

  test('schema bounds (maxItems) let a deeper nesting pass', () => {
    const bounded = { type: 'array', maxItems: 10, items: { type: 'integer' } };
    const options: CompileOptions = {
      variables: { items: { type: 'list<int>', schema: bounded } },
    };
    compiled('items.all(x, items.all(y, items.all(z, x + y + z >= 0)))', options);
  });

  test('schema bounds follow fields and iteration variables', () => {
    const schema = {
      type: 'object',
      properties: {
        containers: {
          type: 'array',
          maxItems: 5,
          items: {
            type: 'object',
            properties: { ports: { type: 'array', maxItems: 4, items: { type: 'integer' } } },
          },
        },
      },
    };
    const options: CompileOptions = { variables: { spec: { type: 'dyn', schema } } };
    const expression = compiled(
      'spec.containers.all(c, c.ports.all(p, spec.containers.exists(d, d.ports.exists(q, p == q))))',
      options,
    );
    assert.ok(expression.estimatedCost < 10_000, `estimate ${expression.estimatedCost}`);
  });

  test('a double-nested all() over 3,000 items stops at the step budget', () => {
    let ticks = 0;
    const counting = createCelEngine({
      extend: (environment) =>
        environment.registerFunction('tick(int): bool', () => {
          ticks++;
          return true;
        }),
    });
    const expression = counting.compile('items.all(x, items.all(y, tick(y)))', lists);
    assert.ok(!(expression instanceof CelCompileError));
    const items = Array.from({ length: 3000 }, (_, i) => BigInt(i));
    const budget = createCelBudget();
    assert.throws(
      () => counting.evaluate(expression, { object: null, items }, budget),
      CelBudgetExceededError,
    );
    // Every tick is a function call and comes after its iteration step: both spend the budget.
    assert.ok(ticks > 0 && ticks <= budget.limit / 2 + 1, `ticks ${ticks}`);
    assert.equal(stepsUsed(budget), budget.limit + 1);
  });

  test('the budget error is not absorbed by || or by a quantifier', () => {
    const expression = compiled(
      'items.exists(x, items.all(y, y >= 0) && false || false) || true',
      lists,
    );
    const items = Array.from({ length: 2000 }, (_, i) => BigInt(i));
    const budget = createCelBudget(5000);
    assert.throws(
      () => engine.evaluate(expression, { object: null, items }, budget),
      CelBudgetExceededError,
    );
    // Stopped at the first step over the limit: nothing kept evaluating after the error.
    assert.equal(budget.remaining, -1);
  });

  test('one budget is shared by the evaluations of one request', () => {
    const expression = compiled('items.all(x, x >= 0)', lists);
    const items = Array.from({ length: 600 }, (_, i) => BigInt(i));
    const budget = createCelBudget(1000);
    assert.equal(engine.evaluate(expression, { object: null, items }, budget), true);
    assert.throws(
      () => engine.evaluate(expression, { object: null, items }, budget),
      CelBudgetExceededError,
    );
  });
});

describe('evaluation errors never carry request data', () => {
  const planted = 'PLANTED-9f3a7c';
  const expressions = [
    'object.spec[object.key] == 1',
    'object.missing.field',
    'int(object.key) > 1',
    'object.key.matches(object.key)',
    'object.key + 1 > 0',
    'object.list[5] == object.key',
    'bool(object.key)',
    'duration(object.key) > duration("1s")',
    'timestamp(object.key) > timestamp("2020-01-01T00:00:00Z")',
    "object.key.charAt(99) == 'x'",
    "object.key.substring(99) == 'x'",
    'object.count + 9223372036854775807 > 0',
    'dyn(object.key).size() > 0 && object.list.all(x, x / 0 > 0)',
  ];
  for (const expression of expressions) {
    test(expression, () => {
      const activation = {
        object: { key: `(${planted}`, list: [planted], count: 5n },
        request: { planted },
      };
      try {
        engine.evaluate(compiled(expression), activation);
        assert.fail('expected an evaluation error');
      } catch (error) {
        assert.ok(error instanceof CelEvaluationError, String(error));
        assert.ok(!error.message.includes(planted), error.message);
        assert.ok(!JSON.stringify({ ...error }).includes(planted));
        assert.ok(error.position !== undefined, `no position: ${error.message}`);
      }
    });
  }
});

describe('Kubernetes string methods replace the library built-ins', () => {
  const cases: [string, unknown][] = [
    ["'ÀbC'.lowerAscii()", 'Àbc'],
    ['object.name.lowerAscii()', 'Àbc'],
    ["'abc'.charAt(1)", 'b'],
    ["'a-b-c'.replace('-', '+')", 'a+b+c'],
  ];
  for (const [expression, expected] of cases) {
    test(expression, () => {
      assert.equal(
        engine.evaluate(compiled(expression), { object: { name: 'ÀBC' }, request: null }),
        expected,
      );
    });
  }
});
