// Admission webhooks as kube-apiserver runs them: the stored Mutating/ValidatingWebhookConfigurations
// are matched against each write, matching webhooks are called over HTTPS with an AdmissionReview
// (admission.k8s.io/v1), mutating patches are applied in order, then validating webhooks decide.
// Not implemented (a configuration using them is refused with a 500 naming the field):
// matchConditions and reinvocationPolicy IfNeeded.
import { randomUUID } from 'node:crypto';
import https from 'node:https';
import type { UserInfo } from './identities.ts';
import { type Json, jsonPatch } from './patch.ts';
import {
  type LabelSelectorObject,
  matchesRequirements,
  requirementsFromObject,
} from './selectors.ts';
import { badRequest, internalError, StatusError } from './status.ts';
import type { KubeObject, ObjectStore } from './store.ts';

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

export interface AdmissionAttributes {
  operation: Operation;
  group: string;
  version: string;
  kind: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
  namespaced: boolean;
  user: UserInfo;
  object: KubeObject | null;
  oldObject: KubeObject | null;
  dryRun: boolean;
  options: Record<string, unknown> | null;
}

export interface ServiceReference {
  namespace: string;
  name: string;
  path?: string;
  port?: number;
}

/** Maps a webhook's clientConfig.service to a base URL (`https://127.0.0.1:8443`). */
export type ServiceResolver = (service: ServiceReference) => string;

export interface AdmissionCall {
  phase: 'mutating' | 'validating';
  configuration: string;
  webhook: string;
  url: string;
  request: Record<string, unknown>;
  /** The webhook's `response` stanza, when the call succeeded. */
  response?: Record<string, unknown>;
  /** Why the call failed (connection, timeout, bad response), when it did. */
  error?: string;
  /** True when the call failed and failurePolicy Ignore let the request through. */
  ignored?: boolean;
}

interface Rule {
  apiGroups?: string[];
  apiVersions?: string[];
  resources?: string[];
  operations?: string[];
  scope?: string;
}

interface Webhook {
  name: string;
  clientConfig: { url?: string; service?: ServiceReference; caBundle?: string };
  rules?: Rule[];
  failurePolicy?: 'Fail' | 'Ignore';
  sideEffects?: string;
  timeoutSeconds?: number;
  namespaceSelector?: LabelSelectorObject;
  objectSelector?: LabelSelectorObject;
  matchConditions?: unknown[];
  reinvocationPolicy?: string;
}

const NAMESPACES = '/namespaces';

function listHas(list: string[] | undefined, value: string): boolean {
  return (list ?? []).some((v) => v === '*' || v === value);
}

function resourceMatches(patterns: string[] | undefined, resource: string, sub: string): boolean {
  return (patterns ?? []).some((p) => {
    const [pr, ps] = p.split('/') as [string, string | undefined];
    if (pr !== '*' && pr !== resource) return false;
    if (ps === undefined) return sub === '';
    return ps === '*' || ps === sub;
  });
}

function ruleMatches(rule: Rule, a: AdmissionAttributes): boolean {
  const scope = rule.scope ?? '*';
  const scopeOk = scope === '*' || (scope === 'Namespaced' ? a.namespaced : !a.namespaced);
  return (
    scopeOk &&
    listHas(rule.apiGroups, a.group) &&
    listHas(rule.apiVersions, a.version) &&
    listHas(rule.operations, a.operation) &&
    resourceMatches(rule.resources, a.resource, a.subresource)
  );
}

function escapeWarning(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

/** A `Warning` header value, as the apiserver formats admission warnings. */
export function warningHeader(text: string): string {
  return `299 - "${escapeWarning(text)}"`;
}

export class Admission {
  readonly calls: AdmissionCall[] = [];

  constructor(
    private readonly store: ObjectStore,
    private readonly resolveService: ServiceResolver,
  ) {}

  private webhooks(plural: string): Array<{ configuration: string; webhook: Webhook }> {
    const configs = this.store.list(`admissionregistration.k8s.io/${plural}`);
    return configs.flatMap((c) =>
      ((c.webhooks as Webhook[] | undefined) ?? []).map((webhook) => ({
        configuration: c.metadata.name!,
        webhook,
      })),
    );
  }

  private namespaceLabels(a: AdmissionAttributes): Record<string, string> | undefined {
    if (a.resource === 'namespaces' && a.group === '') {
      return (a.object ?? a.oldObject)?.metadata.labels ?? {};
    }
    if (!a.namespaced) return undefined;
    return this.store.get(NAMESPACES, undefined, a.namespace)?.metadata.labels ?? {};
  }

  private matches(webhook: Webhook, a: AdmissionAttributes): boolean {
    if (!(webhook.rules ?? []).some((r) => ruleMatches(r, a))) return false;
    const nsLabels = this.namespaceLabels(a);
    if (
      nsLabels &&
      !matchesRequirements(requirementsFromObject(webhook.namespaceSelector), nsLabels)
    ) {
      return false;
    }
    const objectReqs = requirementsFromObject(webhook.objectSelector);
    return [a.object, a.oldObject].some(
      (o) => o !== null && matchesRequirements(objectReqs, o.metadata.labels),
    );
  }

  private refuseUnsupported(webhook: Webhook): void {
    if ((webhook.matchConditions ?? []).length > 0) {
      throw internalError(
        `webhook "${webhook.name}" uses matchConditions, which the Kubernetes API stand-in does not evaluate`,
      );
    }
    if (webhook.reinvocationPolicy === 'IfNeeded') {
      throw internalError(
        `webhook "${webhook.name}" uses reinvocationPolicy IfNeeded, which the Kubernetes API stand-in does not implement`,
      );
    }
  }

  private review(a: AdmissionAttributes, object: KubeObject | null): Record<string, unknown> {
    const gvk = { group: a.group, version: a.version, kind: a.kind };
    const gvr = { group: a.group, version: a.version, resource: a.resource };
    const request: Record<string, unknown> = {
      uid: randomUUID(),
      kind: gvk,
      resource: gvr,
      requestKind: gvk,
      requestResource: gvr,
      name: a.name,
      namespace: a.namespace,
      operation: a.operation,
      userInfo: a.user,
      object,
      oldObject: a.oldObject,
      dryRun: a.dryRun,
      options: a.options,
    };
    if (a.subresource) {
      request.subResource = a.subresource;
      request.requestSubResource = a.subresource;
    }
    if (!a.namespaced) delete request.namespace;
    return request;
  }

  private urlOf(webhook: Webhook): { url: URL; servername?: string } {
    const timeout = webhook.timeoutSeconds ?? 10;
    const { url, service } = webhook.clientConfig;
    let target: URL;
    let servername: string | undefined;
    if (url) target = new URL(url);
    else if (service) {
      target = new URL(service.path ?? '/', this.resolveService(service));
      servername = `${service.name}.${service.namespace}.svc`;
    } else
      throw badRequest(
        `webhook "${webhook.name}" has neither clientConfig.url nor clientConfig.service`,
      );
    target.searchParams.set('timeout', `${timeout}s`);
    return servername ? { url: target, servername } : { url: target };
  }

  private post(
    webhook: Webhook,
    review: Record<string, unknown>,
  ): Promise<Record<string, unknown>> {
    const { url, servername } = this.urlOf(webhook);
    const body = JSON.stringify(review);
    const timeoutMs = (webhook.timeoutSeconds ?? 10) * 1000;
    const ca = webhook.clientConfig.caBundle
      ? Buffer.from(webhook.clientConfig.caBundle, 'base64').toString('utf8')
      : undefined;
    return new Promise((resolve, reject) => {
      const req = https.request(
        url,
        {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/json',
            'content-length': Buffer.byteLength(body),
          },
          ...(ca ? { ca } : {}),
          ...(servername ? { servername } : {}),
          timeout: timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            if (res.statusCode !== 200) {
              reject(new Error(`received non-200 status ${res.statusCode}: ${text.slice(0, 200)}`));
              return;
            }
            try {
              resolve(JSON.parse(text) as Record<string, unknown>);
            } catch {
              reject(new Error(`response body is not JSON: ${text.slice(0, 200)}`));
            }
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('context deadline exceeded')));
      req.on('error', reject);
      req.end(body);
    });
  }

  /** Calls one webhook; returns its response stanza, or undefined when ignored after a failure. */
  private async call(
    phase: 'mutating' | 'validating',
    configuration: string,
    webhook: Webhook,
    request: Record<string, unknown>,
  ): Promise<Record<string, unknown> | undefined> {
    const record: AdmissionCall = { phase, configuration, webhook: webhook.name, url: '', request };
    this.calls.push(record);
    try {
      record.url = this.urlOf(webhook).url.toString();
      const reply = await this.post(webhook, {
        apiVersion: 'admission.k8s.io/v1',
        kind: 'AdmissionReview',
        request,
      });
      const response = reply.response as Record<string, unknown> | undefined;
      if (reply.apiVersion !== 'admission.k8s.io/v1' || reply.kind !== 'AdmissionReview') {
        throw new Error(
          `expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got ${reply.apiVersion}, Kind=${reply.kind}`,
        );
      }
      if (!response) throw new Error('webhook response was absent');
      if (response.uid !== request.uid) {
        throw new Error(`expected response.uid="${request.uid}", got "${response.uid}"`);
      }
      record.response = response;
      return response;
    } catch (err) {
      if (err instanceof StatusError) throw err;
      const message = `failed to call webhook: Post "${record.url}": ${(err as Error).message}`;
      record.error = message;
      if (webhook.failurePolicy === 'Ignore') {
        record.ignored = true;
        return undefined;
      }
      throw internalError(`failed calling webhook "${webhook.name}": ${message}`);
    }
  }

  private denial(webhook: Webhook, response: Record<string, unknown>): StatusError {
    const status = (response.status ?? {}) as { code?: number; message?: string; reason?: string };
    const deniedBy = `admission webhook "${webhook.name}" denied the request`;
    const message = status.message
      ? `${deniedBy}: ${status.message}`
      : status.reason
        ? `${deniedBy}: ${status.reason}`
        : `${deniedBy} without explanation`;
    const code = status.code !== undefined && status.code >= 400 ? status.code : 400;
    return new StatusError(code, status.reason ?? '', message);
  }

  private relevant(plural: string, a: AdmissionAttributes) {
    const hooks = this.webhooks(plural).filter(({ webhook }) => this.matches(webhook, a));
    for (const { webhook } of hooks) {
      this.refuseUnsupported(webhook);
      if (a.dryRun && !['None', 'NoneOnDryRun'].includes(webhook.sideEffects ?? '')) {
        throw badRequest(`admission webhook "${webhook.name}" does not support dry run`);
      }
    }
    return hooks;
  }

  /** Runs mutating webhooks in order and returns the mutated object; warnings go to `warnings`. */
  async mutate(a: AdmissionAttributes, warnings: string[]): Promise<{ object: KubeObject | null }> {
    let object = a.object;
    for (const { configuration, webhook } of this.relevant('mutatingwebhookconfigurations', a)) {
      const request = this.review(a, object);
      const response = await this.call('mutating', configuration, webhook, request);
      if (!response) continue;
      warnings.push(...((response.warnings as string[] | undefined) ?? []));
      if (response.allowed !== true) throw this.denial(webhook, response);
      if (response.patch !== undefined && object !== null && a.operation !== 'DELETE') {
        if (response.patchType !== 'JSONPatch') {
          throw internalError(
            `received invalid webhook response: unexpected patchType "${String(response.patchType)}" from webhook "${webhook.name}"`,
          );
        }
        const ops = JSON.parse(
          Buffer.from(String(response.patch), 'base64').toString('utf8'),
        ) as Json;
        object = jsonPatch(object as unknown as Json, ops) as unknown as KubeObject;
      }
    }
    return { object };
  }

  /** Runs validating webhooks and throws the first denial; their warnings go to `warnings`. */
  async validate(a: AdmissionAttributes, warnings: string[]): Promise<void> {
    for (const { configuration, webhook } of this.relevant('validatingwebhookconfigurations', a)) {
      const response = await this.call(
        'validating',
        configuration,
        webhook,
        this.review(a, a.object),
      );
      if (!response) continue;
      warnings.push(...((response.warnings as string[] | undefined) ?? []));
      if (response.allowed !== true) throw this.denial(webhook, response);
    }
  }
}
