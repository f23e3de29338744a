// The upstream agent-sandbox resources in the Kubernetes API stand-in: CRDs for SandboxClaim
// (extensions.agents.x-k8s.io), SandboxTemplate and Sandbox (agents.x-k8s.io), and a tiny
// controller loop that gives every new claim a Ready Sandbox owned by it, as the upstream
// controller would once its pod runs.
import {
  ApiextensionsV1Api,
  CustomObjectsApi,
  type KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';

const CLAIMS = {
  group: 'extensions.agents.x-k8s.io',
  version: 'v1alpha1',
  plural: 'sandboxclaims',
};
const SANDBOXES = { group: 'agents.x-k8s.io', version: 'v1alpha1', plural: 'sandboxes' };

// typed client models name JSON fields in snake case; the serializer writes the real key
const OPEN_OBJECT = { type: 'object', x_kubernetes_preserve_unknown_fields: true };

function crd(group: string, kind: string, plural: string): V1CustomResourceDefinition {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${group}` },
    spec: {
      group,
      scope: 'Namespaced',
      names: { kind, plural, singular: kind.toLowerCase(), listKind: `${kind}List` },
      versions: [
        {
          name: 'v1alpha1',
          served: true,
          storage: true,
          subresources: { status: {} },
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: { spec: OPEN_OBJECT, status: OPEN_OBJECT },
            },
          },
        },
      ],
    },
  };
}

export async function installAgentSandboxCrds(admin: KubeConfig): Promise<void> {
  const api = admin.makeApiClient(ApiextensionsV1Api);
  for (const body of [
    crd('extensions.agents.x-k8s.io', 'SandboxClaim', 'sandboxclaims'),
    crd('extensions.agents.x-k8s.io', 'SandboxTemplate', 'sandboxtemplates'),
    crd('agents.x-k8s.io', 'Sandbox', 'sandboxes'),
  ]) {
    await api.createCustomResourceDefinition({ body });
  }
}

interface Claim {
  metadata: { name: string; uid: string; deletionTimestamp?: string };
  status?: { sandbox?: { name?: string } };
}

export interface SandboxController {
  /** names of claims the loop has made ready */
  readied: string[];
  stop(): void;
}

/** Polls `namespace` every few milliseconds; each unready claim gets a Ready Sandbox. */
export function startSandboxController(admin: KubeConfig, namespace: string): SandboxController {
  const api = admin.makeApiClient(CustomObjectsApi);
  const readied: string[] = [];
  let stopped = false;
  const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  const readyOne = async (claim: Claim) => {
    const name = claim.metadata.name;
    await api.createNamespacedCustomObject({
      ...SANDBOXES,
      namespace,
      body: {
        apiVersion: 'agents.x-k8s.io/v1alpha1',
        kind: 'Sandbox',
        metadata: {
          name,
          ownerReferences: [
            {
              apiVersion: 'extensions.agents.x-k8s.io/v1alpha1',
              kind: 'SandboxClaim',
              name,
              uid: claim.metadata.uid,
              controller: true,
            },
          ],
        },
        spec: {},
      },
    });
    await api.patchNamespacedCustomObjectStatus(
      {
        ...SANDBOXES,
        namespace,
        name,
        body: { status: { conditions: [{ type: 'Ready', status: 'True', reason: 'PodReady' }] } },
      },
      merge,
    );
    await api.patchNamespacedCustomObjectStatus(
      { ...CLAIMS, namespace, name, body: { status: { sandbox: { name } } } },
      merge,
    );
    readied.push(name);
  };
  const loop = async () => {
    while (!stopped) {
      const list = (await api.listNamespacedCustomObject({ ...CLAIMS, namespace })) as {
        items: Claim[];
      };
      for (const claim of list.items) {
        if (!claim.status?.sandbox?.name && !claim.metadata.deletionTimestamp) {
          await readyOne(claim);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  loop().catch((error) => {
    if (!stopped) throw error;
  });
  return {
    readied,
    stop() {
      stopped = true;
    },
  };
}
