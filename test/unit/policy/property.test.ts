// Random policies and objects through the whole chain: every outcome is a well-formed decision
// (no crash, no hang: the step budget bounds every evaluation).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { compilePolicy, PolicyCompileError } from '../../../policy/admission-policy/compile.ts';
import { createCelBudget } from '../../../policy/cel/engine.ts';
import { admit } from '../../../policy/chain/admit.ts';
import { compiler, context, policyObject, task, taskRequest } from './helpers.ts';

const fragments = [
  'true',
  'false',
  "object.spec.type == 'agent'",
  'object.spec.missing',
  "has(object.spec.execution) && object.spec.execution.runtimeClassName == 'gvisor'",
  'effective.allowBash',
  "requester.groups.exists(g, g == 'platform')",
  'size(object.metadata.name) > 3',
  "object.metadata.name.matches('^[a-z-]+$')",
  'variables.v',
  'params.n.all(x, params.n.all(y, x <= y || x > y))',
  '1 / 0 == 1',
  "tctx == null || 'allowedTools' in tctx",
];

const expression = fc
  .array(fc.constantFrom(...fragments), { minLength: 1, maxLength: 3 })
  .chain((parts) => fc.constantFrom(' && ', ' || ').map((op) => parts.join(op)));

const json = fc.jsonValue({ maxDepth: 3 });

test('random policies and objects never crash the chain', () => {
  fc.assert(
    fc.property(
      expression,
      expression,
      fc.constantFrom('Fail', 'Ignore'),
      fc.constantFrom(['Deny'], ['Warn'], ['Audit'], ['Warn', 'Audit']),
      fc.dictionary(fc.string({ maxLength: 8 }), json, { maxKeys: 4 }),
      fc.boolean(),
      (validation, condition, failurePolicy, validationActions, extraSpec, mutate) => {
        let compiled: ReturnType<typeof compilePolicy>;
        try {
          compiled = compilePolicy(
            policyObject('random', {
              failurePolicy,
              validationActions,
              params: { n: Array.from({ length: 100 }, (_, i) => i) },
              variables: [{ name: 'v', expression: validation }],
              matchConditions: [{ name: 'c', expression: condition }],
              validations: [
                { expression: validation, messageExpression: "'m: ' + string(variables.v)" },
              ],
              ...(mutate
                ? { mutations: [{ expression: "[{'op': 'add', 'path': '/spec/x', 'value': 1}]" }] }
                : {}),
            }),
            compiler,
          );
        } catch (error) {
          assert.ok(error instanceof PolicyCompileError);
          return;
        }
        const decision = admit(
          taskRequest(task(extraSpec)),
          context([compiled], { budget: createCelBudget(5_000) }),
        );
        assert.equal(typeof decision.allowed, 'boolean');
        assert.equal(decision.allowed, decision.denials.length === 0);
        assert.ok(decision.code === 200 || decision.code >= 400);
        for (const denial of decision.denials) assert.ok(denial.message.length > 0);
      },
    ),
    { numRuns: 200 },
  );
});
