// SandboxClaims through the Kubernetes API (reference §7.6; upstream agent-sandbox v0.4.6 shapes):
// create or reattach a claim, wait until its Sandbox is Ready, delete it. The worker's own
// ServiceAccount needs create/get/delete on sandboxclaims and get on sandboxes.
import { ApiException, type CustomObjectsApi } from '@kubernetes/client-node';

export const CLAIM_API = {
  group: 'extensions.agents.x-k8s.io',
  version: 'v1alpha1',
  plural: 'sandboxclaims',
} as const;
export const SANDBOX_API = {
  group: 'agents.x-k8s.io',
  version: 'v1alpha1',
  plural: 'sandboxes',
} as const;
export const GENERATED_CLAIM_PREFIX = 'sandbox-claim-';

const FIRST_POLL_MS = 10;
const MAX_POLL_MS = 1000;

export class SandboxClaimError extends Error {
  override name = 'SandboxClaimError';
}

export interface ClaimRequest {
  namespace: string;
  templateName: string;
  /** '' = a fresh claim with a generated name */
  claimName: string;
  warmPool: 'none' | 'default';
}

export interface Claim {
  name: string;
  namespace: string;
  /** an existing claim of the same session was reattached */
  reused: boolean;
}

interface KubeObject {
  metadata?: { name?: string };
  status?: {
    sandbox?: { name?: string };
    conditions?: { type?: string; status?: string; reason?: string; message?: string }[];
  };
}

function statusCode(error: unknown): number | undefined {
  return error instanceof ApiException ? error.code : undefined;
}

/** The apiserver's message, never request details (which would carry the bearer token). */
function describe(error: unknown): string {
  if (error instanceof ApiException) {
    try {
      const body = typeof error.body === 'string' ? JSON.parse(error.body) : error.body;
      if (typeof body?.message === 'string') return `HTTP ${error.code}: ${body.message}`;
    } catch {
      // not a Status body: the code alone says enough
    }
    return `HTTP ${error.code}`;
  }
  const cause = (error as { cause?: { code?: string } }).cause;
  return cause?.code ?? (error as Error).message;
}

export function claimObject(request: ClaimRequest): Record<string, unknown> {
  return {
    apiVersion: `${CLAIM_API.group}/${CLAIM_API.version}`,
    kind: 'SandboxClaim',
    metadata: {
      ...(request.claimName
        ? { name: request.claimName }
        : { generateName: GENERATED_CLAIM_PREFIX }),
      namespace: request.namespace,
    },
    spec: { sandboxTemplateRef: { name: request.templateName }, warmpool: request.warmPool },
  };
}

export class SandboxClaims {
  constructor(private readonly api: CustomObjectsApi) {}

  async #get(
    kind: typeof CLAIM_API | typeof SANDBOX_API,
    namespace: string,
    name: string,
  ): Promise<KubeObject | null> {
    try {
      return (await this.api.getNamespacedCustomObject({ ...kind, namespace, name })) as KubeObject;
    } catch (error) {
      if (statusCode(error) === 404) return null;
      throw new SandboxClaimError(`get ${kind.plural} ${namespace}/${name}: ${describe(error)}`);
    }
  }

  /** A named claim is reattached when it exists, else created; an unnamed one is always new. */
  async claim(request: ClaimRequest): Promise<Claim> {
    if (!request.templateName) throw new SandboxClaimError('template name is required');
    const { namespace, claimName } = request;
    if (claimName && (await this.#get(CLAIM_API, namespace, claimName))) {
      return { name: claimName, namespace, reused: true };
    }
    try {
      const created = (await this.api.createNamespacedCustomObject({
        ...CLAIM_API,
        namespace,
        body: claimObject(request),
      })) as KubeObject;
      return { name: created.metadata?.name ?? claimName, namespace, reused: false };
    } catch (error) {
      if (claimName && statusCode(error) === 409)
        return { name: claimName, namespace, reused: true };
      throw new SandboxClaimError(`create SandboxClaim in ${namespace}: ${describe(error)}`);
    }
  }

  /**
   * Polls the claim until it names its Sandbox, then the Sandbox until condition Ready is True
   * (10 ms doubling to 1 s, as upstream). Returns the Sandbox name.
   */
  async waitReady(claim: Claim, deadline: number): Promise<string> {
    let delay = FIRST_POLL_MS;
    let waitingFor = `SandboxClaim ${claim.namespace}/${claim.name} to name its Sandbox`;
    for (;;) {
      const current = await this.#get(CLAIM_API, claim.namespace, claim.name);
      if (current === null) {
        throw new SandboxClaimError(`SandboxClaim ${claim.namespace}/${claim.name} was deleted`);
      }
      const sandboxName = current.status?.sandbox?.name;
      if (sandboxName) {
        const sandbox = await this.#get(SANDBOX_API, claim.namespace, sandboxName);
        const ready = sandbox?.status?.conditions?.find((condition) => condition.type === 'Ready');
        if (ready?.status === 'True') return sandboxName;
        waitingFor = `Sandbox ${claim.namespace}/${sandboxName} to be Ready${ready?.message ? ` (${ready.message})` : ''}`;
      }
      if (Date.now() + delay > deadline) {
        throw new SandboxClaimError(`timed out waiting for ${waitingFor}`);
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, MAX_POLL_MS);
    }
  }

  /** Deletes the claim (upstream removes its Sandbox); an absent claim is already gone. */
  async delete(claim: Claim): Promise<void> {
    try {
      await this.api.deleteNamespacedCustomObject({
        ...CLAIM_API,
        namespace: claim.namespace,
        name: claim.name,
      });
    } catch (error) {
      if (statusCode(error) === 404) return;
      throw new SandboxClaimError(
        `delete SandboxClaim ${claim.namespace}/${claim.name}: ${describe(error)}`,
      );
    }
  }
}
