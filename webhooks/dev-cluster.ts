// What `orka dev` asks of the cluster: the controller namespace, the CRDs (sent as raw JSON: the
// client's CRD model drops `enum`, `default` and the `x-kubernetes-*` keys), the webhook
// configurations it owns (labelled managed-by=orka-dev, so a later start removes what a killed
// one left), who the kubeconfig's user is, and a dry-run Task for the self-probe.
import { request as httpsRequest } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

export const DEV_MANAGED_BY = 'orka-dev';
export const DEV_LABEL_SELECTOR = `app.kubernetes.io/managed-by=${DEV_MANAGED_BY}`;
export const DEV_CONFIGURATION_NAMES = {
  mutating: 'orka-dev-mutating',
  validating: 'orka-dev-validating',
} as const;

const ADMISSION_API = '/apis/admissionregistration.k8s.io/v1';
const CRD_API = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
const CONFIGURATION_PLURALS = {
  mutating: 'mutatingwebhookconfigurations',
  validating: 'validatingwebhookconfigurations',
} as const;

type Json = Record<string, unknown>;

export interface KubeAnswer {
  status: number;
  body: Json;
}

/** A refused request: names the method, path and the apiserver's message. */
export class KubeRequestError extends Error {
  override name = 'KubeRequestError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const ORKA_RESOURCES = [
  { name: 'tasks', group: 'core.orka.ai', resource: 'tasks', scope: 'Namespaced' },
  { name: 'agents', group: 'core.orka.ai', resource: 'agents', scope: 'Namespaced' },
  {
    name: 'admissionpolicies',
    group: 'policy.orka.ai',
    resource: 'admissionpolicies',
    scope: 'Cluster',
  },
] as const;

/** The two configurations `orka dev` registers: Orka's resources only, calling `url`. */
export function devWebhookConfigurations(baseUrl: string, caPem: string): Json[] {
  const caBundle = Buffer.from(caPem).toString('base64');
  return (['mutating', 'validating'] as const).map((phase) => ({
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: phase === 'mutating' ? 'MutatingWebhookConfiguration' : 'ValidatingWebhookConfiguration',
    metadata: {
      name: DEV_CONFIGURATION_NAMES[phase],
      labels: { 'app.kubernetes.io/managed-by': DEV_MANAGED_BY },
    },
    webhooks: ORKA_RESOURCES.map((target) => ({
      name: `${phase}.${target.name}.${target.group}`,
      admissionReviewVersions: ['v1'],
      sideEffects: 'NoneOnDryRun',
      matchPolicy: 'Equivalent',
      failurePolicy: 'Fail',
      timeoutSeconds: 5,
      clientConfig: {
        url: `${baseUrl}${phase === 'mutating' ? '/mutate' : '/validate'}`,
        caBundle,
      },
      rules: [
        {
          apiGroups: [target.group],
          apiVersions: ['*'],
          resources: [target.resource],
          operations: phase === 'mutating' ? ['CREATE', 'UPDATE'] : ['CREATE', 'UPDATE', 'DELETE'],
          scope: target.scope,
        },
      ],
      ...(phase === 'mutating' ? { reinvocationPolicy: 'Never' } : {}),
    })),
  }));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class DevCluster {
  constructor(private readonly kubeConfig: KubeConfig) {}

  /** One JSON request with the kubeconfig's credentials and CA. */
  async request(method: string, path: string, body?: unknown): Promise<KubeAnswer> {
    const server = this.kubeConfig.getCurrentCluster()?.server;
    if (!server) throw new Error('the kubeconfig has no current cluster with a server URL');
    const url = new URL(path, server.endsWith('/') ? server : `${server}/`);
    const options: import('node:https').RequestOptions = { method, headers: {} };
    await this.kubeConfig.applyToHTTPSOptions(options);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    options.headers = {
      ...(options.headers as Record<string, string>),
      accept: 'application/json',
      ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
    };
    const text = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const outgoing = httpsRequest(url, options, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        response.on('error', reject);
      });
      outgoing.on('error', reject);
      outgoing.end(payload);
    });
    let parsed: Json = {};
    try {
      parsed = text.text === '' ? {} : (JSON.parse(text.text) as Json);
    } catch {
      parsed = { message: text.text.slice(0, 200) };
    }
    return { status: text.status, body: parsed };
  }

  /** Like request, but any status outside 2xx (and `allowed`) is a KubeRequestError. */
  async expect(method: string, path: string, body?: unknown, allowed: number[] = []) {
    const answer = await this.request(method, path, body);
    if ((answer.status < 200 || answer.status > 299) && !allowed.includes(answer.status)) {
      const message = typeof answer.body.message === 'string' ? answer.body.message : '';
      throw new KubeRequestError(
        answer.status,
        `${method} ${path}: HTTP ${answer.status}${message ? `: ${message}` : ''}`,
      );
    }
    return answer;
  }

  /** Creates the namespace; true when it was missing. */
  async ensureNamespace(name: string): Promise<boolean> {
    const found = await this.expect('GET', `/api/v1/namespaces/${name}`, undefined, [404]);
    if (found.status !== 404) return false;
    await this.expect('POST', '/api/v1/namespaces', { metadata: { name } }, [409]);
    return true;
  }

  /** Creates each CRD, or replaces the stored one (kept resourceVersion) when it exists. */
  async applyCrds(crds: readonly Json[]): Promise<void> {
    for (const crd of crds) {
      const name = (crd.metadata as { name: string }).name;
      const existing = await this.expect('GET', `${CRD_API}/${name}`, undefined, [404]);
      if (existing.status === 404) {
        await this.expect('POST', CRD_API, crd);
        continue;
      }
      const resourceVersion = (existing.body.metadata as { resourceVersion?: string })
        ?.resourceVersion;
      const metadata = { ...(crd.metadata as Json), resourceVersion };
      await this.expect('PUT', `${CRD_API}/${name}`, { ...crd, metadata });
    }
  }

  /** Waits until every named CRD reports Established=True; fails naming those that did not. */
  async waitEstablished(names: readonly string[], timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let pending = [...names];
    for (;;) {
      const still: string[] = [];
      for (const name of pending) {
        const { body } = await this.expect('GET', `${CRD_API}/${name}`);
        const conditions =
          (body.status as { conditions?: Array<{ type: string; status: string }> })?.conditions ??
          [];
        if (!conditions.some((c) => c.type === 'Established' && c.status === 'True')) {
          still.push(name);
        }
      }
      pending = still;
      if (pending.length === 0) return;
      if (Date.now() > deadline) {
        throw new Error(`CRDs not Established after ${timeoutMs} ms: ${pending.join(', ')}`);
      }
      await sleep(250);
    }
  }

  /** Deletes every webhook configuration labelled managed-by=orka-dev; returns their names. */
  async removeConfigurations(): Promise<string[]> {
    const removed: string[] = [];
    for (const plural of Object.values(CONFIGURATION_PLURALS)) {
      const path = `${ADMISSION_API}/${plural}`;
      const { body } = await this.expect(
        'GET',
        `${path}?labelSelector=${encodeURIComponent(DEV_LABEL_SELECTOR)}`,
      );
      for (const item of (body.items as Json[] | undefined) ?? []) {
        const name = (item.metadata as { name: string }).name;
        await this.expect('DELETE', `${path}/${name}`, undefined, [404]);
        removed.push(`${plural}/${name}`);
      }
    }
    return removed;
  }

  /** Creates (or replaces) the dev webhook configurations. */
  async registerConfigurations(configurations: readonly Json[]): Promise<void> {
    for (const configuration of configurations) {
      const plural =
        configuration.kind === 'MutatingWebhookConfiguration'
          ? CONFIGURATION_PLURALS.mutating
          : CONFIGURATION_PLURALS.validating;
      const path = `${ADMISSION_API}/${plural}`;
      const created = await this.expect('POST', path, configuration, [409]);
      if (created.status !== 409) continue;
      const name = (configuration.metadata as { name: string }).name;
      const existing = await this.expect('GET', `${path}/${name}`);
      const resourceVersion = (existing.body.metadata as { resourceVersion?: string })
        ?.resourceVersion;
      await this.expect('PUT', `${path}/${name}`, {
        ...configuration,
        metadata: { ...(configuration.metadata as Json), resourceVersion },
      });
    }
  }

  /** The kubeconfig user as the apiserver sees it (SelfSubjectReview); undefined if unsupported. */
  async username(): Promise<string | undefined> {
    const answer = await this.request('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'SelfSubjectReview',
    });
    const user = (answer.body.status as { userInfo?: { username?: unknown } } | undefined)?.userInfo
      ?.username;
    return answer.status < 300 && typeof user === 'string' ? user : undefined;
  }

  /** Creates a Task with dryRun=All: nothing is stored, but admission runs as for a real write. */
  async dryRunTask(namespace: string, task: Json): Promise<KubeAnswer> {
    return this.request(
      'POST',
      `/apis/core.orka.ai/v1alpha1/namespaces/${namespace}/tasks?dryRun=All`,
      task,
    );
  }
}
