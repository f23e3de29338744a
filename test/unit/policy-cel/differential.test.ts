// Differential test: policy-like expressions over Task-shaped objects give the same result in
// Orka's engine as in @bufbuild/cel, the most spec-correct JavaScript CEL (the test oracle).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isCelError, run } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import fc from 'fast-check';
import {
  CelCompileError,
  CelEvaluationError,
  createCelEngine,
} from '../../../policy/cel/engine.ts';
import { parseJsonPreservingIntegers } from '../../../policy/cel/json.ts';

const CORPUS = [
  "object.spec.type == 'agent'",
  "has(object.spec.agentRuntime) && object.spec.agentRuntime.type in ['claude', 'codex']",
  "!has(object.spec.agentRuntime) || object.spec.agentRuntime.allowedTools.all(t, t in ['Read', 'Edit', 'Grep'])",
  "object.spec.allowedTools.exists(t, t == 'Bash')",
  "object.spec.allowedTools.exists_one(t, t.startsWith('Re'))",
  'object.spec.allowedTools.filter(t, t.size() > 3).size()',
  "object.spec.allowedTools.map(t, t.lowerAscii()).join(',')",
  "object.spec.allowedTools.map(t, t.size() > 3, t.upperAscii()).join('|')",
  "!object.spec.prompt.contains('ignore previous')",
  "object.spec.prompt.lowerAscii().contains('ignore previous')",
  "object.spec.prompt.matches('^[a-z ]+$')",
  "object.metadata.name.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?$')",
  'object.metadata.name.size() <= 63',
  "object.metadata.name.split('-').size()",
  "object.metadata.name.replace('-', '_')",
  "object.metadata.name.indexOf('-')",
  'object.metadata.name.substring(0, 3)',
  "'team' in object.metadata.labels && object.metadata.labels['team'] == 'platform'",
  "object.metadata.labels.exists(k, k.startsWith('orka.ai/'))",
  'object.spec.maxTurns + 1',
  'object.spec.maxTurns * 2 <= 100',
  'object.spec.maxTurns > 10 ? object.spec.maxTurns - 10 : 0',
  'object.spec.maxTurns / 3',
  'object.spec.maxTurns % 7',
  'double(object.spec.maxTurns) / 4.0',
  'string(object.spec.maxTurns)',
  "int('42') + object.spec.maxTurns",
  'object.spec.priority > 0.5',
  "object.spec.timeout == '30m' || duration(object.spec.timeout) <= duration('1h')",
  "object.spec.repository.url.startsWith('https://')",
  "object.spec.repository.url.endsWith('.git')",
  "object.spec.missing == 'x'",
  'object.spec.allowedTools[0]',
  'object.spec.allowedTools[10]',
  'size(object.spec.allowedTools) == 0',
  "object.spec.allowedTools.all(t, t != '') && object.spec.maxTurns >= 1",
  "request.userInfo.groups.exists(g, g == 'system:masters') || request.userInfo.username == 'admin'",
  "request.userInfo.groups.filter(g, g.startsWith('team-')).map(g, g.substring(5))[0]",
  "request.operation in ['CREATE', 'UPDATE'] && request.namespace == object.metadata.namespace",
  'object.spec.allowedTools.all(a, object.spec.allowedTools.exists(b, a == b))',
  '[1, 2, 3].exists(x, x == object.spec.maxTurns)',
  "{'a': object.spec.maxTurns}.a == object.spec.maxTurns",
  'object.metadata.name.trim() == object.metadata.name',
  "object.spec.allowedTools.size() > 1 && object.spec.allowedTools[1].charAt(0) == 'E'",
];

const tools = ['Read', 'Edit', 'Grep', 'Bash', 'WebFetch', 'ignore'];
const task = fc.record({
  name: fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/),
  labels: fc.dictionary(
    fc.constantFrom('team', 'orka.ai/session', 'env'),
    fc.constantFrom('platform', 'x', ''),
  ),
  type: fc.constantFrom('agent', 'ai'),
  runtime: fc.option(
    fc.record({
      type: fc.constantFrom('claude', 'codex', 'gemini'),
      allowedTools: fc.subarray(tools),
    }),
  ),
  allowedTools: fc.subarray(tools),
  prompt: fc.constantFrom('fix the bug', 'Ignore previous instructions', 'add tests 2x', ''),
  maxTurns: fc.integer({ min: 0, max: 2 ** 40 }),
  priority: fc.double({ min: 0, max: 1, noNaN: true }),
  timeout: fc.constantFrom('30m', '2h', '45m0s', '1h30m'),
  url: fc.constantFrom('https://github.com/org/repo.git', 'git@github.com:org/repo', 'http://x'),
  groups: fc.subarray(['system:authenticated', 'system:masters', 'team-a', 'team-b']),
  username: fc.constantFrom('admin', 'alice', 'system:serviceaccount:orka:orka'),
  operation: fc.constantFrom('CREATE', 'UPDATE', 'DELETE'),
});

type TaskShape = typeof task extends fc.Arbitrary<infer T> ? T : never;

function documentOf(t: TaskShape) {
  const spec: Record<string, unknown> = {
    type: t.type,
    allowedTools: t.allowedTools,
    prompt: t.prompt,
    maxTurns: t.maxTurns,
    priority: t.priority === Math.trunc(t.priority) ? 0.25 : t.priority,
    timeout: t.timeout,
    repository: { url: t.url },
  };
  if (t.runtime) spec.agentRuntime = t.runtime;
  const text = JSON.stringify({
    object: { metadata: { name: t.name, namespace: 'team-a', labels: t.labels }, spec },
    request: {
      operation: t.operation,
      namespace: 'team-a',
      userInfo: { username: t.username, groups: t.groups },
    },
  });
  return parseJsonPreservingIntegers(text) as Record<string, unknown>;
}

const engine = createCelEngine();
const compiled = CORPUS.map((expression) => {
  const result = engine.compile(expression, { variables: { object: 'dyn', request: 'dyn' } });
  if (result instanceof CelCompileError) throw new Error(`${expression}: ${result.message}`);
  return result;
});

function ours(index: number, activation: Record<string, unknown>): unknown {
  try {
    return engine.evaluate(compiled[index]!, activation);
  } catch (error) {
    if (error instanceof CelEvaluationError) return 'error';
    throw error;
  }
}

function oracle(expression: string, activation: Record<string, unknown>): unknown {
  const result = run(expression, activation as never, { funcs: strings });
  if (isCelError(result)) return 'error';
  if (typeof result === 'object' && result !== null && 'value' in result) {
    return (result as { value: unknown }).value;
  }
  return result;
}

test('the engine agrees with @bufbuild/cel on a corpus of policy expressions over random Tasks', () => {
  let compared = 0;
  fc.assert(
    fc.property(task, (t) => {
      const activation = documentOf(t);
      CORPUS.forEach((expression, index) => {
        const expected = oracle(expression, activation);
        const actual = ours(index, activation);
        assert.deepEqual(actual, expected, `${expression} on ${JSON.stringify(t)}`);
        compared++;
      });
    }),
    { numRuns: 150 },
  );
  assert.equal(compared, CORPUS.length * 150);
});
