import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Histogram } from '../../../metrics/prometheus.ts';
import { CelCompileError, createCelEngine } from '../../../policy/cel/engine.ts';
import { toCelValue } from '../../../policy/cel/json.ts';
import { WebhookMetrics } from '../../../webhooks/metrics.ts';
import {
  BadRequestError,
  decodeAdmissionReview,
  InvalidRequestError,
} from '../../../webhooks/review.ts';

const review = (request: Record<string, unknown>) =>
  JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request });
const valid = {
  uid: 'u',
  kind: { group: 'core.orka.ai', version: 'v1alpha1', kind: 'Task' },
  resource: { group: 'core.orka.ai', version: 'v1alpha1', resource: 'tasks' },
  operation: 'CREATE',
  userInfo: { username: 'alice', groups: ['g'] },
  object: { spec: { priority: 5 } },
};

describe('decodeAdmissionReview', () => {
  const cases: [string, string, typeof BadRequestError | typeof InvalidRequestError, RegExp][] = [
    ['number apiVersion', JSON.stringify({ apiVersion: 1 }), BadRequestError, /got a bigint/],
    ['no uid', review({ ...valid, uid: '' }), BadRequestError, /request\.uid is required/],
    ['huge uid', review({ ...valid, uid: 'u'.repeat(300) }), BadRequestError, /longer than 256/],
    [
      'kind not an object',
      review({ ...valid, kind: 'Task' }),
      InvalidRequestError,
      /request\.kind must be an object, got a string/,
    ],
    [
      'groups not strings',
      review({ ...valid, userInfo: { username: 'a', groups: [1] } }),
      InvalidRequestError,
      /groups must be a list of strings/,
    ],
    [
      'UPDATE without oldObject',
      review({ ...valid, operation: 'UPDATE' }),
      InvalidRequestError,
      /request\.oldObject is required for UPDATE/,
    ],
    [
      'dryRun not boolean',
      review({ ...valid, dryRun: 'yes' }),
      InvalidRequestError,
      /dryRun must be a boolean/,
    ],
  ];
  for (const [name, text, kind, message] of cases) {
    test(name, () =>
      assert.throws(
        () => decodeAdmissionReview(text),
        (error: Error) => error instanceof kind && message.test(error.message),
      ),
    );
  }

  test('integers: safe ones become numbers, larger ones stay exact BigInts', () => {
    const text = review(valid).replace('"priority":5', '"priority":5,"big":9007199254740993');
    const { input } = decodeAdmissionReview(text);
    const spec = input.object!.spec as Record<string, unknown>;
    assert.equal(spec.priority, 5);
    assert.equal(spec.big, 9007199254740993n);
  });

  test('a __proto__ key stays data and pollutes nothing', () => {
    const text = review(valid).replace('"object":{', '"object":{"__proto__":{"x":1},');
    const { input } = decodeAdmissionReview(text);
    assert.ok(Object.hasOwn(input.object!, '__proto__'));
    assert.equal(Object.getPrototypeOf(input.object), Object.prototype);
    assert.equal(({} as Record<string, unknown>).x, undefined);
  });
});

test('histogram exposition: cumulative buckets, +Inf, sum and count', () => {
  const histogram = new Histogram('h', 'help', [0.1, 1]);
  histogram.observe({ op: 'CREATE' }, 0.05);
  histogram.observe({ op: 'CREATE' }, 0.5);
  histogram.observe({ op: 'CREATE' }, 5);
  assert.deepEqual(histogram.render(), [
    '# HELP h help',
    '# TYPE h histogram',
    'h_bucket{op="CREATE",le="0.1"} 1',
    'h_bucket{op="CREATE",le="1"} 2',
    'h_bucket{op="CREATE",le="+Inf"} 3',
    'h_sum{op="CREATE"} 5.55',
    'h_count{op="CREATE"} 3',
  ]);
});

test('label values are escaped', () => {
  const metrics = new WebhookMetrics();
  metrics.policyOutcomes.inc({ policy: 'a"b\\c\nd', action: 'deny' });
  assert.match(
    metrics.render(),
    /orka_webhook_policy_outcomes_total\{policy="a\\"b\\\\c\\nd",action="deny"\} 1/,
  );
});

test('policy evaluations: one series per policy, actions in force and result', () => {
  const metrics = new WebhookMetrics();
  const deny = ['Deny'];
  const lowered = ['Warn', 'Audit'];
  metrics.countEvaluation({ policy: 'a', validationActions: deny, result: 'pass' });
  metrics.countEvaluation({ policy: 'a', validationActions: deny, result: 'pass' });
  metrics.countEvaluation({ policy: 'a', validationActions: deny, result: 'fail' });
  metrics.countEvaluation({ policy: 'b', validationActions: deny, result: 'pass' });
  // the same policy lowered by a namespace label, through another actions list
  metrics.countEvaluation({ policy: 'a', validationActions: lowered, result: 'error' });
  metrics.countEvaluation({ policy: 'a', validationActions: ['Warn', 'Audit'], result: 'error' });
  const count = (policy: string, action: string, result: string) =>
    metrics.policyEvaluations.get({ policy, action, result });
  assert.equal(count('a', 'deny', 'pass'), 2);
  assert.equal(count('a', 'deny', 'fail'), 1);
  assert.equal(count('b', 'deny', 'pass'), 1);
  assert.equal(count('a', 'warn+audit', 'error'), 2);
  assert.equal(metrics.policyEvaluations.snapshot().series.length, 4);
});

test('CEL evaluations left to the interpreter are counted', () => {
  const metrics = new WebhookMetrics();
  const counted = () =>
    Number(/^orka_webhook_cel_fast_path_fallbacks_total (\d+)$/m.exec(metrics.render())?.[1]);
  const engine = createCelEngine();
  const compiled = engine.compile("object.missing == 'x' || true", {
    variables: { object: 'dyn' },
  });
  assert.ok(!(compiled instanceof CelCompileError));
  const before = counted();
  assert.equal(engine.evaluate(compiled, { object: toCelValue({ missing: 'x' }) }), true);
  assert.equal(counted(), before, 'the successful path is not a fall-back');
  // the error reading `missing` is absorbed by ||: only the interpreter can say so
  assert.equal(engine.evaluate(compiled, { object: toCelValue({}) }), true);
  assert.equal(counted(), before + 1);
});
