// Which resources are served: the built-in table plus one entry per CRD, and the discovery
// documents (/api, /apis, /api/v1, /apis/<group>/<version>) that describe them.
import {
  apiVersionOf,
  builtinTypes,
  type ResourceType,
  type Schema,
  typeKey,
  verbsOf,
} from './resource-types.ts';
import type { KubeObject } from './store.ts';

interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  schema?: { openAPIV3Schema?: Schema };
  subresources?: { status?: object; scale?: object };
  selectableFields?: Array<{ jsonPath: string }>;
}

export interface CrdSpec {
  group: string;
  names: {
    plural: string;
    singular?: string;
    kind: string;
    listKind?: string;
    shortNames?: string[];
  };
  scope: 'Namespaced' | 'Cluster';
  versions: CrdVersion[];
}

export class Registry {
  private readonly types = new Map<string, ResourceType>();

  constructor() {
    for (const t of builtinTypes()) this.types.set(typeKey(t.group, t.plural), t);
  }

  all(): ResourceType[] {
    return [...this.types.values()];
  }

  get(group: string, plural: string): ResourceType | undefined {
    return this.types.get(typeKey(group, plural));
  }

  /** The type served at group/version/plural, if that version is served. */
  find(group: string, version: string, plural: string): ResourceType | undefined {
    const t = this.get(group, plural);
    return t?.versions.includes(version) ? t : undefined;
  }

  findByKind(apiVersion: string, kind: string): ResourceType | undefined {
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
    return this.all().find(
      (t) => t.group === group && t.kind === kind && t.versions.includes(version!),
    );
  }

  registerCrd(crd: KubeObject): ResourceType {
    const spec = crd.spec as CrdSpec;
    const served = spec.versions.filter((v) => v.served);
    const storage = spec.versions.find((v) => v.storage) ?? served[0]!;
    const selectable = new Set(
      served.flatMap((v) => (v.selectableFields ?? []).map((f) => f.jsonPath.replace(/^\./, ''))),
    );
    const t: ResourceType = {
      group: spec.group,
      versions: [storage.name, ...served.map((v) => v.name).filter((v) => v !== storage.name)],
      plural: spec.names.plural,
      singular: spec.names.singular ?? spec.names.kind.toLowerCase(),
      kind: spec.names.kind,
      namespaced: spec.scope === 'Namespaced',
      ...(spec.names.shortNames ? { shortNames: spec.names.shortNames } : {}),
      subresources: storage.subresources?.status ? ['status'] : [],
      selectableFields: [...selectable],
      schemas: Object.fromEntries(spec.versions.map((v) => [v.name, v.schema?.openAPIV3Schema])),
      returnsDeletedObject: true,
      defaultPropagation: 'Background',
      crdName: crd.metadata.name!,
    };
    this.types.set(typeKey(t.group, t.plural), t);
    return t;
  }

  unregisterCrd(crdName: string): ResourceType | undefined {
    const t = this.all().find((x) => x.crdName === crdName);
    if (t) this.types.delete(typeKey(t.group, t.plural));
    return t;
  }

  apiVersions(serverAddress: string): Record<string, unknown> {
    return {
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
    };
  }

  private groupVersions(): Map<string, string[]> {
    const groups = new Map<string, string[]>();
    for (const t of this.all()) {
      if (!t.group) continue;
      const versions = groups.get(t.group) ?? [];
      for (const v of t.versions) if (!versions.includes(v)) versions.push(v);
      groups.set(t.group, versions);
    }
    return groups;
  }

  hasGroupVersion(group: string, version: string): boolean {
    return this.all().some((t) => t.group === group && t.versions.includes(version));
  }

  apiGroupList(): Record<string, unknown> {
    const groups = [...this.groupVersions()].map(([name, versions]) =>
      this.apiGroup(name, versions),
    );
    return { kind: 'APIGroupList', apiVersion: 'v1', groups };
  }

  apiGroup(name: string, versions = this.groupVersions().get(name) ?? []): Record<string, unknown> {
    const entries = versions.map((version) => ({ groupVersion: `${name}/${version}`, version }));
    return {
      kind: 'APIGroup',
      apiVersion: 'v1',
      name,
      versions: entries,
      preferredVersion: entries[0],
    };
  }

  apiResourceList(group: string, version: string): Record<string, unknown> {
    const resources = this.all()
      .filter((t) => t.group === group && t.versions.includes(version))
      .flatMap((t) => {
        const main = {
          name: t.plural,
          singularName: t.singular,
          namespaced: t.namespaced,
          kind: t.kind,
          verbs: verbsOf(t),
          ...(t.shortNames ? { shortNames: t.shortNames } : {}),
        };
        const subs = t.subresources.map((s) => ({
          name: `${t.plural}/${s}`,
          singularName: '',
          namespaced: t.namespaced,
          kind: s === 'token' ? 'TokenRequest' : t.kind,
          verbs: s === 'status' ? ['get', 'patch', 'update'] : s === 'token' ? ['create'] : ['get'],
          ...(s === 'token' ? { group: 'authentication.k8s.io', version: 'v1' } : {}),
        }));
        return [main, ...subs];
      });
    return {
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: apiVersionOf(group, version),
      resources,
    };
  }
}
