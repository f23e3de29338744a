// Random expressions over random JSON objects: the engine returns a value, returns a
// CelCompileError or throws a CelEvaluationError — nothing else, and nothing runs away.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  CelCompileError,
  CelEvaluationError,
  createCelBudget,
  createCelEngine,
} from '../../../policy/cel/engine.ts';
import { toCelValue } from '../../../policy/cel/json.ts';
import { expression } from './random-expressions.ts';

const engine = createCelEngine();

test('random expressions over random objects: a value or the engine’s own errors, never a hang', () => {
  let evaluated = 0;
  fc.assert(
    fc.property(expression, fc.jsonValue({ maxDepth: 4 }), (source, json) => {
      const compiled = engine.compile(source, { variables: { object: 'dyn' } });
      if (compiled instanceof CelCompileError) {
        assert.equal(typeof compiled.summary, 'string');
        return;
      }
      try {
        engine.evaluate(compiled, { object: toCelValue(json) }, createCelBudget(100_000));
        evaluated++;
      } catch (error) {
        if (!(error instanceof CelEvaluationError)) {
          assert.fail(`${source} threw ${(error as Error)?.name}: ${(error as Error)?.message}`);
        }
      }
    }),
    { numRuns: 3000 },
  );
  assert.ok(evaluated > 100, `only ${evaluated} expressions evaluated to a value`);
});

test('random JSON through nested comprehensions stays within the step budget', {
  timeout: 5000,
}, () => {
  const compiled = engine.compile('object.all(a, object.exists(b, a == b && b != a + 1))', {
    variables: { object: 'dyn' },
  });
  assert.ok(!(compiled instanceof CelCompileError));
  fc.assert(
    fc.property(fc.array(fc.integer(), { minLength: 50, maxLength: 300 }), (list) => {
      const budget = createCelBudget(20_000);
      try {
        engine.evaluate(compiled, { object: toCelValue(list) }, budget);
      } catch (error) {
        assert.ok(error instanceof CelEvaluationError);
      }
      assert.ok(budget.limit - budget.remaining <= budget.limit + 1);
    }),
    { numRuns: 50 },
  );
});
