// A real webhook server over HTTPS for tests: certificates from certs/, a client that trusts only
// the generated CA (keep-alive), in-memory event recorder and log capture.
import { Agent, request } from 'node:https';
import {
  createCertificateAuthority,
  issueServingCertificate,
  type KeyPair,
} from '../../../certs/authority.ts';
import type { KubeObject } from '../../../policy/chain/request.ts';
import type { PolicyEvent } from '../../../webhooks/events.ts';
import type { AdmissionLookups } from '../../../webhooks/lookups.ts';
import { WebhookMetrics } from '../../../webhooks/metrics.ts';
import { PolicyStore } from '../../../webhooks/policies.ts';
import { createWebhookServer, type WebhookServer } from '../../../webhooks/server.ts';

export interface Answer {
  status: number;
  text: string;
  json: Record<string, unknown>;
}

export interface TestWebhook {
  url: string;
  ca: string;
  server: WebhookServer;
  metrics: WebhookMetrics;
  events: PolicyEvent[];
  logs: Record<string, unknown>[];
  post(path: string, body: string | object): Promise<Answer>;
  get(path: string): Promise<Answer>;
  close(): Promise<void>;
}

export interface TestWebhookOptions {
  flags?: Record<string, unknown>;
  policyPaths?: string[];
  agents?: KubeObject[];
  requestTimeoutMs?: number;
  tls?: { ca: string; pair: KeyPair };
}

export async function servingMaterial(): Promise<{ ca: string; pair: KeyPair }> {
  const authority = await createCertificateAuthority();
  const pair = await issueServingCertificate(authority, {
    dnsNames: ['localhost'],
    ips: ['127.0.0.1'],
  });
  return { ca: authority.cert, pair };
}

function lookupsFor(agents: KubeObject[]): AdmissionLookups {
  return {
    agent: (namespace, name) =>
      agents.find((candidate) => {
        const metadata = candidate.metadata as { name?: string; namespace?: string };
        return metadata.name === name && metadata.namespace === namespace;
      }) ?? null,
    namespace: () => null,
    ready: () => true,
  };
}

export async function startTestWebhook(options: TestWebhookOptions = {}): Promise<TestWebhook> {
  const tls = options.tls ?? (await servingMaterial());
  const metrics = new WebhookMetrics();
  const events: PolicyEvent[] = [];
  const logs: Record<string, unknown>[] = [];
  const logger = {
    info: (fields: Record<string, unknown>, msg: string) => logs.push({ ...fields, msg }),
    warn: (fields: Record<string, unknown>, msg: string) => logs.push({ ...fields, msg }),
  };
  const policies = new PolicyStore({
    flags: options.flags ?? {},
    paths: options.policyPaths ?? [],
    metrics,
    logger,
  });
  const server = createWebhookServer({
    tls: tls.pair,
    policies,
    lookups: lookupsFor(options.agents ?? []),
    events: { record: (event) => events.push(event) },
    metrics,
    logger,
    ...(options.requestTimeoutMs ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
  });
  const address = await server.listen(0, '127.0.0.1');
  const url = `https://127.0.0.1:${address.port}`;
  const agent = new Agent({ ca: tls.ca, keepAlive: true, maxSockets: 8 });

  const send = (method: string, path: string, body?: string) =>
    new Promise<Answer>((resolve, reject) => {
      const req = request(
        `${url}${path}`,
        {
          method,
          agent,
          headers: body === undefined ? {} : { 'content-type': 'application/json' },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let json: Record<string, unknown> = {};
            try {
              json = JSON.parse(text) as Record<string, unknown>;
            } catch {
              // plain-text endpoints (/metrics, /healthz)
            }
            resolve({ status: res.statusCode ?? 0, text, json });
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });

  return {
    url,
    ca: tls.ca,
    server,
    metrics,
    events,
    logs,
    post: (path, body) =>
      send('POST', path, typeof body === 'string' ? body : JSON.stringify(body)),
    get: (path) => send('GET', path),
    async close() {
      agent.destroy();
      await server.close();
      policies.stop();
    },
  };
}

/** An AdmissionReview as the apiserver sends it for `object`. */
export function reviewOf(
  object: KubeObject,
  options: {
    uid?: string;
    operation?: string;
    oldObject?: KubeObject | null;
    user?: string;
    groups?: string[];
    dryRun?: boolean;
  } = {},
): Record<string, unknown> {
  const [group, version] = String(object.apiVersion).split('/') as [string, string];
  const metadata = object.metadata as { name?: string; namespace?: string };
  const plural = `${String(object.kind).toLowerCase()}s`.replace(/ys$/, 'ies');
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: options.uid ?? 'uid-1',
      kind: { group, version, kind: object.kind },
      resource: { group, version, resource: plural },
      name: metadata.name ?? '',
      ...(metadata.namespace ? { namespace: metadata.namespace } : {}),
      operation: options.operation ?? 'CREATE',
      userInfo: {
        username: options.user ?? 'alice@example.com',
        groups: options.groups ?? ['platform', 'system:authenticated'],
      },
      object,
      oldObject: options.oldObject ?? null,
      dryRun: options.dryRun ?? false,
    },
  };
}
