import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createExpressionCompiler } from '../../../policy/admission-policy/expression-compiler.ts';
import { desiredPolicyStatus, statusDiffers } from '../../../reconcilers/policy-status/status.ts';

const compiler = createExpressionCompiler();

const policy = (expression: string, status?: unknown) => ({
  apiVersion: 'policy.orka.ai/v1alpha1',
  kind: 'AdmissionPolicy',
  metadata: { name: 'p', generation: 3 },
  spec: {
    matchConstraints: {
      resourceRules: [
        {
          apiGroups: ['core.orka.ai'],
          apiVersions: ['*'],
          resources: ['tasks'],
          operations: ['*'],
        },
      ],
    },
    validations: [{ expression }],
  },
  ...(status ? { status } : {}),
});

describe('the status an AdmissionPolicy should have', () => {
  test('Ready keeps its lastTransitionTime while its status does not change', () => {
    const first = desiredPolicyStatus(policy('true'), compiler, '2025-01-01T00:00:00Z');
    const again = desiredPolicyStatus(policy('true', first), compiler, '2025-06-01T00:00:00Z');
    assert.equal(again.conditions?.[0]?.lastTransitionTime, '2025-01-01T00:00:00Z');
    assert.equal(statusDiffers(first, again), false);
  });

  test('a change of Ready status moves lastTransitionTime', () => {
    const good = desiredPolicyStatus(policy('true'), compiler, '2025-01-01T00:00:00Z');
    const bad = desiredPolicyStatus(
      policy('request.namex', good),
      compiler,
      '2025-06-01T00:00:00Z',
    );
    assert.deepEqual(bad.conditions?.[0], {
      type: 'Ready',
      status: 'False',
      reason: 'CompileError',
      message: "spec.validations[0].expression: undefined field 'namex' (line 1, column 9)",
      lastTransitionTime: '2025-06-01T00:00:00Z',
    });
    assert.equal(bad.observedGeneration, 3);
    assert.equal(statusDiffers(good, bad), true);
  });

  test('a status read back with its keys in another order is no change', () => {
    const status = desiredPolicyStatus(policy('true'), compiler, '2025-01-01T00:00:00Z');
    const reordered = JSON.parse(
      JSON.stringify({
        typeChecking: status.typeChecking,
        conditions: status.conditions?.map(({ message, ...rest }) => ({ message, ...rest })),
        observedGeneration: status.observedGeneration,
      }),
    );
    assert.equal(statusDiffers(reordered, status), false);
    assert.equal(statusDiffers(undefined, status), true);
  });
});
