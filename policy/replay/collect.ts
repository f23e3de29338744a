// Gathers what replay evaluates: every Task and Agent in scope, each Task's Agent, each object's
// Namespace and the candidate's params ConfigMap, each read once.
import type { CompiledPolicy } from '../admission-policy/types.ts';
import type { KubeObject } from '../chain/request.ts';
import type { ClusterReader } from './reader.ts';
import type { ReplayObject } from './replay.ts';

const text = (value: unknown) => (typeof value === 'string' ? value : '');
const metadataOf = (object: KubeObject) =>
  (object.metadata ?? {}) as { name?: unknown; namespace?: unknown };

/** Memoises one async read per key, so each Agent, Namespace and ConfigMap is read once. */
function memo<T>(read: (key: string) => Promise<T>): (key: string) => Promise<T> {
  const cache = new Map<string, Promise<T>>();
  return (key) => {
    let value = cache.get(key);
    if (!value) {
      value = read(key);
      cache.set(key, value);
    }
    return value;
  };
}

/** List items may omit apiVersion and kind; the chain needs them to build the request. */
const typed =
  (kind: 'Task' | 'Agent') =>
  (object: KubeObject): KubeObject => ({
    ...object,
    apiVersion: 'core.orka.ai/v1alpha1',
    kind,
  });

const splitKey = (key: string) => {
  const at = key.indexOf('/');
  return [key.slice(0, at), key.slice(at + 1)] as const;
};

export async function collectReplayObjects(
  reader: ClusterReader,
  candidate: CompiledPolicy,
  scope: { namespace: string },
): Promise<ReplayObject[]> {
  const [tasks, agents] = await Promise.all([
    reader.list('Task', scope.namespace).then((items) => items.map(typed('Task'))),
    reader.list('Agent', scope.namespace).then((items) => items.map(typed('Agent'))),
  ]);
  const listedAgents = new Map(
    agents.map((agent) => [
      `${text(metadataOf(agent).namespace)}/${text(metadataOf(agent).name)}`,
      agent,
    ]),
  );
  const agentOf = memo(async (key) => {
    const listed = listedAgents.get(key);
    if (listed) return listed;
    const [namespace, name] = splitKey(key);
    return reader.agent(namespace, name);
  });
  const namespaceOf = memo((name) => reader.namespace(name));
  const configMapOf = memo((key) => {
    const [namespace, name] = splitKey(key);
    return reader.configMap(namespace, name);
  });
  const paramRef = candidate.params && 'ref' in candidate.params ? candidate.params.ref : undefined;

  const gather = async (object: KubeObject): Promise<ReplayObject> => {
    const namespace = text(metadataOf(object).namespace);
    let agent: KubeObject | null = null;
    if (object.kind === 'Task') {
      const ref = (
        object.spec as { agentRef?: { name?: unknown; namespace?: unknown } } | undefined
      )?.agentRef;
      const name = text(ref?.name);
      if (name !== '') agent = await agentOf(`${text(ref?.namespace) || namespace}/${name}`);
    }
    const params = new Map<string, KubeObject>();
    if (paramRef) {
      const key = `${paramRef.namespace ?? namespace}/${paramRef.name}`;
      const found = await configMapOf(key);
      if (found) params.set(key, found);
    }
    return {
      object,
      agent,
      namespaceObject: namespace === '' ? null : await namespaceOf(namespace),
      params,
    };
  };
  return Promise.all([...tasks, ...agents].map(gather));
}
