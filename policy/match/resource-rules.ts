// Matching of ValidatingAdmissionPolicy resource rules (NamedRuleWithOperations) against a request,
// with the apiserver's wildcard and subresource forms: `*`, `tasks`, `tasks/status`, `*/status`,
// `tasks/*`, `*/*`.

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

export interface ResourceRule {
  apiGroups?: string[];
  apiVersions?: string[];
  resources?: string[];
  operations?: string[];
  resourceNames?: string[];
  scope?: 'Cluster' | 'Namespaced' | '*';
}

/** What a rule is compared with: the requested group/version/resource, subresource and name. */
export interface RuleTarget {
  group: string;
  version: string;
  resource: string;
  subResource: string;
  operation: string;
  name: string;
  namespaced: boolean;
}

/**
 * A rule with its lists read once: `*` turned into "any", resource patterns split into resource
 * and subresource, so matching a request compares strings and allocates nothing.
 */
export interface CompiledResourceRule {
  /** undefined: any value; else the values allowed (empty when the rule lists none) */
  readonly operations: readonly string[] | undefined;
  readonly groups: readonly string[] | undefined;
  readonly versions: readonly string[] | undefined;
  readonly resources: readonly ResourcePattern[];
  /** undefined when the rule names no resources (any name) */
  readonly names: readonly string[] | undefined;
  /** undefined: any scope; true: namespaced requests only; false: cluster-scoped only */
  readonly namespaced: boolean | undefined;
}

interface ResourcePattern {
  /** `*` for any resource */
  readonly resource: string;
  /** undefined: no subresource; `*`: any subresource */
  readonly subResource: string | undefined;
}

/** The values a list allows: undefined when it holds `*`, an empty list when it is absent. */
const allowedValues = (list: readonly string[] | undefined): readonly string[] | undefined =>
  list === undefined ? [] : list.includes('*') ? undefined : list;

function parsePattern(pattern: string): ResourcePattern {
  const [resource, subResource] = pattern.split('/', 2) as [string, string | undefined];
  return { resource, subResource };
}

export function compileResourceRule(rule: ResourceRule): CompiledResourceRule {
  const scope = rule.scope ?? '*';
  return {
    operations: allowedValues(rule.operations),
    groups: allowedValues(rule.apiGroups),
    versions: allowedValues(rule.apiVersions),
    resources: (rule.resources ?? []).map(parsePattern),
    names: rule.resourceNames && rule.resourceNames.length > 0 ? rule.resourceNames : undefined,
    namespaced: scope === 'Namespaced' ? true : scope === 'Cluster' ? false : undefined,
  };
}

function allows(values: readonly string[] | undefined, value: string): boolean {
  if (values === undefined) return true;
  for (let i = 0; i < values.length; i++) if (values[i] === value) return true;
  return false;
}

function resourceMatches(pattern: ResourcePattern, resource: string, subResource: string): boolean {
  const resourceOk = pattern.resource === '*' || pattern.resource === resource;
  if (pattern.subResource === undefined) return subResource === '' && resourceOk;
  const subOk =
    pattern.subResource === '*'
      ? subResource !== '' || pattern.resource === '*'
      : pattern.subResource === subResource;
  return resourceOk && subOk;
}

/** Whether a compiled rule selects a request; the target's parts are passed one by one. */
export function compiledRuleMatches(
  rule: CompiledResourceRule,
  group: string,
  version: string,
  resource: string,
  subResource: string,
  operation: string,
  name: string,
  namespaced: boolean,
): boolean {
  if (!allows(rule.operations, operation)) return false;
  if (!allows(rule.groups, group)) return false;
  if (!allows(rule.versions, version)) return false;
  let resourceOk = false;
  const patterns = rule.resources;
  for (let i = 0; i < patterns.length && !resourceOk; i++) {
    resourceOk = resourceMatches(patterns[i]!, resource, subResource);
  }
  if (!resourceOk) return false;
  if (rule.names !== undefined && !rule.names.includes(name)) return false;
  return rule.namespaced === undefined || rule.namespaced === namespaced;
}

export function ruleMatches(rule: ResourceRule, target: RuleTarget): boolean {
  return compiledRuleMatches(
    compileResourceRule(rule),
    target.group,
    target.version,
    target.resource,
    target.subResource,
    target.operation,
    target.name,
    target.namespaced,
  );
}

const OPERATIONS = ['CREATE', 'UPDATE', 'DELETE', 'CONNECT', '*'];

/** The problems with a rule's shape, worded with `path` (empty when it is well-formed). */
export function ruleProblems(raw: unknown, path: string): string[] {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return [`${path}: must be an object`];
  const rule = raw as Record<string, unknown>;
  const problems: string[] = [];
  for (const field of ['apiGroups', 'apiVersions', 'resources', 'operations'] as const) {
    const value = rule[field];
    if (!Array.isArray(value) || value.length === 0) {
      problems.push(`${path}.${field}: Required value`);
    } else if (value.some((item) => typeof item !== 'string')) {
      problems.push(`${path}.${field}: must be a list of strings`);
    }
  }
  const operations = Array.isArray(rule.operations) ? rule.operations : [];
  operations.forEach((op: unknown, i) => {
    if (!OPERATIONS.includes(op as string)) {
      problems.push(
        `${path}.operations[${i}]: Unsupported value: ${JSON.stringify(op)}: supported values: "*", "CONNECT", "CREATE", "DELETE", "UPDATE"`,
      );
    }
  });
  if (rule.scope !== undefined && !['Cluster', 'Namespaced', '*'].includes(rule.scope as string)) {
    problems.push(
      `${path}.scope: Unsupported value: ${JSON.stringify(rule.scope)}: supported values: "*", "Cluster", "Namespaced"`,
    );
  }
  return problems;
}
