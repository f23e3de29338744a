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

function allows(list: readonly string[] | undefined, value: string): boolean {
  if (list === undefined) return false;
  for (const item of list) if (item === '*' || item === value) return true;
  return false;
}

type ResourcePattern = readonly [resource: string, subResource: string | undefined];

// Rules come from loaded policies, so the patterns are few and parsed once each (the cap only
// guards against a long-running process seeing ever new ones).
const parsedPatterns = new Map<string, ResourcePattern>();
const MAX_PARSED_PATTERNS = 4096;

function parsePattern(pattern: string): ResourcePattern {
  let parsed = parsedPatterns.get(pattern);
  if (parsed === undefined) {
    parsed = pattern.split('/', 2) as [string, string | undefined];
    if (parsedPatterns.size >= MAX_PARSED_PATTERNS) parsedPatterns.clear();
    parsedPatterns.set(pattern, parsed);
  }
  return parsed;
}

function resourceMatches(pattern: string, resource: string, subResource: string): boolean {
  const [patternResource, patternSub] = parsePattern(pattern);
  if (patternSub === undefined) {
    return subResource === '' && (patternResource === '*' || patternResource === resource);
  }
  const resourceOk = patternResource === '*' || patternResource === resource;
  const subOk =
    patternSub === '*' ? subResource !== '' || patternResource === '*' : patternSub === subResource;
  return resourceOk && subOk;
}

function anyResourceMatches(patterns: readonly string[] | undefined, target: RuleTarget): boolean {
  if (patterns === undefined) return false;
  for (const pattern of patterns) {
    if (resourceMatches(pattern, target.resource, target.subResource)) return true;
  }
  return false;
}

export function ruleMatches(rule: ResourceRule, target: RuleTarget): boolean {
  if (!allows(rule.operations, target.operation)) return false;
  if (!allows(rule.apiGroups, target.group)) return false;
  if (!allows(rule.apiVersions, target.version)) return false;
  if (!anyResourceMatches(rule.resources, target)) return false;
  const names = rule.resourceNames ?? [];
  if (names.length > 0 && !names.includes(target.name)) return false;
  const scope = rule.scope ?? '*';
  if (scope === 'Namespaced' && !target.namespaced) return false;
  if (scope === 'Cluster' && target.namespaced) return false;
  return true;
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
