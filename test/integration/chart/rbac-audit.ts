// Compares the chart's RBAC with what Orka's components were seen calling: per identity, the
// calls no grant allows (missing) and the grant entries no call used (unused), and every rule
// that uses a wildcard. Pure functions over rendered objects and audit-log records.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  componentOf,
  type OrkaComponent,
  type PolicyRule,
  type RbacAuditRecord,
} from '../../kube/index.ts';

export interface RbacObject {
  kind: string;
  metadata: { name: string; namespace?: string };
  rules?: PolicyRule[];
  roleRef?: { kind: string; name: string };
  subjects?: Array<{ kind: string; name: string; namespace?: string }>;
}

/** One (verb, group, resource) of a rule, as the audit counts grants. */
export interface GrantEntry {
  /** e.g. `ClusterRole orka-controller` */
  role: string;
  /** A Role's grants reach only namespaced requests. */
  namespacedOnly: boolean;
  verb: string;
  group: string;
  /** `resource` or `resource/subresource` */
  resource: string;
  resourceNames: string[];
}

/** A distinct call from the audit log. */
export interface Call {
  verb: string;
  group: string;
  resource: string;
  namespaced: boolean;
  name: string;
}

export interface IdentityAudit {
  component: OrkaComponent;
  grants: GrantEntry[];
  calls: Call[];
  missing: Call[];
  unused: GrantEntry[];
}

/** Rules that name `*` as a verb, resource or API group, described for the failure message. */
export function wildcards(objects: RbacObject[]): string[] {
  const found: string[] = [];
  for (const object of objects) {
    for (const [index, rule] of (object.rules ?? []).entries()) {
      for (const field of ['verbs', 'resources', 'apiGroups'] as const) {
        if ((rule[field] ?? []).some((value) => value.includes('*'))) {
          found.push(
            `${object.kind} ${object.metadata.name} rule ${index}: ${field} has a wildcard`,
          );
        }
      }
    }
  }
  return found;
}

/**
 * The ServiceAccount the chart binds a role to, by component: the controller and webhook by
 * their bindings; the worker by the ClusterRole the controller binds in each namespace at run time.
 */
export function grantsOf(
  objects: RbacObject[],
  component: OrkaComponent,
  serviceAccount: string,
  workerClusterRole: string,
): GrantEntry[] {
  const role = (kind: string, name: string, namespace?: string) =>
    objects.find(
      (o) =>
        o.kind === kind &&
        o.metadata.name === name &&
        (kind === 'ClusterRole' || o.metadata.namespace === namespace),
    );
  const bound: Array<{ object: RbacObject | undefined; namespacedOnly: boolean }> = [];
  if (component === 'worker') {
    bound.push({ object: role('ClusterRole', workerClusterRole), namespacedOnly: true });
  } else {
    for (const binding of objects) {
      if (binding.kind !== 'ClusterRoleBinding' && binding.kind !== 'RoleBinding') continue;
      const subjects = binding.subjects ?? [];
      if (!subjects.some((s) => s.kind === 'ServiceAccount' && s.name === serviceAccount)) continue;
      const ref = binding.roleRef!;
      bound.push({
        object: role(ref.kind, ref.name, binding.metadata.namespace),
        namespacedOnly: binding.kind === 'RoleBinding',
      });
    }
  }
  const entries: GrantEntry[] = [];
  for (const { object, namespacedOnly } of bound) {
    if (!object) continue;
    for (const rule of object.rules ?? []) {
      for (const verb of rule.verbs ?? [])
        for (const group of rule.apiGroups ?? [])
          for (const resource of rule.resources ?? []) {
            entries.push({
              role: `${object.kind} ${object.metadata.name}`,
              namespacedOnly,
              verb,
              group,
              resource,
              resourceNames: rule.resourceNames ?? [],
            });
          }
    }
  }
  return entries;
}

export function entryAllows(entry: GrantEntry, call: Call): boolean {
  return (
    entry.verb === call.verb &&
    entry.group === call.group &&
    entry.resource === call.resource &&
    (!entry.namespacedOnly || call.namespaced) &&
    (entry.resourceNames.length === 0 || entry.resourceNames.includes(call.name))
  );
}

/** Distinct calls; the name is kept only where a grant of that resource names resources. */
export function distinctCalls(records: RbacAuditRecord[], grants: GrantEntry[]): Call[] {
  const calls = new Map<string, Call>();
  for (const record of records) {
    const resource = record.subresource
      ? `${record.resource}/${record.subresource}`
      : record.resource;
    const named = grants.some(
      (g) => g.group === record.group && g.resource === resource && g.resourceNames.length > 0,
    );
    const call: Call = {
      verb: record.verb,
      group: record.group,
      resource,
      namespaced: record.namespaced,
      name: named ? record.name : '',
    };
    calls.set(JSON.stringify(call), call);
  }
  return [...calls.values()];
}

export function auditIdentity(
  component: OrkaComponent,
  grants: GrantEntry[],
  records: RbacAuditRecord[],
): IdentityAudit {
  const calls = distinctCalls(records, grants);
  return {
    component,
    grants,
    calls,
    missing: calls.filter((call) => !grants.some((entry) => entryAllows(entry, call))),
    unused: grants.filter((entry) => !calls.some((call) => entryAllows(entry, call))),
  };
}

/** Every record in the JSONL files of the audit folder, grouped by component. */
export function readAuditLog(dir: string): Map<OrkaComponent, RbacAuditRecord[]> {
  const byComponent = new Map<OrkaComponent, RbacAuditRecord[]>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.jsonl'))) {
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
      if (line === '') continue;
      const record = JSON.parse(line) as RbacAuditRecord;
      const component = componentOf(record.username);
      if (!component) continue;
      const list = byComponent.get(component) ?? [];
      list.push(record);
      byComponent.set(component, list);
    }
  }
  return byComponent;
}

const describeCall = (c: Call) =>
  `${c.verb} ${c.group || 'core'}/${c.resource}${c.name ? ` "${c.name}"` : ''} (${c.namespaced ? 'namespaced' : 'cluster scope'})`;

const describeEntry = (e: GrantEntry) =>
  `${e.verb} ${e.group || 'core'}/${e.resource}${e.resourceNames.length ? ` [${e.resourceNames.join(', ')}]` : ''} (${e.role})`;

export function report(audits: IdentityAudit[]): string {
  const lines: string[] = [];
  for (const audit of audits) {
    if (audit.missing.length === 0 && audit.unused.length === 0) continue;
    lines.push(`${audit.component}:`);
    for (const call of audit.missing) lines.push(`  missing grant, called: ${describeCall(call)}`);
    for (const entry of audit.unused) lines.push(`  unused grant: ${describeEntry(entry)}`);
  }
  return lines.join('\n');
}
