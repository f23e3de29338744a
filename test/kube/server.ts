// The HTTPS front of the stand-in: authentication, the request log, fault injection,
// authorization, then routing to discovery, reviews, resources, watches and pod logs.
import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { type AdmissionCall, type ServiceResolver, warningHeader } from './admission.ts';
import {
  type Authorizer,
  allowAll,
  forbiddenMessage,
  type ResourceAttributes,
} from './authorizer.ts';
import { Cluster, type DeleteOptions, PATCH_CONTENT_TYPES, type RequestScope } from './cluster.ts';
import { type FailureSpec, Faults, type RequestAttributes } from './faults.ts';
import { GarbageCollector } from './gc.ts';
import { Identities, ISSUER, type UserInfo } from './identities.ts';
import { kubeconfigYaml, makeKubeConfig, writeKubeconfigFile } from './kubeconfig.ts';
import { openApiV3GroupVersion, openApiV3Root } from './openapi.ts';
import { componentOf, componentRbacAuthorizer, type PolicyRule, RBAC_GROUP } from './rbac.ts';
import { isReviewType, type ResourceType, typeKey } from './resource-types.ts';
import { accessReview, selfSubjectReview, tokenRequest, tokenReview } from './reviews.ts';
import {
  matchesFields,
  matchesRequirements,
  parseFieldSelector,
  parseLabelSelector,
} from './selectors.ts';
import {
  badRequest,
  internalError,
  methodNotSupported,
  StatusError,
  successStatus,
  unauthorized,
} from './status.ts';
import type { KubeObject } from './store.ts';
import { parseFieldValidation } from './strict.ts';
import {
  type CertificateAuthority,
  createCertificateAuthority,
  issueServingCertificate,
  type ServingCertificate,
} from './tls.ts';
import { WatchHub } from './watch.ts';

export interface RequestRecord extends RequestAttributes {
  groups: string[];
  version: string;
  /** The HTTP status the stand-in answered with. */
  code?: number;
}

export interface KubeStandinOptions {
  /** Decides ordinary requests and SubjectAccessReviews; default allows everything. */
  authorizer?: Authorizer;
  /** Maps webhook clientConfig.service to a base URL; default refuses with a clear error. */
  resolveService?: ServiceResolver;
  /** Period of watch bookmarks; 0 (default) sends them only through `sendBookmarks()`. */
  bookmarkIntervalMs?: number;
  /**
   * Accept CRDs with x-kubernetes-validations without compiling or evaluating them (default: rules
   * are compiled when a CRD is written and enforced on its objects, with Orka's CEL engine).
   */
  ignoreCelRules?: boolean;
  /** The identity of `kubeConfig` (default `kubernetes-admin` in `system:masters`). */
  admin?: UserInfo;
  /**
   * Decide Orka's component identities (rbac.ts `componentOf`) by the RBAC objects stored in the
   * stand-in, as a real apiserver would; `authorizer` then decides only the other users.
   */
  componentRbac?: boolean;
}

/** Where every stand-in of a suite run appends its component requests for the RBAC audit. */
export const RBAC_AUDIT_DIR_ENV = 'ORKA_RBAC_AUDIT_DIR';

/** One line of the RBAC audit log: a request an Orka component identity made. */
export interface RbacAuditRecord {
  username: string;
  verb: string;
  group: string;
  resource: string;
  subresource: string;
  namespaced: boolean;
  name: string;
}

export interface KubeStandin {
  url: string;
  caPem: string;
  /** A KubeConfig for the admin identity. */
  kubeConfig: KubeConfig;
  adminToken: string;
  /** Registers a bearer token for a user; returns the token. */
  addUser(user: UserInfo, token?: string): string;
  /** A KubeConfig for a registered username (its first token), or for `{ token }`. */
  kubeConfigFor(identity: string | { token: string }, namespace?: string): KubeConfig;
  kubeconfigFor(identity: string | { token: string }, namespace?: string): string;
  writeKubeconfig(
    path: string,
    identity: string | { token: string },
    namespace?: string,
  ): Promise<void>;
  /** Every request received, in order, with who made it and what it touched. */
  requestLog: RequestRecord[];
  requestsBy(username: string): RequestRecord[];
  /** Every admission webhook call, in order. */
  admissionCalls: AdmissionCall[];
  setAuthorizer(authorizer: Authorizer): void;
  /** Sets what `pods/log` returns for a Pod (and container, if given). */
  setPodLog(namespace: string, pod: string, text: string, container?: string): void;
  /** Makes the next matching requests fail. */
  failNext(spec: FailureSpec): void;
  /** Ends all open watches (cleanly unless `abrupt`); returns how many were open. */
  dropWatches(options?: { abrupt?: boolean }): number;
  openWatches(): number;
  /** Forgets the event history: resuming a watch from an older resourceVersion gets 410 Gone. */
  compactHistory(): void;
  /** Sends a BOOKMARK to every watch that allows them. */
  sendBookmarks(): void;
  /** Resolves when the garbage collector and namespace controller have nothing left to do. */
  settled(): Promise<void>;
  /** Errors the garbage collector met (e.g. a webhook denying its deletes). */
  gcErrors: string[];
  /** A serving certificate signed by the stand-in's CA (for test webhook servers). */
  issueCertificate(hosts: { dnsNames?: string[]; ips?: string[] }): Promise<ServingCertificate>;
  /** The stored objects and registry, for assertions that need to look underneath the API. */
  cluster: Cluster;
  currentResourceVersion(): string;
  stop(): Promise<void>;
}

const MAX_BODY_BYTES = 3 * 1024 * 1024;
const DEFAULT_ADMIN: UserInfo = { username: 'kubernetes-admin', groups: ['system:masters'] };

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(
          new StatusError(
            413,
            'RequestEntityTooLarge',
            'Request entity too large: limit is 3145728',
          ),
        );
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJson(text: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw badRequest(
      `the body of the request could not be decoded as JSON: ${(e as Error).message}`,
    );
  }
}

function send(res: ServerResponse, code: number, body: unknown, warnings: string[] = []): void {
  if (warnings.length > 0) res.setHeader('Warning', warnings.map(warningHeader));
  const text = JSON.stringify(body);
  res.writeHead(code, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/**
 * A list or watch narrowed by `fieldSelector=metadata.name=<name>` is authorized as a request for
 * that name, as the apiserver's request-info resolver does, so `resourceNames` rules can allow it.
 */
function namedBySelector(verb: string, query: URLSearchParams): string {
  if (verb !== 'list' && verb !== 'watch') return '';
  const selector = query.get('fieldSelector') ?? '';
  const terms = selector.split(',').filter(Boolean);
  if (terms.length !== 1) return '';
  const match = /^metadata\.name==?(.+)$/.exec(terms[0]!);
  return match ? match[1]! : '';
}

function notFoundPath(): StatusError {
  return new StatusError(404, 'NotFound', 'the server could not find the requested resource', {});
}

interface Route {
  group: string;
  version: string;
  namespace: string;
  plural: string;
  name: string;
  subresource: string;
}

function encodeContinue(lastKey: string): string {
  return Buffer.from(JSON.stringify({ start: lastKey })).toString('base64url');
}

function decodeContinue(token: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
      start?: unknown;
    };
    if (typeof parsed.start === 'string') return parsed.start;
  } catch {
    // fall through to the error below
  }
  throw badRequest('continue key is not valid: invalid continue token');
}

let certificates: Promise<{ ca: CertificateAuthority; serving: ServingCertificate }> | undefined;

/** One CA and serving certificate per process: generating them dominates start-up time. */
function sharedCertificates() {
  certificates ??= (async () => {
    const ca = await createCertificateAuthority();
    const serving = await issueServingCertificate(ca, {
      dnsNames: ['localhost', 'kubernetes.default.svc'],
      ips: ['127.0.0.1'],
    });
    return { ca, serving };
  })();
  return certificates;
}

export async function startKubeStandin(options: KubeStandinOptions = {}): Promise<KubeStandin> {
  const { ca, serving } = await sharedCertificates();
  const identities = await Identities.create();
  const resolveService: ServiceResolver =
    options.resolveService ??
    ((svc) => {
      throw new Error(
        `no address for service ${svc.namespace}/${svc.name}: pass resolveService to startKubeStandin`,
      );
    });
  const cluster = new Cluster(resolveService, options.ignoreCelRules ?? false);
  const decideFor = (given: Authorizer) =>
    options.componentRbac ? componentRbacAuthorizer(cluster, given) : given;
  let authorizer = decideFor(options.authorizer ?? allowAll);
  // Only stand-ins that enforce the components' RBAC record them: elsewhere a component username
  // may be a test's stand-in caller, not the component at work.
  const auditDir = options.componentRbac ? process.env[RBAC_AUDIT_DIR_ENV] : undefined;
  const auditFile = auditDir ? join(auditDir, `${process.pid}-${randomUUID()}.jsonl`) : undefined;
  const audit = (username: string, attrs: ResourceAttributes) => {
    if (!auditFile || !componentOf(username)) return;
    const line: RbacAuditRecord = {
      username,
      verb: attrs.verb,
      group: attrs.group,
      resource: attrs.resource,
      subresource: attrs.subresource ?? '',
      namespaced: !!attrs.namespace,
      name: attrs.name ?? '',
    };
    appendFileSync(auditFile, `${JSON.stringify(line)}\n`);
  };
  const gc = new GarbageCollector(cluster);
  cluster.onRemoved = () => gc.schedule();
  const watches = new WatchHub(cluster, options.bookmarkIntervalMs ?? 0);
  const faults = new Faults();
  const requestLog: RequestRecord[] = [];
  const podLogs = new Map<string, string>();
  const admin = options.admin ?? DEFAULT_ADMIN;
  const adminToken = identities.addToken(admin);
  const bootstrapScope = (plural: string): RequestScope => {
    const type = cluster.registry.get('', plural)!;
    return {
      user: admin,
      type,
      version: 'v1',
      namespace: '',
      subresource: '',
      dryRun: false,
      warnings: [],
    };
  };
  for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
    await cluster.create(bootstrapScope('namespaces'), { metadata: { name: ns } });
  }

  async function authenticate(req: IncomingMessage): Promise<UserInfo | undefined> {
    const header = req.headers.authorization ?? '';
    const m = /^Bearer\s+(.+)$/i.exec(header);
    if (!m) return undefined;
    return (await identities.authenticate(m[1]!.trim()))?.user;
  }

  function route(segments: string[]): Route | undefined {
    let group: string;
    let version: string;
    let rest: string[];
    if (segments[0] === 'api' && segments.length >= 3) {
      group = '';
      version = segments[1]!;
      rest = segments.slice(2);
    } else if (segments[0] === 'apis' && segments.length >= 4) {
      group = segments[1]!;
      version = segments[2]!;
      rest = segments.slice(3);
    } else return undefined;
    let namespace = '';
    if (
      rest[0] === 'namespaces' &&
      rest.length >= 3 &&
      cluster.registry.find(group, version, rest[2]!)?.namespaced
    ) {
      namespace = rest[1]!;
      rest = rest.slice(2);
    }
    if (rest.length > 3) return undefined;
    return {
      group,
      version,
      namespace,
      plural: rest[0]!,
      name: rest[1] ?? '',
      subresource: rest[2] ?? '',
    };
  }

  function verbOf(method: string, r: Route, query: URLSearchParams): string {
    const watch = query.get('watch');
    switch (method) {
      case 'GET':
        if (r.name) return 'get';
        return watch === 'true' || watch === '1' ? 'watch' : 'list';
      case 'POST':
        return 'create';
      case 'PUT':
        return 'update';
      case 'PATCH':
        return 'patch';
      case 'DELETE':
        return r.name ? 'delete' : 'deletecollection';
      default:
        return method.toLowerCase();
    }
  }

  function discovery(segments: string[]): unknown {
    const path = `/${segments.join('/')}`;
    if (path === '/api') return cluster.registry.apiVersions(`127.0.0.1:${port}`);
    if (path === '/apis') return cluster.registry.apiGroupList();
    if (path === '/api/v1') return cluster.registry.apiResourceList('', 'v1');
    if (
      segments[0] === 'apis' &&
      segments.length === 2 &&
      cluster.registry.all().some((t) => t.group === segments[1])
    ) {
      return cluster.registry.apiGroup(segments[1]!);
    }
    if (
      segments[0] === 'apis' &&
      segments.length === 3 &&
      cluster.registry.hasGroupVersion(segments[1]!, segments[2]!)
    ) {
      return cluster.registry.apiResourceList(segments[1]!, segments[2]!);
    }
    return undefined;
  }

  async function list(
    t: ResourceType,
    version: string,
    namespace: string,
    query: URLSearchParams,
  ): Promise<unknown> {
    const labels = parseLabelSelector(query.get('labelSelector'));
    const fields = parseFieldSelector(query.get('fieldSelector'), [
      'metadata.name',
      'metadata.namespace',
      ...t.selectableFields,
    ]);
    let items = cluster
      .list(t, namespace)
      .filter((o) => matchesRequirements(labels, o.metadata.labels) && matchesFields(fields, o));
    const keyOf = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    const continueToken = query.get('continue');
    if (continueToken) {
      const start = decodeContinue(continueToken);
      items = items.filter((o) => keyOf(o) > start);
    }
    const limit = Number(query.get('limit') ?? '0');
    const metadata: Record<string, unknown> = {
      resourceVersion: String(cluster.store.currentRevision),
    };
    if (limit > 0 && items.length > limit) {
      metadata.continue = encodeContinue(keyOf(items[limit - 1]!));
      metadata.remainingItemCount = items.length - limit;
      items = items.slice(0, limit);
    }
    return {
      kind: `${t.kind}List`,
      apiVersion: t.group ? `${t.group}/${version}` : version,
      metadata,
      items: items.map((o) => cluster.present(t, version, o)),
    };
  }

  function deleteOptions(query: URLSearchParams, body: Record<string, unknown>): DeleteOptions {
    const propagation = (query.get('propagationPolicy') ?? body.propagationPolicy) as
      | DeleteOptions['propagationPolicy']
      | undefined;
    if (propagation && !['Background', 'Foreground', 'Orphan'].includes(propagation)) {
      throw badRequest(
        `propagationPolicy: Unsupported value: "${propagation}": supported values: "Foreground", "Background", "Orphan"`,
      );
    }
    const orphan = query.get('orphanDependents') ?? body.orphanDependents;
    const options: DeleteOptions = {};
    if (propagation) options.propagationPolicy = propagation;
    if (orphan !== undefined && orphan !== null)
      options.orphanDependents = orphan === true || orphan === 'true';
    if (body.preconditions)
      options.preconditions = body.preconditions as DeleteOptions['preconditions'];
    return options;
  }

  async function review(
    t: ResourceType,
    user: UserInfo,
    body: Record<string, unknown>,
    namespace: string,
  ): Promise<unknown> {
    switch (t.kind) {
      case 'TokenReview':
        return tokenReview(identities, body);
      case 'SelfSubjectReview':
        return selfSubjectReview(user);
      default:
        return accessReview(t.kind, authorizer, user, body, namespace);
    }
  }

  /**
   * The apiserver's escalation check on RoleBindings and ClusterRoleBindings: the writer needs
   * `bind` on the referenced role, or must already hold every permission the role grants. Applied
   * where the stand-in enforces component RBAC, so the controller's worker RoleBinding is checked.
   */
  async function authorizeBinding(
    user: UserInfo,
    t: ResourceType,
    namespace: string,
    body: Record<string, unknown>,
  ): Promise<void> {
    if (!options.componentRbac || t.group !== RBAC_GROUP) return;
    if (t.plural !== 'rolebindings' && t.plural !== 'clusterrolebindings') return;
    const ref = body.roleRef as { kind?: string; name?: string } | undefined;
    if (!ref?.kind || !ref.name) return;
    const bind: ResourceAttributes = {
      verb: 'bind',
      group: RBAC_GROUP,
      resource: ref.kind === 'ClusterRole' ? 'clusterroles' : 'roles',
      name: ref.name,
      ...(namespace && ref.kind === 'Role' ? { namespace } : {}),
    };
    audit(user.username, bind);
    if ((await authorizer({ user, resource: bind })).allowed) return;
    const role =
      ref.kind === 'ClusterRole'
        ? cluster.store.get(typeKey(RBAC_GROUP, 'clusterroles'), undefined, ref.name)
        : cluster.store.get(typeKey(RBAC_GROUP, 'roles'), namespace, ref.name);
    if (role && (await holdsAll(user, (role.rules as PolicyRule[]) ?? [], namespace))) return;
    throw new StatusError(
      403,
      'Forbidden',
      `${t.plural}.${RBAC_GROUP} is forbidden: user "${user.username}" (groups=${JSON.stringify(user.groups ?? [])}) is attempting to grant RBAC permissions not currently held, and cannot bind ${ref.kind} "${ref.name}"`,
      { kind: t.plural, group: RBAC_GROUP },
    );
  }

  /**
   * The OwnerReferencesPermissionEnforcement admission plugin (on in most managed clusters): an
   * owner reference with blockOwnerDeletion needs `update` on the owner's `finalizers`
   * subresource. Applied where the stand-in enforces component RBAC.
   */
  async function authorizeBlockingOwners(
    user: UserInfo,
    t: ResourceType,
    namespace: string,
    body: Record<string, unknown>,
    stored: KubeObject | undefined,
  ): Promise<void> {
    if (!options.componentRbac) return;
    type Owner = {
      apiVersion?: string;
      kind?: string;
      name?: string;
      blockOwnerDeletion?: boolean;
    };
    const blocking = (o: { metadata?: unknown } | undefined) =>
      (
        ((o?.metadata as { ownerReferences?: Owner[] } | undefined)?.ownerReferences ??
          []) as Owner[]
      ).filter((ref) => ref.blockOwnerDeletion === true);
    const before = new Set(blocking(stored).map((ref) => JSON.stringify(ref)));
    for (const ref of blocking(body)) {
      if (before.has(JSON.stringify(ref))) continue;
      const owner = cluster.registry.findByKind(ref.apiVersion ?? '', ref.kind ?? '');
      if (!owner) continue;
      const attrs: ResourceAttributes = {
        verb: 'update',
        group: owner.group,
        resource: owner.plural,
        subresource: 'finalizers',
        ...(owner.namespaced && namespace ? { namespace } : {}),
        name: ref.name ?? '',
      };
      audit(user.username, attrs);
      if ((await authorizer({ user, resource: attrs })).allowed) continue;
      throw new StatusError(
        403,
        'Forbidden',
        `${t.plural}${t.group ? `.${t.group}` : ''} is forbidden: cannot set blockOwnerDeletion if an ownerReference refers to a resource you can't set finalizers on: ${forbiddenMessage(user, attrs)}`,
        { kind: t.plural, ...(t.group ? { group: t.group } : {}) },
      );
    }
  }

  /** Whether the user is allowed every verb on every resource (and name) the rules list. */
  async function holdsAll(user: UserInfo, rules: PolicyRule[], namespace: string) {
    for (const rule of rules) {
      const lists = [rule.verbs, rule.apiGroups, rule.resources];
      if (rule.nonResourceURLs || lists.some((list) => !list || list.includes('*'))) return false;
      const names = rule.resourceNames?.length ? rule.resourceNames : [''];
      for (const verb of rule.verbs!)
        for (const group of rule.apiGroups!)
          for (const qualified of rule.resources!)
            for (const name of names) {
              const [resource, subresource] = qualified.split('/') as [string, string?];
              const attrs: ResourceAttributes = {
                verb,
                group,
                resource,
                ...(subresource ? { subresource } : {}),
                ...(namespace ? { namespace } : {}),
                ...(name ? { name } : {}),
              };
              if (!(await authorizer({ user, resource: attrs })).allowed) return false;
            }
    }
    return true;
  }

  async function podLog(
    namespace: string,
    name: string,
    query: URLSearchParams,
    res: ServerResponse,
  ): Promise<void> {
    const pod = cluster.store.get(typeKey('', 'pods'), namespace, name);
    if (!pod)
      throw new StatusError(404, 'NotFound', `pods "${name}" not found`, { name, kind: 'pods' });
    const containers = (
      (pod.spec as { containers?: Array<{ name: string }> } | undefined)?.containers ?? []
    ).map((c) => c.name);
    const container = query.get('container') ?? '';
    if (!container && containers.length > 1) {
      throw badRequest(
        `a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]`,
      );
    }
    if (container && containers.length > 0 && !containers.includes(container)) {
      throw badRequest(`container ${container} is not valid for pod ${name}`);
    }
    let text =
      podLogs.get(`${namespace}/${name}/${container || containers[0] || ''}`) ??
      podLogs.get(`${namespace}/${name}/`) ??
      '';
    const tail = query.get('tailLines');
    if (tail !== null) {
      const lines = text.split('\n');
      const trailing = text.endsWith('\n');
      const body = trailing ? lines.slice(0, -1) : lines;
      text =
        body.slice(Math.max(0, body.length - Number(tail))).join('\n') + (trailing ? '\n' : '');
    }
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(text);
  }

  async function handleResource(
    req: IncomingMessage,
    res: ServerResponse,
    user: UserInfo,
    r: Route,
    url: URL,
    record: RequestRecord,
  ): Promise<void> {
    const query = url.searchParams;
    const t = cluster.registry.find(r.group, r.version, r.plural);
    const verb = record.verb;
    if (!t) throw notFoundPath();
    if ((t.namespaced && !r.namespace && r.name) || (!t.namespaced && r.namespace))
      throw notFoundPath();
    if (r.subresource && !t.subresources.includes(r.subresource)) throw notFoundPath();
    const dryRunValues = query.getAll('dryRun');
    if (dryRunValues.some((v) => v !== 'All'))
      throw badRequest(`Invalid dryRun value: ${dryRunValues.join(',')}: supported values: "All"`);
    const scope: RequestScope = {
      user,
      type: t,
      version: r.version,
      namespace: r.namespace,
      subresource: r.subresource,
      dryRun: dryRunValues.length > 0,
      warnings: [],
      ...(query.get('fieldManager') ? { fieldManager: query.get('fieldManager')! } : {}),
      fieldValidation: parseFieldValidation(query.get('fieldValidation')),
    };
    const gr = { group: t.group, resource: t.plural };
    if (isReviewType(t)) {
      if (verb !== 'create') throw methodNotSupported(gr, verb);
      send(res, 201, await review(t, user, parseJson(await readBody(req)), r.namespace));
      return;
    }
    try {
      switch (verb) {
        case 'get':
          if (r.subresource === 'log') return await podLog(r.namespace, r.name, query, res);
          if (r.subresource === 'token') throw methodNotSupported(gr, verb);
          return send(res, 200, cluster.get(scope, r.name));
        case 'list':
          return send(res, 200, await list(t, r.version, r.namespace, query));
        case 'watch':
          watches.serve(
            {
              type: t,
              version: r.version,
              namespace: r.namespace,
              labels: parseLabelSelector(query.get('labelSelector')),
              fields: parseFieldSelector(query.get('fieldSelector'), [
                'metadata.name',
                'metadata.namespace',
                ...t.selectableFields,
              ]),
              resourceVersion: query.get('resourceVersion') ?? '',
              allowBookmarks: query.get('allowWatchBookmarks') === 'true',
              sendInitialEvents: query.get('sendInitialEvents') === 'true',
              ...(query.get('timeoutSeconds')
                ? { timeoutSeconds: Number(query.get('timeoutSeconds')) }
                : {}),
            },
            res,
          );
          return;
        case 'create': {
          const body = parseJson(await readBody(req));
          if (r.subresource === 'token') {
            const sa = cluster.store.get(typeKey('', 'serviceaccounts'), r.namespace, r.name);
            const find = (kind: string, name: string) =>
              cluster.store.get(
                typeKey('', kind === 'Pod' ? 'pods' : 'secrets'),
                r.namespace,
                name,
              );
            return send(
              res,
              201,
              await tokenRequest(identities, sa, r.namespace, r.name, body, find),
            );
          }
          if (r.name) throw methodNotSupported(gr, verb);
          await authorizeBinding(user, t, r.namespace, body);
          await authorizeBlockingOwners(user, t, r.namespace, body, undefined);
          return send(res, 201, await cluster.create(scope, body), scope.warnings);
        }
        case 'update': {
          if (!r.name) throw methodNotSupported(gr, verb);
          const body = parseJson(await readBody(req));
          await authorizeBinding(user, t, r.namespace, body);
          const stored = cluster.store.get(typeKey(t.group, t.plural), r.namespace, r.name);
          await authorizeBlockingOwners(user, t, r.namespace, body, stored);
          return send(res, 200, await cluster.update(scope, r.name, body), scope.warnings);
        }
        case 'patch': {
          const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
          const patchType = PATCH_CONTENT_TYPES[contentType];
          if (!patchType) {
            throw new StatusError(
              415,
              'UnsupportedMediaType',
              `the body of the request was in an unknown format - accepted media types include: ${Object.keys(PATCH_CONTENT_TYPES).join(', ')}`,
            );
          }
          if (!r.name) throw methodNotSupported(gr, verb);
          return send(
            res,
            200,
            await cluster.patch(scope, r.name, patchType, await readBody(req)),
            scope.warnings,
          );
        }
        case 'delete': {
          const { object, removed } = await cluster.delete(
            scope,
            r.name,
            deleteOptions(query, parseJson(await readBody(req))),
          );
          const body =
            removed && !t.returnsDeletedObject
              ? successStatus(gr, r.name, object.metadata.uid!)
              : object;
          return send(res, 200, body, scope.warnings);
        }
        case 'deletecollection': {
          const options = deleteOptions(query, parseJson(await readBody(req)));
          const listed = (await list(t, r.version, r.namespace, query)) as { items: KubeObject[] };
          for (const item of listed.items) {
            await cluster.delete(
              { ...scope, namespace: item.metadata.namespace ?? '' },
              item.metadata.name!,
              options,
            );
          }
          return send(res, 200, { ...(listed as object) }, scope.warnings);
        }
        default:
          throw methodNotSupported(gr, verb);
      }
    } catch (e) {
      if (e instanceof StatusError && scope.warnings.length > 0)
        res.setHeader('Warning', scope.warnings.map(warningHeader));
      throw e;
    }
  }

  /** /openapi/v3 and its group-version documents; anything else under /openapi is not served. */
  function openApiDocument(segments: string[]): unknown {
    if (segments[1] !== 'v3') throw notFoundPath();
    if (segments.length === 2) {
      return openApiV3Root(cluster.registry, String(cluster.store.currentRevision));
    }
    const document = openApiV3GroupVersion(cluster.registry, segments.slice(2));
    if (!document) throw notFoundPath();
    return document;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://localhost');
    const segments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const path = url.pathname;
    if (path === '/version') {
      return send(res, 200, {
        major: '1',
        minor: '33',
        gitVersion: 'v1.33.0-standin',
        platform: 'linux/amd64',
      });
    }
    if (path === '/healthz' || path === '/readyz' || path === '/livez') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
      return;
    }
    if (path === '/.well-known/openid-configuration') {
      return send(res, 200, {
        issuer: ISSUER,
        jwks_uri: `${standin.url}/openid/v1/jwks`,
        response_types_supported: ['id_token'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['ES256'],
      });
    }
    if (path === '/openid/v1/jwks') return send(res, 200, await identities.jwks());
    const user = await authenticate(req);
    if (!user) throw unauthorized();
    if (segments[0] === 'openapi') return send(res, 200, openApiDocument(segments));
    const disc = req.method === 'GET' ? discovery(segments) : undefined;
    if (disc) return send(res, 200, disc);
    const r = route(segments);
    if (!r) throw notFoundPath();
    const verb = verbOf(req.method ?? 'GET', r, url.searchParams);
    const record: RequestRecord = {
      username: user.username,
      groups: user.groups ?? [],
      verb,
      group: r.group,
      version: r.version,
      resource: r.plural,
      subresource: r.subresource,
      namespace: r.namespace,
      name: r.name,
    };
    requestLog.push(record);
    res.on('finish', () => {
      record.code = res.statusCode;
    });
    const injected = faults.take(record);
    if (injected) throw injected;
    const name = r.name || namedBySelector(verb, url.searchParams);
    const attrs: ResourceAttributes = {
      verb,
      group: r.group,
      version: r.version,
      resource: r.plural,
      ...(r.subresource ? { subresource: r.subresource } : {}),
      ...(r.namespace ? { namespace: r.namespace } : {}),
      ...(name ? { name } : {}),
    };
    audit(user.username, attrs);
    const decision = await authorizer({ user, resource: attrs });
    if (!decision.allowed) {
      throw new StatusError(403, 'Forbidden', forbiddenMessage(user, attrs, decision.reason), {
        ...(r.name ? { name: r.name } : {}),
        kind: r.plural,
        ...(r.group ? { group: r.group } : {}),
      });
    }
    await handleResource(req, res, user, r, url, record);
  }

  const server = https.createServer({ cert: serving.cert, key: serving.key }, (req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const status =
        e instanceof StatusError ? e : internalError((e as Error).message ?? String(e));
      send(res, status.code, status.status);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const url = `https://127.0.0.1:${port}`;

  const tokenFor = (identity: string | { token: string }): { username: string; token: string } => {
    if (typeof identity !== 'string') return { username: 'token-user', token: identity.token };
    const token = identities.tokenOf(identity);
    if (!token)
      throw new Error(
        `kube-standin: no token registered for user "${identity}"; call addUser first`,
      );
    return { username: identity, token };
  };
  const target = (identity: string | { token: string }, namespace?: string) => ({
    url,
    caPem: ca.cert,
    ...tokenFor(identity),
    ...(namespace ? { namespace } : {}),
  });

  const standin: KubeStandin = {
    url,
    caPem: ca.cert,
    kubeConfig: makeKubeConfig({
      url,
      caPem: ca.cert,
      username: admin.username,
      token: adminToken,
    }),
    adminToken,
    addUser: (user, token) => identities.addToken(user, token),
    kubeConfigFor: (identity, namespace) => makeKubeConfig(target(identity, namespace)),
    kubeconfigFor: (identity, namespace) => kubeconfigYaml(target(identity, namespace)),
    writeKubeconfig: (path, identity, namespace) =>
      writeKubeconfigFile(path, target(identity, namespace)),
    requestLog,
    requestsBy: (username) => requestLog.filter((r) => r.username === username),
    admissionCalls: cluster.admission.calls,
    setAuthorizer: (a) => {
      authorizer = decideFor(a);
    },
    setPodLog: (namespace, pod, text, container) => {
      podLogs.set(`${namespace}/${pod}/${container ?? ''}`, text);
    },
    failNext: (spec) => faults.failNext(spec),
    dropWatches: (opts) => watches.dropAll(opts?.abrupt ?? false),
    openWatches: () => watches.openCount,
    compactHistory: () => cluster.store.compact(),
    sendBookmarks: () => watches.bookmarkAll(),
    settled: () => gc.idle(),
    gcErrors: gc.errors,
    issueCertificate: (hosts) => issueServingCertificate(ca, hosts),
    cluster,
    currentResourceVersion: () => String(cluster.store.currentRevision),
    stop: async () => {
      watches.dropAll(true);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return standin;
}
