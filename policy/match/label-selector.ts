// Kubernetes label selectors (metav1.LabelSelector): matchLabels AND every matchExpression.
// An absent or empty selector matches everything, as in ValidatingAdmissionPolicy.

export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export type Labels = Readonly<Record<string, string>>;

function requirementMatches(requirement: LabelSelectorRequirement, labels: Labels): boolean {
  const present = Object.hasOwn(labels, requirement.key);
  const values = requirement.values ?? [];
  switch (requirement.operator) {
    case 'In':
      return present && values.includes(labels[requirement.key]!);
    case 'NotIn':
      return !present || !values.includes(labels[requirement.key]!);
    case 'Exists':
      return present;
    case 'DoesNotExist':
      return !present;
    default:
      throw new Error(
        `label selector: unknown operator "${String((requirement as { operator: unknown }).operator)}"`,
      );
  }
}

export function selectorMatches(selector: LabelSelector | undefined, labels: Labels): boolean {
  if (!selector) return true;
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[key] !== value || !Object.hasOwn(labels, key)) return false;
  }
  return (selector.matchExpressions ?? []).every((r) => requirementMatches(r, labels));
}

/** The problems with a selector's shape, worded with `path` (empty when it is well-formed). */
export function selectorProblems(selector: unknown, path: string): string[] {
  if (selector === undefined || selector === null) return [];
  if (typeof selector !== 'object' || Array.isArray(selector))
    return [`${path}: must be an object`];
  const problems: string[] = [];
  const { matchLabels, matchExpressions } = selector as Record<string, unknown>;
  if (matchLabels !== undefined) {
    if (typeof matchLabels !== 'object' || matchLabels === null || Array.isArray(matchLabels)) {
      problems.push(`${path}.matchLabels: must be a map of strings`);
    } else {
      for (const [key, value] of Object.entries(matchLabels)) {
        if (typeof value !== 'string')
          problems.push(`${path}.matchLabels.${key}: must be a string`);
      }
    }
  }
  if (matchExpressions !== undefined) {
    if (!Array.isArray(matchExpressions)) {
      problems.push(`${path}.matchExpressions: must be a list`);
      return problems;
    }
    matchExpressions.forEach((raw: unknown, i) => {
      const at = `${path}.matchExpressions[${i}]`;
      const requirement = (raw ?? {}) as Record<string, unknown>;
      if (typeof requirement.key !== 'string' || requirement.key === '') {
        problems.push(`${at}.key: Required value`);
      }
      const operator = requirement.operator;
      if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(operator as string)) {
        problems.push(
          `${at}.operator: Unsupported value: ${JSON.stringify(operator)}: supported values: "In", "NotIn", "Exists", "DoesNotExist"`,
        );
        return;
      }
      const values = requirement.values;
      const needsValues = operator === 'In' || operator === 'NotIn';
      const count = Array.isArray(values) ? values.length : 0;
      if (needsValues && count === 0) {
        problems.push(
          `${at}.values: Required value: must be specified when operator is ${operator}`,
        );
      }
      if (!needsValues && count > 0) {
        problems.push(`${at}.values: Forbidden: may not be specified when operator is ${operator}`);
      }
    });
  }
  return problems;
}
