// The reconciler's re-check (DESIGN §1): before a Job is created, the built-in rules that need no
// request — those on the Task, its Agent and the config — run again through the same admission
// chain, for Tasks admitted while their Agent was unknown or written while the webhook was down.
import { createExpressionCompiler } from '../../policy/admission-policy/expression-compiler.ts';
import { compileBuiltins, enabledBuiltins } from '../../policy/builtin/index.ts';
import { admit } from '../../policy/chain/admit.ts';
import type { PolicyConfig } from '../../policy/chain/config.ts';
import type { KubeObject } from '../../policy/chain/request.ts';
import { orkaResources } from '../../policy/chain/resource-model.ts';
import type { Agent, Task } from '../../resources/types.ts';

/** Built-ins that read only the object, its Agent and the config (not who asked, nor a token). */
export const REQUEST_FREE_BUILTINS = [
  'orka-namespace-isolation',
  'orka-sandbox-workspace',
  'orka-task-semantics',
] as const;

/** `<policy>: <message>` of every broken rule joined with `; `, or undefined when none is. */
export type Recheck = (task: Task, agent: Agent | undefined) => string | undefined;

export function createRecheck(config: PolicyConfig): Recheck {
  const names: readonly string[] = REQUEST_FREE_BUILTINS;
  const builtin = enabledBuiltins(compileBuiltins(createExpressionCompiler()), config).filter(
    (policy) => names.includes(policy.name),
  );
  return (task, agent) => {
    // The chain applies defaults to what it is given; the cached objects must stay untouched.
    const object = structuredClone(task) as unknown as KubeObject;
    const decision = admit(
      {
        operation: 'CREATE',
        object,
        oldObject: null,
        kind: { group: 'core.orka.ai', version: 'v1alpha1', kind: 'Task' },
        resource: { group: 'core.orka.ai', version: 'v1alpha1', resource: 'tasks' },
        subResource: '',
        name: task.metadata?.name ?? '',
        namespace: task.metadata?.namespace ?? '',
        dryRun: false,
        userInfo: { username: config.controllerUsername, groups: [] },
      },
      {
        config,
        agent: agent ? (structuredClone(agent) as unknown as KubeObject) : null,
        namespaceObject: null,
        policies: { builtin, custom: [] },
        resources: orkaResources,
      },
    );
    // The apiserver already applied the schema when it stored the Task.
    const broken = decision.denials.filter((denial) => denial.policy !== 'schema');
    return broken.length > 0
      ? broken.map((denial) => `${denial.policy}: ${denial.message}`).join('; ')
      : undefined;
  };
}
