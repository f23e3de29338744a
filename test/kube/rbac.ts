// The RBAC authorizer of a real apiserver, over the Roles, ClusterRoles and bindings stored in the
// stand-in: ClusterRoleBindings grant everywhere, RoleBindings only in their namespace. Used for
// Orka's own component identities, so the chart's rendered RBAC decides what they may do while
// test users keep whatever the test's own authorizer gives them.
import type { AuthorizationRequest, Authorizer } from './authorizer.ts';
import type { Cluster } from './cluster.ts';
import type { UserInfo } from './identities.ts';
import { typeKey } from './resource-types.ts';
import type { KubeObject } from './store.ts';

export const RBAC_GROUP = 'rbac.authorization.k8s.io';

export interface PolicyRule {
  verbs?: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

interface Subject {
  kind: string;
  name: string;
  namespace?: string;
}

interface RoleRef {
  kind: string;
  name: string;
}

/** Orka's component ServiceAccounts, by the name the chart gives them. */
export type OrkaComponent = 'controller' | 'webhook' | 'worker';

export const COMPONENT_SERVICE_ACCOUNTS: Record<OrkaComponent, string> = {
  controller: 'orka',
  webhook: 'orka-webhook',
  worker: 'orka-worker',
};

/** The namespace the chart is installed into (controller and webhook ServiceAccounts live there). */
export const RELEASE_NAMESPACE = 'orka-system';

/**
 * The component a username belongs to: the controller and webhook ServiceAccounts of the release
 * namespace, or the worker ServiceAccount of any namespace.
 */
export function componentOf(username: string): OrkaComponent | undefined {
  const match = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(username);
  if (!match) return undefined;
  const [, namespace, name] = match;
  if (name === COMPONENT_SERVICE_ACCOUNTS.worker) return 'worker';
  if (namespace !== RELEASE_NAMESPACE) return undefined;
  if (name === COMPONENT_SERVICE_ACCOUNTS.controller) return 'controller';
  if (name === COMPONENT_SERVICE_ACCOUNTS.webhook) return 'webhook';
  return undefined;
}

export function componentUsername(component: OrkaComponent, namespace = RELEASE_NAMESPACE) {
  return `system:serviceaccount:${namespace}:${COMPONENT_SERVICE_ACCOUNTS[component]}`;
}

/** The user a component's ServiceAccount token authenticates as. */
export function componentUser(component: OrkaComponent, namespace = RELEASE_NAMESPACE): UserInfo {
  return {
    username: componentUsername(component, namespace),
    groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`],
  };
}

function subjectMatches(subject: Subject, user: UserInfo): boolean {
  switch (subject.kind) {
    case 'User':
      return subject.name === user.username;
    case 'Group':
      return (user.groups ?? []).includes(subject.name);
    case 'ServiceAccount':
      return user.username === `system:serviceaccount:${subject.namespace}:${subject.name}`;
    default:
      return false;
  }
}

const matchesList = (list: string[] | undefined, value: string) =>
  (list ?? []).some((entry) => entry === '*' || entry === value);

/** Whether one PolicyRule allows a request, as the apiserver's RBAC rule resolver decides it. */
export function policyRuleAllows(rule: PolicyRule, request: AuthorizationRequest): boolean {
  if (request.nonResource) {
    const { verb, path } = request.nonResource;
    return (
      matchesList(rule.verbs, verb) &&
      (rule.nonResourceURLs ?? []).some(
        (url) =>
          url === '*' || url === path || (url.endsWith('*') && path.startsWith(url.slice(0, -1))),
      )
    );
  }
  const r = request.resource;
  if (!r) return false;
  const resource = r.subresource ? `${r.resource}/${r.subresource}` : r.resource;
  const resources = rule.resources ?? [];
  const resourceMatches =
    resources.includes('*') ||
    resources.includes(resource) ||
    (!!r.subresource && resources.includes(`*/${r.subresource}`));
  const names = rule.resourceNames ?? [];
  return (
    matchesList(rule.verbs, r.verb) &&
    matchesList(rule.apiGroups, r.group) &&
    resourceMatches &&
    (names.length === 0 || (!!r.name && names.includes(r.name)))
  );
}

function rulesOf(cluster: Cluster, ref: RoleRef, bindingNamespace: string): PolicyRule[] {
  const role =
    ref.kind === 'ClusterRole'
      ? cluster.store.get(typeKey(RBAC_GROUP, 'clusterroles'), undefined, ref.name)
      : cluster.store.get(typeKey(RBAC_GROUP, 'roles'), bindingNamespace, ref.name);
  return ((role as KubeObject | undefined)?.rules as PolicyRule[] | undefined) ?? [];
}

/** Decides from the RBAC objects in the stand-in's store, like the apiserver's RBAC authorizer. */
export function storedRbacAuthorizer(cluster: Cluster): Authorizer {
  return (request) => {
    const namespace = request.resource?.namespace ?? '';
    const bindings: Array<{ object: KubeObject; namespace: string }> = cluster.store
      .list(typeKey(RBAC_GROUP, 'clusterrolebindings'))
      .map((object) => ({ object, namespace: '' }));
    if (namespace) {
      for (const object of cluster.store.list(typeKey(RBAC_GROUP, 'rolebindings'), namespace)) {
        bindings.push({ object, namespace });
      }
    }
    for (const { object, namespace: where } of bindings) {
      const subjects = (object.subjects as Subject[] | undefined) ?? [];
      if (!subjects.some((subject) => subjectMatches(subject, request.user))) continue;
      const ref = object.roleRef as RoleRef;
      if (rulesOf(cluster, ref, where).some((rule) => policyRuleAllows(rule, request))) {
        const kind = where ? 'RoleBinding' : 'ClusterRoleBinding';
        const at = where ? `${where}/` : '';
        return {
          allowed: true,
          reason: `RBAC: allowed by ${kind} "${at}${object.metadata.name}" of ${ref.kind} "${ref.name}"`,
        };
      }
    }
    return { allowed: false, reason: 'RBAC: no Role or ClusterRole binding allows it' };
  };
}

/**
 * Orka's component identities are decided by the stored RBAC objects (the chart's, plus what the
 * controller binds at run time); everyone else by `others`. `system:masters` may do anything.
 */
export function componentRbacAuthorizer(cluster: Cluster, others: Authorizer): Authorizer {
  const rbac = storedRbacAuthorizer(cluster);
  return (request) => {
    if ((request.user.groups ?? []).includes('system:masters')) {
      return { allowed: true, reason: 'system:masters' };
    }
    return componentOf(request.user.username) ? rbac(request) : others(request);
  };
}
