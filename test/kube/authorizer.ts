// Authorization decisions, used for every ordinary request and for SubjectAccessReviews.
import type { UserInfo } from './identities.ts';

export interface ResourceAttributes {
  verb: string;
  group: string;
  version?: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

export interface NonResourceAttributes {
  verb: string;
  path: string;
}

export interface AuthorizationRequest {
  user: UserInfo;
  resource?: ResourceAttributes;
  nonResource?: NonResourceAttributes;
}

export interface AuthorizationDecision {
  allowed: boolean;
  /** An explicit deny (SubjectAccessReview status.denied). */
  denied?: boolean;
  reason?: string;
}

export type Authorizer = (
  request: AuthorizationRequest,
) => AuthorizationDecision | Promise<AuthorizationDecision>;

export const allowAll: Authorizer = () => ({ allowed: true, reason: 'stand-in allows all' });

/** An RBAC-shaped rule: `*` matches anything in its list. */
export interface AccessRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  namespaces?: string[];
  nonResourceURLs?: string[];
}

function listMatches(list: string[] | undefined, value: string): boolean {
  return list === undefined || list.includes('*') || list.includes(value);
}

export function ruleAllows(rule: AccessRule, request: AuthorizationRequest): boolean {
  if (request.nonResource) {
    const { verb, path } = request.nonResource;
    return (
      listMatches(rule.verbs, verb) &&
      (rule.nonResourceURLs ?? []).some(
        (u) => u === '*' || u === path || (u.endsWith('*') && path.startsWith(u.slice(0, -1))),
      )
    );
  }
  const r = request.resource;
  if (!r || rule.nonResourceURLs) return false;
  const resource = r.subresource ? `${r.resource}/${r.subresource}` : r.resource;
  return (
    listMatches(rule.verbs, r.verb) &&
    listMatches(rule.apiGroups, r.group) &&
    (listMatches(rule.resources, resource) ||
      (!!r.subresource && (rule.resources ?? []).includes(`*/${r.subresource}`))) &&
    (rule.resourceNames === undefined ||
      rule.resourceNames.length === 0 ||
      rule.resourceNames.includes(r.name ?? '')) &&
    (rule.namespaces === undefined || rule.namespaces.includes(r.namespace ?? ''))
  );
}

/**
 * A rule table keyed by username or `group:<name>`; anyone not in it is denied. Users in the group
 * `system:masters` are allowed everything, as on a real cluster.
 */
export function ruleAuthorizer(table: Record<string, AccessRule[]>): Authorizer {
  return (request) => {
    const groups = request.user.groups ?? [];
    if (groups.includes('system:masters')) return { allowed: true, reason: 'system:masters' };
    const keys = [request.user.username, ...groups.map((g) => `group:${g}`)];
    for (const key of keys) {
      if ((table[key] ?? []).some((rule) => ruleAllows(rule, request))) {
        return { allowed: true, reason: `allowed by rule for ${key}` };
      }
    }
    return { allowed: false, reason: 'no rule allows it' };
  };
}

/** The apiserver's Forbidden message for a resource request. */
export function forbiddenMessage(user: UserInfo, r: ResourceAttributes, reason?: string): string {
  const resource = r.subresource ? `${r.resource}/${r.subresource}` : r.resource;
  const qualified = r.group ? `${r.resource}.${r.group}` : r.resource;
  const target = r.name ? `${qualified} "${r.name}"` : qualified;
  const where = r.namespace ? ` in the namespace "${r.namespace}"` : ' at the cluster scope';
  const why = reason ? `: ${reason}` : '';
  return `${target} is forbidden: User "${user.username}" cannot ${r.verb} resource "${resource}" in API group "${r.group}"${where}${why}`;
}
