// Builds an admission request for offline evaluation (`orka policy eval`, `orka policy test`) the
// way the apiserver would send it for the given object, operation and user (DESIGN §11 defaults).
import { kindOf } from '../../resources/kinds.ts';
import type { AdmissionInput, KubeObject } from '../chain/request.ts';
import type { Operation } from '../match/resource-rules.ts';

export interface OfflineRequest {
  object: KubeObject;
  oldObject?: KubeObject | null;
  /** default: CREATE, or UPDATE when oldObject is given */
  operation?: Operation | '';
  namespace?: string;
  user?: string;
  groups?: string[];
  dryRun?: boolean;
}

export const DEFAULT_USER = 'orka-cli';
export const DEFAULT_GROUPS = ['system:authenticated'];

function splitApiVersion(apiVersion: unknown): { group: string; version: string } {
  const text = typeof apiVersion === 'string' ? apiVersion : '';
  const at = text.indexOf('/');
  return at < 0
    ? { group: '', version: text }
    : { group: text.slice(0, at), version: text.slice(at + 1) };
}

function pluralOf(object: KubeObject): { resource: string; namespaced: boolean } {
  const info = kindOf(object);
  if (info) return { resource: info.plural, namespaced: info.scope === 'Namespaced' };
  const kind = typeof object.kind === 'string' ? object.kind.toLowerCase() : '';
  return {
    resource: kind.endsWith('s') ? `${kind}es` : `${kind}s`,
    namespaced: kind !== 'namespace',
  };
}

/** For DELETE the object under evaluation is the old object (DESIGN §11). */
export function offlineAdmissionInput(request: OfflineRequest): AdmissionInput {
  const operation: Operation = request.operation || (request.oldObject ? 'UPDATE' : 'CREATE');
  const deleting = operation === 'DELETE';
  const subject = deleting ? (request.oldObject ?? request.object) : request.object;
  const metadata = (subject.metadata ?? {}) as { name?: unknown; namespace?: unknown };
  const { group, version } = splitApiVersion(subject.apiVersion);
  const { resource, namespaced } = pluralOf(subject);
  const namespace = namespaced
    ? request.namespace ||
      (typeof metadata.namespace === 'string' && metadata.namespace) ||
      'default'
    : '';
  const withNamespace = (object: KubeObject): KubeObject =>
    namespaced ? { ...object, metadata: { ...(object.metadata as object), namespace } } : object;
  return {
    operation,
    object: deleting ? null : withNamespace(request.object),
    oldObject: deleting
      ? withNamespace(subject)
      : request.oldObject
        ? withNamespace(request.oldObject)
        : null,
    kind: { group, version, kind: typeof subject.kind === 'string' ? subject.kind : '' },
    resource: { group, version, resource },
    subResource: '',
    name: typeof metadata.name === 'string' ? metadata.name : '',
    namespace,
    dryRun: request.dryRun ?? false,
    userInfo: { username: request.user ?? DEFAULT_USER, groups: request.groups ?? DEFAULT_GROUPS },
  };
}
