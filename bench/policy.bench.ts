// Admission throughput of the policy layer: the built-in policies plus 20 custom policies on one
// Task, through Orka's evaluation (activation, matching, lazy variables, step budget, RE2,
// sanitized errors) against the bare CEL library evaluating the same expressions on the same
// activation with no safety layer (variables evaluated eagerly, no budget). Target ratio ≥ 0.7.
// The full chain (defaulting, schema validation, mutations, stamping) is reported as well.
import { Environment } from '@marcbachmann/cel-js';
import { compilePolicy } from '../policy/admission-policy/compile.ts';
import { createExpressionCompiler } from '../policy/admission-policy/expression-compiler.ts';
import type { CompiledPolicy } from '../policy/admission-policy/types.ts';
import { compileBuiltins, enabledBuiltins } from '../policy/builtin/index.ts';
import { createCelBudget } from '../policy/cel/engine.ts';
import { registerKubernetesLibraries } from '../policy/cel/libraries/index.ts';
import { buildActivation } from '../policy/chain/activation.ts';
import { admit } from '../policy/chain/admit.ts';
import { policyConfigFromFlags } from '../policy/chain/config.ts';
import type { AdmissionInput, KubeObject } from '../policy/chain/request.ts';
import { orkaResources } from '../policy/chain/resource-model.ts';
import { validateWithPolicy } from '../policy/evaluate/policy.ts';
import { type BenchRow, opsPerSecond } from './harness.ts';

const TASK: KubeObject = {
  apiVersion: 'core.orka.ai/v1alpha1',
  kind: 'Task',
  metadata: { name: 'fix-tests', namespace: 'team-a', labels: { team: 'platform' } },
  spec: {
    type: 'agent',
    agentRef: { name: 'claude-agent' },
    prompt: 'Fix the failing CI tests in the api/ directory',
    agentRuntime: {
      workspace: { gitRepo: 'https://github.com/example/my-project.git', branch: 'main' },
      maxTurns: 100,
      allowedTools: ['Read', 'Write', 'Edit', 'Bash', 'Glob', 'Grep'],
      disallowedTools: ['WebFetch'],
    },
    requestedBy: { username: 'alice', groups: ['platform', 'system:authenticated'] },
  },
};
const AGENT: KubeObject = {
  apiVersion: 'core.orka.ai/v1alpha1',
  kind: 'Agent',
  metadata: { name: 'claude-agent', namespace: 'team-a' },
  spec: { runtime: { type: 'claude' } },
};
const INPUT: AdmissionInput = {
  operation: 'CREATE',
  object: TASK,
  oldObject: null,
  kind: { group: 'core.orka.ai', version: 'v1alpha1', kind: 'Task' },
  resource: { group: 'core.orka.ai', version: 'v1alpha1', resource: 'tasks' },
  subResource: '',
  name: 'fix-tests',
  namespace: 'team-a',
  dryRun: false,
  userInfo: { username: 'alice', groups: ['platform', 'system:authenticated'] },
};

const CUSTOM_CHECKS = [
  'object.spec.prompt.size() < 10000',
  'effective.maxTurns <= 200',
  '!effective.allowBash || requester.groups.exists(g, g in params.admins)',
  "!('WebFetch' in effective.allowedTools)",
  "effective.workspace == null || effective.workspace.gitRepo.startsWith('https://github.com/example/')",
  "object.metadata.name.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?$')",
  'variables.tools.all(t, t in params.known)',
  "!object.spec.prompt.contains('ignore previous')",
  "has(object.metadata.labels) && 'team' in object.metadata.labels",
  "requester.username != ''",
];

function customPolicies(count: number): CompiledPolicy[] {
  const compiler = createExpressionCompiler();
  return Array.from({ length: count }, (_, i) =>
    compilePolicy(
      {
        apiVersion: 'policy.orka.ai/v1alpha1',
        kind: 'AdmissionPolicy',
        metadata: { name: `custom-${String(i).padStart(2, '0')}` },
        spec: {
          matchConstraints: {
            resourceRules: [
              {
                apiGroups: ['core.orka.ai'],
                apiVersions: ['*'],
                resources: ['tasks'],
                operations: ['CREATE', 'UPDATE'],
              },
            ],
          },
          matchConditions: [{ name: 'agent', expression: "object.spec.type == 'agent'" }],
          params: {
            admins: ['platform'],
            known: ['Read', 'Write', 'Edit', 'Bash', 'Glob', 'Grep'],
          },
          variables: [{ name: 'tools', expression: 'effective.allowedTools' }],
          validations: [
            {
              expression: CUSTOM_CHECKS[i % CUSTOM_CHECKS.length]!,
              messageExpression: "'refused by ' + string(params.admins)",
            },
          ],
        },
      },
      compiler,
    ),
  );
}

/** Errors count as outcomes (as in the policy layer), not as a stop. */
function attempt(
  program: (scope: Record<string, unknown>) => unknown,
  scope: Record<string, unknown>,
): unknown {
  try {
    return program(scope);
  } catch {
    return undefined;
  }
}

/** The same expressions compiled by the bare library, evaluated the plain way. */
function bareEvaluator(policies: CompiledPolicy[]): (activation: Record<string, unknown>) => void {
  const env = new Environment({
    homogeneousAggregateLiterals: false,
    enableOptionalTypes: true,
    unlistedVariablesAreDyn: true,
  });
  registerKubernetesLibraries(env);
  const parse = (source: string) => {
    const program = env.parse(source);
    if (!program.check().valid) throw new Error(`bare library cannot check: ${source}`);
    return program;
  };
  const compiled = policies.map((policy) => ({
    params:
      'inline' in (policy.params ?? {}) ? (policy.params as { inline: unknown }).inline : null,
    conditions: policy.matchConditions.map((c) => parse(c.expression.source)),
    variables: policy.variables.map((v) => [v.name, parse(v.expression.source)] as const),
    validations: policy.validations.map((v) => parse(v.expression.source)),
  }));
  return (activation) => {
    for (const policy of compiled) {
      const scope: Record<string, unknown> = {
        ...activation,
        params: policy.params,
        variables: {},
      };
      if (!policy.conditions.every((condition) => attempt(condition, scope) === true)) continue;
      const variables: Record<string, unknown> = {};
      scope.variables = variables;
      for (const [name, program] of policy.variables) {
        let memo: { value: unknown } | undefined;
        Object.defineProperty(variables, name, {
          enumerable: true,
          get: () => {
            memo ??= { value: program(scope) };
            return memo.value;
          },
        });
      }
      for (const validation of policy.validations) attempt(validation, scope);
    }
  };
}

export default async function policyBench(): Promise<BenchRow[]> {
  const config = policyConfigFromFlags({});
  const builtin = enabledBuiltins(compileBuiltins(createExpressionCompiler()), config);
  const custom = customPolicies(20);
  const policies = [...builtin, ...custom];

  const layer = () => {
    const activation = buildActivation({
      input: INPUT,
      object: TASK,
      agent: AGENT,
      namespaceObject: null,
      config,
      resources: orkaResources,
    });
    const evaluation = {
      input: INPUT,
      activation,
      namespaceObject: null,
      lookupParams: undefined,
      budget: createCelBudget(),
    };
    for (const policy of policies) validateWithPolicy(policy, evaluation);
  };
  const fixedActivation = buildActivation({
    input: INPUT,
    object: TASK,
    agent: AGENT,
    namespaceObject: null,
    config,
    resources: orkaResources,
  });
  const bare = bareEvaluator(policies);
  const bareRun = () => bare(fixedActivation);
  const chain = () =>
    admit(INPUT, {
      config,
      agent: AGENT,
      namespaceObject: null,
      policies: { builtin, custom },
      resources: orkaResources,
    });
  if (!chain().allowed) throw new Error('the benchmark Task must be admitted');

  const bareRate = opsPerSecond(bareRun, 2000);
  const layerRate = opsPerSecond(layer, 2000);
  const chainRate = opsPerSecond(chain, 2000);
  const label = `${builtin.length} built-ins + ${custom.length} custom policies on a Task`;
  return [
    {
      name: `policy layer: validations of ${label}`,
      value: layerRate,
      unit: 'requests/s',
      baseline: { name: 'bare CEL library, same expressions and activation', value: bareRate },
      note: `ratio ${(layerRate / bareRate).toFixed(2)} (target ≥ 0.7)`,
    },
    {
      name: `full admission chain: ${label}`,
      value: chainRate,
      unit: 'requests/s',
      baseline: { name: 'bare CEL library, same expressions and activation', value: bareRate },
      note: 'adds defaulting, schema validation, mutations and requester stamping',
    },
  ];
}
