// The Agent reconciler (reference §1.1): status.ready and the Ready condition from the checks in
// their order, activeTasks from the Tasks of the Agent that have not finished, lastUsed.
import type { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import type { Agent, Task } from '../../resources/types.ts';
import { done, type ReconcileAction, requeueAfter } from '../runtime/action.ts';
import { type Clock, kubeTime } from '../runtime/clock.ts';
import { conditionIs, setCondition } from '../runtime/conditions.ts';
import { type Informer, splitKey } from '../runtime/informer.ts';
import { isNotFound, ORKA_GROUP, ORKA_VERSION } from '../runtime/kube.ts';
import type { ObjectWriter } from '../runtime/writer.ts';
import { type AgentLookups, agentProblem, type ProviderState, READY_MESSAGE } from './validate.ts';

/**
 * A not-ready Agent is checked again this often. Its Secrets and ConfigMaps are watched (a change
 * wakes it at once); Providers, Skills and coordination targets are not, and a watch can miss.
 */
export const NOT_READY_RECHECK_MS = 30_000;

export interface AgentReconcilerContext {
  agents: ObjectWriter<Agent>;
  agentCache: Informer<Agent>;
  taskCache: Informer<Task>;
  core: CoreV1Api;
  custom: CustomObjectsApi;
  clock: Clock;
}

const FINISHED = new Set(['Succeeded', 'Failed', 'Cancelled']);

async function exists(read: () => Promise<unknown>): Promise<boolean> {
  try {
    await read();
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

export function apiLookups(ctx: AgentReconcilerContext): AgentLookups {
  const custom = (plural: string, namespace: string, name: string) =>
    ctx.custom.getNamespacedCustomObject({
      group: ORKA_GROUP,
      version: ORKA_VERSION,
      namespace,
      plural,
      name,
    });
  return {
    async provider(namespace, name): Promise<ProviderState> {
      try {
        const provider = (await custom('providers', namespace, name)) as {
          status?: { ready?: boolean };
        };
        return provider.status?.ready ? 'ready' : 'not-ready';
      } catch (error) {
        if (isNotFound(error)) return 'missing';
        throw error;
      }
    },
    secretExists: (namespace, name) =>
      exists(() => ctx.core.readNamespacedSecret({ namespace, name })),
    async configMapKeys(namespace, name) {
      try {
        const map = await ctx.core.readNamespacedConfigMap({ namespace, name });
        return [...Object.keys(map.data ?? {}), ...Object.keys(map.binaryData ?? {})];
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    },
    skillExists: (namespace, name) => exists(() => custom('skills', namespace, name)),
    agentExists: async (namespace, name) =>
      ctx.agentCache.get(name, namespace) !== undefined ||
      exists(() => custom('agents', namespace, name)),
  };
}

export function activeTasks(agent: Agent, tasks: readonly Task[]): number {
  const namespace = agent.metadata?.namespace ?? '';
  const name = agent.metadata?.name ?? '';
  return tasks.filter(
    (task) =>
      task.spec.agentRef?.name === name &&
      (task.spec.agentRef.namespace || task.metadata?.namespace) === namespace &&
      !FINISHED.has(task.status?.phase ?? ''),
  ).length;
}

export async function reconcileAgent(
  ctx: AgentReconcilerContext,
  key: string,
  lookups: AgentLookups = apiLookups(ctx),
): Promise<ReconcileAction> {
  const { namespace, name } = splitKey(key);
  const agent = ctx.agentCache.get(name, namespace);
  if (!agent || agent.metadata?.deletionTimestamp) return done;
  const problem = await agentProblem(agent, lookups);
  // Tasks may name an Agent in another namespace, so all cached Tasks are counted.
  const active = activeTasks(agent, ctx.taskCache.list());
  const ready = problem === undefined;
  const condition = {
    type: 'Ready',
    status: ready ? ('True' as const) : ('False' as const),
    reason: ready ? 'ValidationSucceeded' : 'ValidationFailed',
    message: problem ?? READY_MESSAGE,
  };
  const now = kubeTime(ctx.clock.now());
  await ctx.agents.updateStatus(agent, (fresh) => {
    const status = fresh.status ?? {};
    const before = status.activeTasks;
    if (status.ready === ready && before === active && conditionIs(status.conditions, condition)) {
      return undefined;
    }
    fresh.status = {
      ...status,
      ready,
      activeTasks: active,
      ...(active > 0 || (before ?? 0) > active ? { lastUsed: now } : {}),
      observedGeneration: fresh.metadata?.generation as number | undefined,
      conditions: setCondition(status.conditions, condition, now),
    };
    return fresh;
  });
  return ready ? done : requeueAfter(NOT_READY_RECHECK_MS);
}
