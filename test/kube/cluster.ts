// The apiserver's write and read paths: create, update, patch, delete with admission,
// optimistic concurrency, the status subresource, finalizers and CRD schemas.
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { parse as parseYaml } from 'yaml';
import {
  Admission,
  type AdmissionAttributes,
  type Operation,
  type ServiceResolver,
} from './admission.ts';
import { celRuleErrors, uncompilableRules } from './cel-rules.ts';
import type { UserInfo } from './identities.ts';
import { clone, type Json, jsonPatch, mergePatch, strategicMergePatch } from './patch.ts';
import { Registry } from './registry.ts';
import { apiVersionOf, type ResourceType, type Schema, typeKey } from './resource-types.ts';
import { applyDefaults, prune, validate } from './schema.ts';
import {
  alreadyExists,
  badRequest,
  conflict,
  type FieldError,
  invalid,
  notFound,
  STALE_OBJECT,
  StatusError,
} from './status.ts';
import { type KubeObject, ObjectStore } from './store.ts';
import { type FieldValidation, strictDecodingError, unknownFields } from './strict.ts';
import { normalize, onCreate, validateBuiltin } from './type-rules.ts';

export interface RequestScope {
  user: UserInfo;
  type: ResourceType;
  version: string;
  /** '' for cluster-scoped resources and all-namespace lists. */
  namespace: string;
  subresource: string;
  dryRun: boolean;
  fieldManager?: string;
  /** Admission warnings collected for the response's Warning headers. */
  warnings: string[];
  /** How unknown fields of a custom resource are answered (default Ignore: pruned silently). */
  fieldValidation?: FieldValidation;
}

export interface DeleteOptions {
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  orphanDependents?: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
}

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export const PATCH_CONTENT_TYPES: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
};

const NAMESPACES = typeKey('', 'namespaces');
const GENERATE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const MAX_PATCH_RETRIES = 5;

export const GC_USER: UserInfo = {
  username: 'system:serviceaccount:kube-system:generic-garbage-collector',
  groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'],
};

function randomSuffix(): string {
  let s = '';
  for (let i = 0; i < 5; i++)
    s += GENERATE_ALPHABET[Math.floor(Math.random() * GENERATE_ALPHABET.length)];
  return s;
}

function gr(t: ResourceType) {
  return { group: t.group, resource: t.plural };
}

function withoutMetaAndStatus(o: KubeObject): Record<string, unknown> {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = o;
  return rest;
}

function sameIgnoringVersion(a: KubeObject, b: KubeObject): boolean {
  const strip = (o: KubeObject) => ({
    ...o,
    metadata: { ...o.metadata, resourceVersion: undefined },
  });
  return isDeepStrictEqual(strip(a), strip(b));
}

export class Cluster {
  readonly store = new ObjectStore();
  readonly registry = new Registry();
  readonly admission: Admission;
  /** Called after every removal, so the garbage collector can look for orphans. */
  onRemoved: () => void = () => {};

  constructor(
    resolveService: ServiceResolver,
    private readonly ignoreCelRules = false,
  ) {
    this.admission = new Admission(this.store, resolveService);
  }

  /** An object as returned to a client of `version`: apiVersion and kind set, a private copy. */
  present(t: ResourceType, version: string, o: KubeObject): KubeObject {
    const { apiVersion: _apiVersion, kind: _kind, ...rest } = clone(o);
    return { apiVersion: apiVersionOf(t.group, version), kind: t.kind, ...rest };
  }

  private key(t: ResourceType): string {
    return typeKey(t.group, t.plural);
  }

  get(scope: RequestScope, name: string): KubeObject {
    const found = this.store.get(this.key(scope.type), scope.namespace || undefined, name);
    if (!found) throw notFound(gr(scope.type), name);
    return this.present(scope.type, scope.version, found);
  }

  list(t: ResourceType, namespace: string): KubeObject[] {
    return this.store.list(this.key(t), namespace || undefined);
  }

  private checkNamespace(scope: RequestScope, name: string): void {
    if (!scope.type.namespaced) return;
    const ns = this.store.get(NAMESPACES, undefined, scope.namespace);
    if (!ns) throw notFound({ group: '', resource: 'namespaces' }, scope.namespace);
    if (ns.metadata.deletionTimestamp) {
      throw new StatusError(
        403,
        'Forbidden',
        `${scope.type.plural} "${name}" is forbidden: unable to create new content in namespace ${scope.namespace} because it is being terminated`,
        { kind: scope.type.plural, ...(scope.type.group ? { group: scope.type.group } : {}) },
      );
    }
  }

  /**
   * Unknown fields of the request's object under `fieldValidation`: Strict refuses them, Warn
   * names them in Warning headers; both before admission, as the apiserver decodes first.
   */
  private checkUnknownFields(scope: RequestScope, o: KubeObject): void {
    const directive = scope.fieldValidation ?? 'Ignore';
    if (directive === 'Ignore') return;
    const fields = unknownFields(o, scope.type.schemas?.[scope.version]);
    if (fields.length === 0) return;
    if (directive === 'Strict') throw strictDecodingError(scope.type.kind, scope.version, fields);
    scope.warnings.push(...fields.map((field) => `unknown field "${field}"`));
  }

  /** Defaults and prunes a custom resource per its structural schema; validates it. */
  private applySchema(
    t: ResourceType,
    version: string,
    o: KubeObject,
    validateNow: boolean,
  ): KubeObject {
    const schema = t.schemas?.[version];
    if (!schema) return o;
    applyDefaults(o, schema);
    prune(o, schema, true);
    if (validateNow) {
      const errors = validate(o, schema);
      if (errors.length > 0) throw invalid(t.kind, t.group, o.metadata.name ?? '', errors);
    }
    return o;
  }

  private attributes(
    scope: RequestScope,
    operation: Operation,
    name: string,
    object: KubeObject | null,
    oldObject: KubeObject | null,
    options: Record<string, unknown>,
  ): AdmissionAttributes {
    return {
      operation,
      group: scope.type.group,
      version: scope.version,
      kind: scope.type.kind,
      resource: scope.type.plural,
      subresource: scope.subresource,
      namespace: scope.namespace,
      name,
      namespaced: scope.type.namespaced,
      user: scope.user,
      object,
      oldObject,
      dryRun: scope.dryRun,
      options: { apiVersion: 'meta.k8s.io/v1', ...options },
    };
  }

  private options(kind: string, scope: RequestScope): Record<string, unknown> {
    return {
      kind,
      ...(scope.dryRun ? { dryRun: ['All'] } : {}),
      ...(scope.fieldManager ? { fieldManager: scope.fieldManager } : {}),
    };
  }

  private checkIdentity(scope: RequestScope, body: unknown): KubeObject {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw badRequest(
        'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml',
      );
    }
    const o = clone(body) as KubeObject;
    const expected = apiVersionOf(scope.type.group, scope.version);
    if (
      o.apiVersion !== undefined &&
      o.apiVersion !== expected &&
      !(scope.subresource && o.kind !== scope.type.kind)
    ) {
      throw badRequest(
        `the API version in the data (${o.apiVersion}) does not match the expected API version (${expected})`,
      );
    }
    if (o.kind !== undefined && o.kind !== scope.type.kind && !scope.subresource) {
      throw badRequest(
        `${o.kind} in version "${scope.version}" cannot be handled as a ${scope.type.kind}: the kind in the data does not match the expected kind (${scope.type.kind})`,
      );
    }
    o.metadata = (
      typeof o.metadata === 'object' && o.metadata !== null ? o.metadata : {}
    ) as KubeObject['metadata'];
    if (scope.type.namespaced) {
      if (o.metadata.namespace && o.metadata.namespace !== scope.namespace) {
        throw badRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      }
      o.metadata.namespace = scope.namespace;
    } else delete o.metadata.namespace;
    o.apiVersion = apiVersionOf(scope.type.group, scope.type.versions[0]!);
    o.kind = scope.type.kind;
    return o;
  }

  /** A CRD whose validation rules do not compile is refused, as the apiserver refuses it. */
  private uncompilableCel(t: ResourceType, o: KubeObject): FieldError[] {
    if (
      this.ignoreCelRules ||
      !(t.group === 'apiextensions.k8s.io' && t.plural === 'customresourcedefinitions')
    ) {
      return [];
    }
    const versions =
      (
        o.spec as
          | { versions?: Array<{ name: string; schema?: { openAPIV3Schema?: Schema } }> }
          | undefined
      )?.versions ?? [];
    return versions.flatMap((v, i) =>
      uncompilableRules(v.schema?.openAPIV3Schema).map((r) => ({
        field: `spec.versions[${i}].schema.openAPIV3Schema${r.path}`,
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${JSON.stringify(r.rule)}: compilation failed: ${r.problem}`,
      })),
    );
  }

  /** The custom resource's x-kubernetes-validations, with the stored object as oldSelf on UPDATE. */
  private celErrors(
    t: ResourceType,
    version: string,
    o: KubeObject,
    old: KubeObject | null,
  ): FieldError[] {
    if (this.ignoreCelRules) return [];
    return celRuleErrors(t.schemas?.[version], o, old ?? undefined);
  }

  private validateName(t: ResourceType, o: KubeObject): FieldError[] {
    const name = o.metadata.name ?? '';
    if (!name) {
      return [
        {
          field: 'metadata.name',
          reason: 'FieldValueRequired',
          message: 'Required value: name or generateName is required',
        },
      ];
    }
    if (t.group === 'rbac.authorization.k8s.io') return [];
    if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) {
      return [
        {
          field: 'metadata.name',
          reason: 'FieldValueInvalid',
          message: `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
        },
      ];
    }
    return [];
  }

  async create(scope: RequestScope, body: unknown): Promise<KubeObject> {
    const t = scope.type;
    let o = this.checkIdentity(scope, body);
    if (o.metadata.resourceVersion) {
      throw invalid(t.kind, t.group, o.metadata.name ?? '', [
        {
          field: 'metadata.resourceVersion',
          reason: 'FieldValueInvalid',
          message: `Invalid value: "${o.metadata.resourceVersion}": must be empty`,
        },
      ]);
    }
    for (const f of [
      'uid',
      'creationTimestamp',
      'deletionTimestamp',
      'deletionGracePeriodSeconds',
      'generation',
      'managedFields',
      'selfLink',
    ] as const) {
      delete o.metadata[f];
    }
    this.checkUnknownFields(scope, o);
    this.checkNamespace(scope, o.metadata.name ?? o.metadata.generateName ?? '');
    if (t.subresources.includes('status')) delete o.status;
    o = this.applySchema(t, scope.version, o, false);
    const mutated = await this.admission.mutate(
      this.attributes(
        scope,
        'CREATE',
        o.metadata.name ?? '',
        o,
        null,
        this.options('CreateOptions', scope),
      ),
      scope.warnings,
    );
    o = this.checkIdentity(scope, mutated.object);
    o = this.applySchema(t, scope.version, o, true);
    normalize(t, o);
    if (!o.metadata.name && o.metadata.generateName)
      o.metadata.name = `${o.metadata.generateName}${randomSuffix()}`;
    const errors = [
      ...this.validateName(t, o),
      ...validateBuiltin(t, o, this.registry),
      ...this.uncompilableCel(t, o),
      ...this.celErrors(t, scope.version, o, null),
    ];
    if (errors.length > 0) throw invalid(t.kind, t.group, o.metadata.name ?? '', errors);
    await this.admission.validate(
      this.attributes(
        scope,
        'CREATE',
        o.metadata.name!,
        o,
        null,
        this.options('CreateOptions', scope),
      ),
      scope.warnings,
    );
    if (this.store.get(this.key(t), o.metadata.namespace, o.metadata.name!))
      throw alreadyExists(gr(t), o.metadata.name!);
    o.metadata.uid = randomUUID();
    o.metadata.creationTimestamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    o.metadata.generation = 1;
    onCreate(t, o, this.registry);
    if (scope.dryRun) return this.present(t, scope.version, o);
    const stored = this.store.put(this.key(t), o);
    this.afterCreate(t, stored);
    return this.present(t, scope.version, stored);
  }

  private afterCreate(t: ResourceType, o: KubeObject): void {
    if (t.group === '' && t.plural === 'namespaces') {
      const sa = this.registry.get('', 'serviceaccounts')!;
      this.store.put(this.key(sa), {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: {
          name: 'default',
          namespace: o.metadata.name!,
          uid: randomUUID(),
          creationTimestamp: o.metadata.creationTimestamp!,
          generation: 1,
        },
      });
    }
    if (t.group === 'apiextensions.k8s.io' && t.plural === 'customresourcedefinitions') {
      this.registry.registerCrd(o);
    }
  }

  /** PUT: a full replacement, conditional when metadata.resourceVersion is set. */
  async update(scope: RequestScope, name: string, body: unknown): Promise<KubeObject> {
    const incoming = this.checkIdentity(scope, body);
    if (incoming.metadata.name && incoming.metadata.name !== name) {
      throw badRequest(
        `the name of the object (${incoming.metadata.name}) does not match the name on the URL (${name})`,
      );
    }
    incoming.metadata.name = name;
    return this.write(scope, name, () => incoming, 'UpdateOptions');
  }

  async patch(
    scope: RequestScope,
    name: string,
    patchType: PatchType,
    rawBody: string,
  ): Promise<KubeObject> {
    const t = scope.type;
    let patchBody: Json;
    try {
      patchBody = (patchType === 'apply' ? parseYaml(rawBody) : JSON.parse(rawBody)) as Json;
    } catch (e) {
      throw badRequest(`error decoding patch: ${(e as Error).message}`);
    }
    if (patchType === 'apply') {
      if (!scope.fieldManager) {
        throw invalid('PatchOptions', 'meta.k8s.io', '', [
          {
            field: 'fieldManager',
            reason: 'FieldValueRequired',
            message: 'Required value: is required for apply patch',
          },
        ]);
      }
      if (!this.store.get(this.key(t), scope.namespace || undefined, name)) {
        const o = clone(patchBody) as KubeObject;
        if (!o.metadata) o.metadata = {};
        o.metadata.name ??= name;
        return this.create(scope, o);
      }
    }
    const apply = (current: KubeObject): KubeObject => {
      const base = this.present(t, scope.version, current) as unknown as Json;
      const patched =
        patchType === 'json'
          ? jsonPatch(base, patchBody)
          : patchType === 'strategic'
            ? strategicMergePatch(base, patchBody)
            : mergePatch(base, patchBody);
      const o = this.checkIdentity(scope, patched);
      if (o.metadata.name !== name)
        throw badRequest(
          `the name of the object (${o.metadata.name}) does not match the name on the URL (${name})`,
        );
      return o;
    };
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.write(scope, name, apply, 'PatchOptions', true);
      } catch (e) {
        if (e instanceof RetryableConflict && attempt < MAX_PATCH_RETRIES) continue;
        if (e instanceof RetryableConflict) throw conflict(gr(t), name, STALE_OBJECT);
        throw e;
      }
    }
  }

  /**
   * The shared update path: builds the new object from the stored one, keeps what the client may
   * not change, runs admission, bumps generation on spec changes, and deletes the object when an
   * update removes its last finalizer during deletion.
   */
  private async write(
    scope: RequestScope,
    name: string,
    build: (current: KubeObject) => KubeObject,
    optionsKind: string,
    retryOnRace = false,
  ): Promise<KubeObject> {
    const t = scope.type;
    const current = this.store.get(this.key(t), scope.namespace || undefined, name);
    if (!current) throw notFound(gr(t), name);
    let o = build(current);
    const requestedVersion = o.metadata.resourceVersion;
    if (requestedVersion && requestedVersion !== current.metadata.resourceVersion) {
      throw conflict(gr(t), name, STALE_OBJECT);
    }
    if (scope.subresource === 'status') {
      o = { ...clone(current), status: o.status };
    } else if (t.subresources.includes('status')) {
      if (current.status === undefined) delete o.status;
      else o.status = clone(current.status);
    }
    for (const f of [
      'uid',
      'creationTimestamp',
      'deletionTimestamp',
      'deletionGracePeriodSeconds',
      'generation',
      'namespace',
    ] as const) {
      if (current.metadata[f] === undefined) delete o.metadata[f];
      else o.metadata[f] = current.metadata[f] as never;
    }
    o.metadata.resourceVersion = current.metadata.resourceVersion;
    this.checkUnknownFields(scope, o);
    o = this.applySchema(t, scope.version, o, false);
    const options = this.options(optionsKind, scope);
    const mutated = await this.admission.mutate(
      this.attributes(scope, 'UPDATE', name, o, this.present(t, scope.version, current), options),
      scope.warnings,
    );
    o = this.checkIdentity(scope, mutated.object);
    o = this.applySchema(t, scope.version, o, true);
    normalize(t, o);
    const errors = [
      ...validateBuiltin(t, o, this.registry),
      ...this.uncompilableCel(t, o),
      ...this.celErrors(t, scope.version, o, this.present(t, scope.version, current)),
    ];
    if (current.metadata.deletionTimestamp) {
      const added = (o.metadata.finalizers ?? []).filter(
        (f) => !(current.metadata.finalizers ?? []).includes(f),
      );
      if (added.length > 0)
        errors.push({
          field: 'metadata.finalizers',
          reason: 'FieldValueForbidden',
          message: 'Forbidden: no new finalizers can be added if the object is being deleted',
        });
    }
    if (errors.length > 0) throw invalid(t.kind, t.group, name, errors);
    await this.admission.validate(
      this.attributes(scope, 'UPDATE', name, o, this.present(t, scope.version, current), options),
      scope.warnings,
    );
    const latest = this.store.get(this.key(t), scope.namespace || undefined, name);
    if (!latest) throw notFound(gr(t), name);
    if (latest.metadata.resourceVersion !== current.metadata.resourceVersion) {
      if (retryOnRace) throw new RetryableConflict();
      if (requestedVersion) throw conflict(gr(t), name, STALE_OBJECT);
    }
    o.metadata.generation = current.metadata.generation ?? 1;
    if (!isDeepStrictEqual(withoutMetaAndStatus(o), withoutMetaAndStatus(current)))
      o.metadata.generation += 1;
    if (sameIgnoringVersion(o, current)) return this.present(t, scope.version, current);
    if (scope.dryRun) return this.present(t, scope.version, o);
    if (o.metadata.deletionTimestamp && (o.metadata.finalizers ?? []).length === 0) {
      return this.present(t, scope.version, this.removeNow(t, o));
    }
    const stored = this.store.put(this.key(t), o);
    if (t.group === 'apiextensions.k8s.io' && t.plural === 'customresourcedefinitions')
      this.registry.registerCrd(stored);
    if (o.metadata.deletionTimestamp) this.onRemoved();
    return this.present(t, scope.version, stored);
  }

  private removeNow(t: ResourceType, o: KubeObject): KubeObject {
    const removed = this.store.remove(this.key(t), o.metadata.namespace, o.metadata.name!) ?? o;
    if (t.group === 'apiextensions.k8s.io' && t.plural === 'customresourcedefinitions') {
      const served = this.registry.unregisterCrd(o.metadata.name!);
      if (served) {
        for (const cr of this.store.list(this.key(served)))
          this.store.remove(this.key(served), cr.metadata.namespace, cr.metadata.name!);
      }
    }
    this.onRemoved();
    return removed;
  }

  async delete(
    scope: RequestScope,
    name: string,
    options: DeleteOptions,
  ): Promise<{ object: KubeObject; removed: boolean }> {
    const t = scope.type;
    const current = this.store.get(this.key(t), scope.namespace || undefined, name);
    if (!current) throw notFound(gr(t), name);
    const pre = options.preconditions ?? {};
    if (pre.uid && pre.uid !== current.metadata.uid) {
      throw conflict(
        gr(t),
        name,
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid}`,
      );
    }
    if (pre.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion) {
      throw conflict(
        gr(t),
        name,
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`,
      );
    }
    const old = this.present(t, scope.version, current);
    const admissionOptions = {
      ...this.options('DeleteOptions', scope),
      ...(options.propagationPolicy ? { propagationPolicy: options.propagationPolicy } : {}),
    };
    await this.admission.mutate(
      this.attributes(scope, 'DELETE', name, null, old, admissionOptions),
      scope.warnings,
    );
    await this.admission.validate(
      this.attributes(scope, 'DELETE', name, null, old, admissionOptions),
      scope.warnings,
    );
    if (scope.dryRun) return { object: old, removed: false };
    const propagation =
      options.propagationPolicy ??
      (options.orphanDependents === true
        ? 'Orphan'
        : options.orphanDependents === false
          ? 'Background'
          : t.defaultPropagation);
    const o = clone(current);
    const finalizers = [...(o.metadata.finalizers ?? [])];
    const gcFinalizer =
      propagation === 'Foreground'
        ? 'foregroundDeletion'
        : propagation === 'Orphan'
          ? 'orphan'
          : undefined;
    if (gcFinalizer && !finalizers.includes(gcFinalizer)) finalizers.push(gcFinalizer);
    const isNamespace = t.group === '' && t.plural === 'namespaces';
    if (finalizers.length === 0 && !isNamespace)
      return { object: this.present(t, scope.version, this.removeNow(t, o)), removed: true };
    if (
      current.metadata.deletionTimestamp &&
      isDeepStrictEqual(finalizers, current.metadata.finalizers ?? [])
    ) {
      return { object: old, removed: false };
    }
    o.metadata.finalizers = finalizers;
    if (finalizers.length === 0) delete o.metadata.finalizers;
    o.metadata.deletionTimestamp ??= new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    o.metadata.deletionGracePeriodSeconds ??= 0;
    if (isNamespace) o.status = { ...(o.status as object), phase: 'Terminating' };
    const stored = this.store.put(this.key(t), o);
    this.onRemoved();
    return { object: this.present(t, scope.version, stored), removed: false };
  }
}

/** An unconditional patch raced with another write; the patch is re-applied to the new state. */
class RetryableConflict extends Error {}
