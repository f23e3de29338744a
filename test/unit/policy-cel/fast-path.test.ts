// The compiled fast path (policy/cel/fast-path.ts) against the interpreter it stands in front of:
// for every expression and input, the same value or the same error (code, summary, position),
// and the same budget left. The interpreter is the reference: an engine built with
// `fastPath: false`.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Optional } from '@marcbachmann/cel-js';
import fc from 'fast-check';
import {
  RUNTIME_POLICY_VARIABLES,
  registerPolicyTypes,
} from '../../../policy/admission-policy/variable-shapes.ts';
import { builtinDocuments } from '../../../policy/builtin/index.ts';
import {
  CelCompileError,
  type CelEngine,
  type CelEngineOptions,
  type CompileOptions,
  createCelBudget,
  createCelEngine,
  evaluatesDirectly,
  usesFastPath,
} from '../../../policy/cel/engine.ts';
import { fastPathFallBacks } from '../../../policy/cel/fast-path.ts';
import { toCelValue } from '../../../policy/cel/json.ts';
import { LazyFields } from '../../../policy/cel/lazy-fields.ts';
import { expression } from './random-expressions.ts';

/** A value as text that tells apart everything CEL does (ints from doubles, optionals...). */
function shown(value: unknown): string {
  if (value instanceof Optional)
    return value.hasValue() ? `optional(${shown(value.value())})` : 'optional.none';
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'number') return Object.is(value, -0) ? '-0.0' : `${value}d`;
  if (Array.isArray(value)) return `[${value.map(shown).join(', ')}]`;
  if (value instanceof Uint8Array) return `b[${[...value].join(',')}]`;
  if (value instanceof Map)
    return `map{${[...value].map(([k, v]) => `${shown(k)}: ${shown(v)}`).join(', ')}}`;
  if (
    value !== null &&
    typeof value === 'object' &&
    (value.constructor === Object || value.constructor === undefined)
  ) {
    return `{${Object.keys(value)
      .map((k) => `${JSON.stringify(k)}: ${shown((value as Record<string, unknown>)[k])}`)
      .join(', ')}}`;
  }
  if (value !== null && typeof value === 'object')
    return `${value.constructor.name}(${String(value)})`;
  return JSON.stringify(value) ?? String(value);
}

function outcome(
  engine: CelEngine,
  source: string,
  options: CompileOptions,
  activation: Record<string, unknown>,
  limit: number,
): string {
  const compiled = engine.compile(source, options);
  if (compiled instanceof CelCompileError)
    return `compile error ${compiled.code}: ${compiled.summary}`;
  const budget = createCelBudget(limit);
  try {
    return `${shown(engine.evaluate(compiled, activation, budget))}, ${budget.remaining} left`;
  } catch (error) {
    const { name, code, summary, position } = error as CelCompileError;
    return `${name} ${code}: ${summary} at ${JSON.stringify(position)}, ${budget.remaining} left`;
  }
}

const pair = (options: CelEngineOptions = {}) => ({
  interpreter: createCelEngine({ ...options, fastPath: false }),
  fast: createCelEngine(options),
});

const OBJECT: CompileOptions = { variables: { object: 'dyn' } };

describe('the compiled fast path', () => {
  const { interpreter, fast } = pair();

  test('random expressions over random objects: the interpreter’s value or error, and its budget', () => {
    let compiled = 0;
    fc.assert(
      fc.property(
        expression,
        fc.jsonValue({ maxDepth: 4 }),
        fc.oneof(fc.constant(100_000), fc.integer({ min: 0, max: 40 })),
        (source, json, limit) => {
          const activation = { object: toCelValue(json) };
          const compiledExpression = fast.compile(source, OBJECT);
          if (!(compiledExpression instanceof CelCompileError) && usesFastPath(compiledExpression))
            compiled++;
          assert.equal(
            outcome(fast, source, OBJECT, activation, limit),
            outcome(interpreter, source, OBJECT, activation, limit),
            source,
          );
        },
      ),
      { numRuns: 4000 },
    );
    assert.ok(compiled > 1000, `only ${compiled} of 4000 expressions used the fast path`);
  });

  // rows: expression, object (JSON); each is compared with the interpreter, which is the reference
  const rows: [string, unknown][] = [
    [
      "object.spec.prompt.size() < 10000 && !object.tools.exists(t, t == 'Bash')",
      { spec: { prompt: 'fix it' }, tools: ['Read', 'Edit'] },
    ],
    ["object.tools.exists(t, t == 'Bash')", { tools: ['Read', 'Bash', 3] }],
    ['object.tools.all(t, t > 1)', { tools: [3, 'a', 0] }],
    ['object.tools.exists_one(t, t == 1)', { tools: [1, 2, 1] }],
    ["object.tools.filter(t, t != 'x').map(t, t + '!')", { tools: ['a', 'x', 'b'] }],
    ["object.labels.filter(k, k.startsWith('orka.ai/'))", { labels: { 'orka.ai/a': '1', b: '2' } }],
    ['object.tools.map(t, t > 1, t * 2)', { tools: [1, 2, 3] }],
    ['object.missing == 1 || true', { a: 1 }],
    ['object.a.b.c', { a: { b: {} } }],
    ["has(object.a.b) && !has(object.a.c) && object.a.?c.orValue('d') == 'd'", { a: { b: 1 } }],
    ['has(object.a.b.c)', { a: 1 }],
    ['object.?a.?b.or(optional.of(2)).value()', { a: {} }],
    ['object.a.?b.orValue(object.c)', { a: {}, c: [1] }],
    ['object.n + 1', { n: 9223372036854775807n }],
    ['object.n / object.z', { n: 1, z: 0 }],
    ['[object.a, object.b][1] == object.b', { a: 1, b: 'x' }],
    ["{'k': object.a, 'constructor': 1, '__proto__': 2}", { a: [1] }],
    ['object.a in object.list && !(object.b in object.list)', { a: 'x', b: 'y', list: ['x'] }],
    ["object.s.matches('^[a-z]+$') && !object.s.matches(object.p)", { s: 'abc', p: '[0-9]' }],
    ["object.s.matches('(')", { s: 'abc' }],
    ['object.list.all(a, object.list.exists(b, a == b))', { list: [1, 2, 3, 4, 5, 6] }],
    ['cel.bind(x, object.a, x + x) == object.a * 2', { a: 3 }],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a field name that is hostile JavaScript
    ["object['\\u2028`${process.exit(1)}\\\"'] == 1", { '\u2028`${process.exit(1)}"': 1 }],
    ['object.a ? 1 : 2', { a: 'yes' }],
    ['object.?spec.orValue({}).size() == 0 && {} == {}', {}],
    ["object.?spec.orValue({}) == {'a': 1}", { spec: { a: 1 } }],
    ['[{}, {}].exists(m, m.size() > 0) || object.a in {}', { a: 'x' }],
    ['-object.a', { a: -9223372036854775808n }],
    ['!object.a', { a: 1 }],
  ];
  for (const [source, json] of rows) {
    test(source, () => {
      const activation = { object: toCelValue(json) };
      for (const limit of [100_000, 3, 1, 0]) {
        assert.equal(
          outcome(fast, source, OBJECT, activation, limit),
          outcome(interpreter, source, OBJECT, activation, limit),
          `budget ${limit}`,
        );
      }
    });
  }

  test('falls back to the interpreter only where the evaluation leaves the successful path', () => {
    const compiled = fast.compile(
      "object.missing == 'x' || object.tools.exists(t, t == 'Bash')",
      OBJECT,
    );
    assert.ok(!(compiled instanceof CelCompileError) && usesFastPath(compiled));
    const before = fastPathFallBacks();
    assert.equal(
      fast.evaluate(compiled, { object: toCelValue({ missing: 'x', tools: [] }) }),
      true,
    );
    assert.equal(fastPathFallBacks(), before);
    // `object.missing` fails, and || absorbs the error: only the interpreter knows that
    assert.equal(fast.evaluate(compiled, { object: toCelValue({ tools: ['Bash'] }) }), true);
    assert.equal(fastPathFallBacks(), before + 1);
  });

  test('a lazy variable is read field by field, as the interpreter reads it', () => {
    class Fields extends LazyFields {
      reads: string[] = [];
      constructor(private readonly values: Record<string, unknown>) {
        super();
      }
      field(name: string): unknown {
        this.reads.push(name);
        return this.values[name];
      }
      whole(): Record<string, unknown> {
        this.reads.push('(whole)');
        return { ...this.values };
      }
    }
    const options: CompileOptions = {
      variables: { v: 'map<string, dyn>', object: 'dyn' },
      lazyVariables: new Set(['v']),
    };
    for (const source of [
      "v.tools.exists(t, t == 'Bash') && has(v.spec.name)",
      'size(v) == 2 && v.tools[0] == "Read"',
      'object.list.exists(v, v == 1)',
      'v.missing == 1 || true',
    ]) {
      const read = (engine: CelEngine) => {
        const fields = new Fields({ tools: toCelValue(['Read']), spec: toCelValue({ name: 'a' }) });
        const result = outcome(
          engine,
          source,
          options,
          { v: fields, object: toCelValue({ list: [1] }) },
          1000,
        );
        return `${result}; reads ${fields.reads.join(',')}`;
      };
      const interpreted = read(interpreter);
      const compiled = read(fast);
      // a fall-back reads again what the fast path read before it gave up; memoising variables
      // (policy/evaluate/variables.ts) makes the second read free
      assert.equal(compiled.split('; ')[0], interpreted.split('; ')[0], source);
      assert.ok(
        compiled.endsWith(interpreted.split('; reads ')[1]!),
        `${source}: ${compiled} vs ${interpreted}`,
      );
    }
  });

  test('the same step budget, spent and run out at the same step, as the interpreter', () => {
    let ticks = { interpreter: 0, fast: 0 };
    const counting = (which: 'interpreter' | 'fast') =>
      createCelEngine({
        fastPath: which === 'fast',
        extend: (environment) =>
          environment.registerFunction('tick(int): bool', () => {
            ticks[which]++;
            return true;
          }),
      });
    const engines = { interpreter: counting('interpreter'), fast: counting('fast') };
    const options: CompileOptions = { variables: { items: 'list<int>' } };
    for (const limit of [0, 1, 2, 7, 100, 5000]) {
      ticks = { interpreter: 0, fast: 0 };
      const items = Array.from({ length: 60 }, (_, i) => BigInt(i));
      const source = 'items.all(x, items.all(y, tick(y)))';
      assert.equal(
        outcome(engines.fast, source, options, { items }, limit),
        outcome(engines.interpreter, source, options, { items }, limit),
      );
      assert.equal(ticks.fast, ticks.interpreter, `limit ${limit}: ticks`);
    }
  });

  test('a budget an earlier expression overdrew fails even an expression of no steps', () => {
    for (const engine of [fast, interpreter]) {
      const budget = createCelBudget(1);
      const costly = engine.compile('object.tools.exists(t, t == "x")', OBJECT);
      const free = engine.compile("object.name == 'x'", OBJECT);
      assert.ok(!(costly instanceof CelCompileError) && !(free instanceof CelCompileError));
      const activation = { object: toCelValue({ name: 'x', tools: ['a', 'b'] }) };
      assert.throws(() => engine.evaluate(costly, activation, budget), /budget/);
      assert.equal(budget.remaining, -1);
      assert.throws(() => engine.evaluate(free, activation, budget), /budget/);
      assert.equal(budget.remaining, -1);
    }
  });

  test('a variable of another type than declared gets the interpreter’s error, every time', () => {
    const options: CompileOptions = { variables: { count: 'int' } };
    const compiled = [fast, interpreter].map((engine) => {
      const expression = engine.compile('count + 1 > 2', options);
      assert.ok(!(expression instanceof CelCompileError));
      return { engine, expression };
    });
    const results = compiled.map(({ engine, expression }) =>
      [{ count: 'three' }, {}, { count: 3n }, { count: 'three' }, { count: 1n }].map(
        (activation) => {
          try {
            return String(engine.evaluate(expression, activation));
          } catch (error) {
            const { code, summary, position } = error as CelCompileError;
            return `${code}: ${summary} at ${JSON.stringify(position)}`;
          }
        },
      ),
    );
    assert.deepEqual(results[0], results[1]);
    assert.equal(results[0]![2], 'true');
    assert.match(results[0]![0]!, /variable_type_mismatch/);
  });
});

describe('the built-in policies', () => {
  const { fast } = pair({ extend: registerPolicyTypes });
  const sources = builtinDocuments().flatMap((document) => expressionsIn(document));

  const compiled = sources.map((source) => {
    const expression = fast.compile(source, {
      variables: RUNTIME_POLICY_VARIABLES,
      lazyVariables: new Set(['variables']),
    });
    assert.ok(!(expression instanceof CelCompileError), `${source}: ${String(expression)}`);
    return { source, expression };
  });

  test('every expression of every built-in policy runs on the fast path', () => {
    assert.ok(sources.length > 80, `${sources.length} expressions`);
    const interpretedOnly = compiled.filter(({ expression }) => !usesFastPath(expression));
    assert.deepEqual(interpretedOnly, []);
  });

  test('all but those building a map with members are evaluated directly', () => {
    const throughTheLibrary = compiled
      .filter(({ expression }) => !evaluatesDirectly(expression))
      .map(({ source }) => source);
    assert.ok(throughTheLibrary.length > 0);
    for (const source of throughTheLibrary) assert.match(source, /\{\s*'/, source);
  });
});

/** Every CEL expression in a policy document (fields named expression, messageExpression...). */
function expressionsIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(expressionsIn);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, member]) =>
    /^(expression|messageExpression|valueExpression)$/.test(key) && typeof member === 'string'
      ? [member]
      : expressionsIn(member),
  );
}
