// Evaluations per second of a reference admission expression through Orka's CEL engine (step
// budget, RE2 matches, sanitized errors) against the bare library on the same input.
import { Environment } from '@marcbachmann/cel-js';
import { CelCompileError, createCelBudget, createCelEngine } from '../policy/cel/engine.ts';
import { parseJsonPreservingIntegers } from '../policy/cel/json.ts';
import { type BenchRow, opsPerSecond } from './harness.ts';

const REFERENCE = [
  "object.spec.type == 'agent'",
  '(!has(object.spec.agentRuntime) || object.spec.agentRuntime.allowedTools.all(t, t in params.allowedTools))',
  "!object.spec.prompt.contains('ignore previous')",
  "object.metadata.name.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?$')",
  'object.spec.maxTurns + 1 <= 100',
].join(' && ');

const TASK = `{
  "apiVersion": "core.orka.ai/v1alpha1", "kind": "Task",
  "metadata": {"name": "fix-login-bug", "namespace": "team-a", "labels": {"team": "platform"}},
  "spec": {"type": "agent", "prompt": "Fix the login bug and add a regression test", "maxTurns": 40,
           "agentRuntime": {"type": "claude", "allowedTools": ["Read", "Edit", "Grep"]}}
}`;
const PARAMS = `{"allowedTools": ["Read", "Edit", "Grep", "Glob", "Write"]}`;

// Without matches(): the bare library compiles a RegExp per call, which flatters the engine.
const WITHOUT_MATCHES = REFERENCE.replace(/ && object\.metadata\.name\.matches\('[^']*'\)/, '');

function ratePair(expression: string, activation: Record<string, unknown>): [number, number] {
  const raw = new Environment({ homogeneousAggregateLiterals: false, enableOptionalTypes: true })
    .registerVariable('object', 'dyn')
    .registerVariable('params', 'dyn');
  const rawExpression = raw.parse(expression);
  if (!rawExpression.check().valid) throw new Error('reference expression does not check');
  const engine = createCelEngine();
  const compiled = engine.compile(expression, {
    variables: { object: 'dyn', params: 'dyn' },
    resultType: 'bool',
  });
  if (compiled instanceof CelCompileError) throw compiled;
  if (engine.evaluate(compiled, activation) !== true || rawExpression(activation) !== true) {
    throw new Error('reference expression must allow the reference Task');
  }
  const baseline = opsPerSecond(() => rawExpression(activation), 2000);
  const engineRate = opsPerSecond(
    () => engine.evaluate(compiled, activation, createCelBudget()),
    2000,
  );
  return [engineRate, baseline];
}

export default async function celBench(): Promise<BenchRow[]> {
  const activation = {
    object: parseJsonPreservingIntegers(TASK),
    params: parseJsonPreservingIntegers(PARAMS),
  };

  const [engineRate, baseline] = ratePair(REFERENCE, activation);
  const [plainEngineRate, plainBaseline] = ratePair(WITHOUT_MATCHES, activation);
  const parseRate = opsPerSecond(() => parseJsonPreservingIntegers(TASK), 1000);
  const jsonParseRate = opsPerSecond(() => JSON.parse(TASK), 1000);
  return [
    {
      name: 'cel: reference expression through the engine (budget, RE2)',
      value: engineRate,
      unit: 'evaluations/s',
      baseline: { name: '@marcbachmann/cel-js alone', value: baseline },
      note: 'target ratio >= 0.7',
    },
    {
      name: 'cel: reference expression without matches() through the engine',
      value: plainEngineRate,
      unit: 'evaluations/s',
      baseline: { name: '@marcbachmann/cel-js alone', value: plainBaseline },
      note: 'the cost of the step budget alone; target ratio >= 0.7',
    },
    {
      name: 'cel: parseJsonPreservingIntegers of the reference Task',
      value: parseRate,
      unit: 'parses/s',
      baseline: { name: 'JSON.parse', value: jsonParseRate },
    },
  ];
}
