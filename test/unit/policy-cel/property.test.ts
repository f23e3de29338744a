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

const { expression } = fc.letrec<{ expression: string; atom: string; path: string }>((tie) => ({
  path: fc.oneof(
    fc.constantFrom('object', 'object.a', 'object.b', 'object.list', 'x'),
    fc
      .tuple(tie('path'), fc.constantFrom('a', 'b', 'c', 'list', '__proto__', 'constructor'))
      .map(([p, f]) => `${p}.${f}`),
    fc.tuple(tie('path'), tie('atom')).map(([p, i]) => `${p}[${i}]`),
    tie('path').map((p) => `${p}.?a.orValue(1)`),
  ),
  atom: fc.oneof(
    fc.integer({ min: -3, max: 3 }).map(String),
    fc.constantFrom(
      "'a'",
      "''",
      '1.5',
      'true',
      'null',
      '[1, 2]',
      "{'a': 1}",
      '9223372036854775807',
    ),
    fc.string({ maxLength: 4 }).map((s) => JSON.stringify(s)),
  ),
  expression: fc.oneof(
    { depthSize: 'small' },
    tie('atom'),
    tie('path'),
    fc
      .tuple(
        tie('expression'),
        fc.constantFrom('+', '-', '*', '/', '%', '==', '<', '&&', '||', 'in'),
        tie('expression'),
      )
      .map(([l, op, r]) => `(${l} ${op} ${r})`),
    fc
      .tuple(tie('expression'), tie('expression'), tie('expression'))
      .map(([c, l, r]) => `(${c} ? ${l} : ${r})`),
    tie('expression').map((e) => `!${e}`),
    fc
      .tuple(fc.constantFrom('size', 'int', 'string', 'double', 'dyn', 'type', 'has'), tie('path'))
      .map(([f, p]) => `${f}(${p})`),
    fc
      .tuple(
        tie('path'),
        fc.constantFrom(
          'contains',
          'startsWith',
          'matches',
          'split',
          'indexOf',
          'charAt',
          'lowerAscii',
        ),
        tie('atom'),
      )
      .map(([p, m, a]) => (m === 'lowerAscii' ? `${p}.${m}()` : `${p}.${m}(${a})`)),
    fc
      .tuple(
        tie('path'),
        fc.constantFrom('all', 'exists', 'exists_one', 'map', 'filter'),
        tie('expression'),
      )
      .map(([p, m, body]) => `${p}.${m}(x, ${body})`),
    fc
      .tuple(tie('path'), fc.stringMatching(/^[a-z()+*|.?\\[\]^$]{0,8}$/))
      .map(([p, pattern]) => `${p}.matches(${JSON.stringify(pattern)})`),
  ),
}));

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
