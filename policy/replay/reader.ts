// What the policy operations commands read from a cluster (`orka policy replay`, `orka policy test
// --cluster`): Orka objects, Namespaces, params ConfigMaps and the deployed AdmissionPolicies.
// Read-only; a missing object is null, any other failure is thrown with what was being read.
import {
  ApiException,
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
} from '@kubernetes/client-node';
import type { KubeObject } from '../chain/request.ts';

export type OrkaKind = 'Task' | 'Agent';

export interface ClusterReader {
  /** every object of a kind in `namespace`, or in all namespaces when it is '' */
  list(kind: OrkaKind, namespace: string): Promise<KubeObject[]>;
  agent(namespace: string, name: string): Promise<KubeObject | null>;
  namespace(name: string): Promise<KubeObject | null>;
  configMap(namespace: string, name: string): Promise<KubeObject | null>;
  admissionPolicies(): Promise<KubeObject[]>;
}

export class ClusterReadError extends Error {
  override name = 'ClusterReadError';
}

const PLURALS: Readonly<Record<OrkaKind, string>> = { Task: 'tasks', Agent: 'agents' };
const CORE_GROUP = 'core.orka.ai';
const POLICY_GROUP = 'policy.orka.ai';
const VERSION = 'v1alpha1';
const PAGE = 500;

function failure(what: string, error: unknown): ClusterReadError {
  const detail =
    error instanceof ApiException
      ? `HTTP ${error.code}${statusMessage(error.body)}`
      : ((error as Error)?.message ?? String(error));
  return new ClusterReadError(`reading ${what}: ${detail}`);
}

function statusMessage(body: unknown): string {
  try {
    const parsed = typeof body === 'string' ? JSON.parse(body) : body;
    const message = (parsed as { message?: unknown } | null)?.message;
    return typeof message === 'string' ? `: ${message}` : '';
  } catch {
    return '';
  }
}

async function orNull<T>(what: string, read: () => Promise<T>): Promise<T | null> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof ApiException && error.code === 404) return null;
    throw failure(what, error);
  }
}

/** client-node's typed models (Dates, class instances) as the JSON the apiserver sent. */
const plain = (model: object): KubeObject => JSON.parse(JSON.stringify(model)) as KubeObject;

type Page = { items?: KubeObject[]; metadata?: { continue?: string } };

async function allPages(what: string, read: (next: string | undefined) => Promise<Page>) {
  const items: KubeObject[] = [];
  let next: string | undefined;
  do {
    let page: Page;
    try {
      page = await read(next);
    } catch (error) {
      throw failure(what, error);
    }
    items.push(...(page.items ?? []));
    next = page.metadata?.continue || undefined;
  } while (next);
  return items;
}

/** The reader over @kubernetes/client-node, with the identity of `kubeConfig`. */
export function clientNodeReader(kubeConfig: KubeConfig): ClusterReader {
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  return {
    list(kind, namespace) {
      const plural = PLURALS[kind];
      const what = `${plural} in ${namespace === '' ? 'all namespaces' : `namespace "${namespace}"`}`;
      return allPages(what, (next) => {
        const paging = { limit: PAGE, ...(next ? { _continue: next } : {}) };
        return (
          namespace === ''
            ? custom.listClusterCustomObject({
                group: CORE_GROUP,
                version: VERSION,
                plural,
                ...paging,
              })
            : custom.listNamespacedCustomObject({
                group: CORE_GROUP,
                version: VERSION,
                namespace,
                plural,
                ...paging,
              })
        ) as Promise<Page>;
      });
    },
    agent(namespace, name) {
      return orNull(
        `Agent "${namespace}/${name}"`,
        async () =>
          (await custom.getNamespacedCustomObject({
            group: CORE_GROUP,
            version: VERSION,
            namespace,
            plural: 'agents',
            name,
          })) as KubeObject,
      );
    },
    namespace(name) {
      return orNull(`Namespace "${name}"`, async () => plain(await core.readNamespace({ name })));
    },
    configMap(namespace, name) {
      return orNull(`ConfigMap "${namespace}/${name}"`, async () =>
        plain(await core.readNamespacedConfigMap({ name, namespace })),
      );
    },
    admissionPolicies() {
      return allPages(
        'AdmissionPolicies',
        (next) =>
          custom.listClusterCustomObject({
            group: POLICY_GROUP,
            version: VERSION,
            plural: 'admissionpolicies',
            limit: PAGE,
            ...(next ? { _continue: next } : {}),
          }) as Promise<Page>,
      );
    },
  };
}
