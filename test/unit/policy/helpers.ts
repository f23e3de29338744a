// Builders shared by the policy tests: a policy from a partial spec, a Task request, a context.
import { compilePolicy } from '../../../policy/admission-policy/compile.ts';
import { createExpressionCompiler } from '../../../policy/admission-policy/expression-compiler.ts';
import type { CompiledPolicy } from '../../../policy/admission-policy/types.ts';
import type { AdmissionContext } from '../../../policy/chain/admit.ts';
import { policyConfigFromFlags } from '../../../policy/chain/config.ts';
import type { AdmissionInput, KubeObject } from '../../../policy/chain/request.ts';
import { orkaResources } from '../../../policy/chain/resource-model.ts';

export const compiler = createExpressionCompiler();

export const taskRule = {
  apiGroups: ['core.orka.ai'],
  apiVersions: ['*'],
  resources: ['tasks'],
  operations: ['CREATE', 'UPDATE'],
};

export function policyObject(name: string, spec: Record<string, unknown>): Record<string, unknown> {
  return {
    apiVersion: 'policy.orka.ai/v1alpha1',
    kind: 'AdmissionPolicy',
    metadata: { name },
    spec: { matchConstraints: { resourceRules: [taskRule] }, ...spec },
  };
}

export function policy(
  name: string,
  spec: Record<string, unknown>,
  builtin = false,
): CompiledPolicy {
  return compilePolicy(policyObject(name, spec), compiler, { builtin });
}

export function task(
  spec: Record<string, unknown> = {},
  metadata: Record<string, unknown> = {},
): KubeObject {
  return {
    apiVersion: 'core.orka.ai/v1alpha1',
    kind: 'Task',
    metadata: { name: 'fix-tests', namespace: 'default', ...metadata },
    spec: { type: 'agent', agentRef: { name: 'claude-agent' }, prompt: 'Fix the tests', ...spec },
  };
}

export function taskRequest(
  object: KubeObject | null,
  overrides: Partial<AdmissionInput> = {},
): AdmissionInput {
  return {
    operation: 'CREATE',
    object,
    oldObject: null,
    kind: { group: 'core.orka.ai', version: 'v1alpha1', kind: 'Task' },
    resource: { group: 'core.orka.ai', version: 'v1alpha1', resource: 'tasks' },
    subResource: '',
    name: 'fix-tests',
    namespace: 'default',
    dryRun: false,
    userInfo: { username: 'alice', groups: ['system:authenticated'] },
    ...overrides,
  };
}

export function context(
  custom: CompiledPolicy[],
  overrides: Partial<AdmissionContext> = {},
): AdmissionContext {
  return {
    config: policyConfigFromFlags({}),
    agent: null,
    namespaceObject: null,
    policies: { builtin: [], custom },
    resources: orkaResources,
    ...overrides,
  };
}
