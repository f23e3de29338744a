// What the apiserver's per-kind strategies do on write: server-set defaults (namespace phase,
// Job selector, CRD conditions), Secret stringData folding, and the validations the stand-in
// checks for built-in kinds.
import type { Registry } from './registry.ts';
import type { ResourceType } from './resource-types.ts';
import type { FieldError } from './status.ts';
import type { KubeObject } from './store.ts';

type Obj = Record<string, unknown>;

function is(t: ResourceType, group: string, plural: string): boolean {
  return t.group === group && t.plural === plural;
}

function now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Runs on every create and update, after admission. */
export function normalize(t: ResourceType, o: KubeObject): void {
  if (is(t, '', 'secrets')) {
    const stringData = o.stringData as Record<string, string> | undefined;
    if (stringData) {
      const data = { ...((o.data as Record<string, string> | undefined) ?? {}) };
      for (const [k, v] of Object.entries(stringData))
        data[k] = Buffer.from(v, 'utf8').toString('base64');
      o.data = data;
      delete o.stringData;
    }
    o.type ??= 'Opaque';
  }
  if (is(t, '', 'namespaces') && o.metadata.name) {
    o.metadata.labels = { ...o.metadata.labels, 'kubernetes.io/metadata.name': o.metadata.name };
  }
}

function jobDefaults(o: KubeObject): void {
  const uid = o.metadata.uid!;
  const spec = (o.spec ?? {}) as Obj;
  spec.parallelism ??= 1;
  spec.completions ??= 1;
  spec.backoffLimit ??= 6;
  spec.completionMode ??= 'NonIndexed';
  spec.suspend ??= false;
  spec.podReplacementPolicy ??= 'TerminatingOrFailed';
  const generated = {
    'batch.kubernetes.io/controller-uid': uid,
    'batch.kubernetes.io/job-name': o.metadata.name!,
    'controller-uid': uid,
    'job-name': o.metadata.name!,
  };
  spec.selector ??= { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } };
  const template = (spec.template ?? {}) as Obj;
  const meta = (template.metadata ?? {}) as Obj;
  meta.labels = { ...(meta.labels as Obj | undefined), ...generated };
  template.metadata = meta;
  spec.template = template;
  o.spec = spec;
  o.status = {};
}

function crdStatus(o: KubeObject): void {
  const spec = o.spec as { names: Obj; versions: Array<{ name: string; storage: boolean }> };
  const kind = spec.names.kind as string;
  const at = now();
  o.status = {
    conditions: [
      {
        type: 'NamesAccepted',
        status: 'True',
        reason: 'NoConflicts',
        message: 'no conflicts found',
        lastTransitionTime: at,
      },
      {
        type: 'Established',
        status: 'True',
        reason: 'InitialNamesAccepted',
        message: 'the initial names have been accepted',
        lastTransitionTime: at,
      },
    ],
    acceptedNames: {
      singular: kind.toLowerCase(),
      listKind: `${kind}List`,
      ...spec.names,
    },
    storedVersions: spec.versions.filter((v) => v.storage).map((v) => v.name),
  };
}

/** Server-set fields of a new object, after its uid and creationTimestamp are assigned. */
export function onCreate(t: ResourceType, o: KubeObject, _registry: Registry): void {
  if (is(t, '', 'namespaces')) {
    o.spec = { finalizers: ['kubernetes'] };
    o.status = { phase: 'Active' };
  } else if (is(t, '', 'pods')) {
    o.status = { phase: 'Pending', qosClass: 'BestEffort' };
  } else if (is(t, 'batch', 'jobs')) {
    jobDefaults(o);
  } else if (is(t, 'apiextensions.k8s.io', 'customresourcedefinitions')) {
    crdStatus(o);
  }
}

function crdErrors(o: KubeObject, registry: Registry): FieldError[] {
  const spec = (o.spec ?? {}) as Partial<{
    group: string;
    names: Obj;
    scope: string;
    versions: Array<{ name: string; served: boolean; storage: boolean }>;
  }>;
  const errors: FieldError[] = [];
  const names = spec.names ?? {};
  if (!spec.group?.includes('.')) {
    errors.push({
      field: 'spec.group',
      reason: 'FieldValueInvalid',
      message: `Invalid value: "${spec.group ?? ''}": should be a domain with at least one dot`,
    });
  }
  if (!names.plural || !names.kind) {
    errors.push({
      field: 'spec.names',
      reason: 'FieldValueRequired',
      message: 'Required value: plural and kind are required',
    });
  }
  const expected = `${names.plural as string}.${spec.group}`;
  if (o.metadata.name !== expected) {
    errors.push({
      field: 'metadata.name',
      reason: 'FieldValueInvalid',
      message: `Invalid value: "${o.metadata.name}": must be spec.names.plural+"."+spec.group`,
    });
  }
  if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster') {
    errors.push({
      field: 'spec.scope',
      reason: 'FieldValueNotSupported',
      message: `Unsupported value: "${spec.scope ?? ''}": supported values: "Cluster", "Namespaced"`,
    });
  }
  const versions = spec.versions ?? [];
  if (versions.filter((v) => v.storage).length !== 1) {
    errors.push({
      field: 'spec.versions',
      reason: 'FieldValueInvalid',
      message: 'Invalid value: must have exactly one version marked as storage version',
    });
  }
  const taken = registry.get(spec.group ?? '', (names.plural as string) ?? '');
  if (taken && taken.crdName !== o.metadata.name) {
    errors.push({
      field: 'spec.names.plural',
      reason: 'FieldValueInvalid',
      message: `Invalid value: "${names.plural as string}": is already served by a built-in resource`,
    });
  }
  return errors;
}

function webhookErrors(o: KubeObject): FieldError[] {
  const errors: FieldError[] = [];
  const webhooks = (o.webhooks as Array<Obj> | undefined) ?? [];
  webhooks.forEach((w, i) => {
    const at = `webhooks[${i}]`;
    const cc = (w.clientConfig ?? {}) as Obj;
    if (!!cc.url === !!cc.service) {
      errors.push({
        field: `${at}.clientConfig`,
        reason: 'FieldValueRequired',
        message: 'Required value: exactly one of url or service is required',
      });
    }
    if (!['None', 'NoneOnDryRun'].includes(w.sideEffects as string)) {
      errors.push({
        field: `${at}.sideEffects`,
        reason: 'FieldValueNotSupported',
        message: `Unsupported value: "${(w.sideEffects as string) ?? ''}": supported values: "None", "NoneOnDryRun"`,
      });
    }
    const versions = (w.admissionReviewVersions as string[] | undefined) ?? [];
    if (!versions.includes('v1')) {
      errors.push({
        field: `${at}.admissionReviewVersions`,
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${JSON.stringify(versions)}: must include at least one of v1`,
      });
    }
  });
  return errors;
}

export function validateBuiltin(t: ResourceType, o: KubeObject, registry: Registry): FieldError[] {
  if (is(t, '', 'namespaces') && o.metadata.name && !DNS_LABEL.test(o.metadata.name)) {
    return [
      {
        field: 'metadata.name',
        reason: 'FieldValueInvalid',
        message: `Invalid value: "${o.metadata.name}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character`,
      },
    ];
  }
  if (is(t, 'apiextensions.k8s.io', 'customresourcedefinitions')) return crdErrors(o, registry);
  if (t.group === 'admissionregistration.k8s.io') return webhookErrors(o);
  return [];
}
