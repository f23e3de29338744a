// Label and field selectors with the apiserver's syntax: `a=b,c!=d,e in (x,y),f notin (z),g,!h`.
import { badRequest } from './status.ts';

type Operator = 'in' | 'notin' | 'exists' | '!exists' | 'gt' | 'lt';

export interface Requirement {
  key: string;
  operator: Operator;
  values: string[];
}

export type Labels = Record<string, string>;

/** Splits at top-level commas, keeping `in (a,b)` groups whole. */
function splitTerms(selector: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      terms.push(current);
      current = '';
    } else current += ch;
  }
  terms.push(current);
  return terms.map((t) => t.trim()).filter((t) => t !== '');
}

const SET_TERM = /^([^\s!=<>(),]+)\s+(in|notin)\s*\(([^)]*)\)$/;
const EQUALITY_TERM = /^([^\s!=<>(),]+)\s*(==|=|!=|>|<)\s*([^\s!=<>(),]*)$/;
const EXISTS_TERM = /^(!?)\s*([^\s!=<>(),]+)$/;

function parseTerm(term: string): Requirement {
  const set = SET_TERM.exec(term);
  if (set) {
    const values = set[3]!.split(',').map((v) => v.trim());
    return { key: set[1]!, operator: set[2] as 'in' | 'notin', values };
  }
  const eq = EQUALITY_TERM.exec(term);
  if (eq) {
    const op = eq[2]!;
    const value = eq[3]!;
    if (op === '>' || op === '<') {
      if (!/^-?\d+$/.test(value)) {
        throw badRequest(
          `unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer`,
        );
      }
      return { key: eq[1]!, operator: op === '>' ? 'gt' : 'lt', values: [value] };
    }
    return { key: eq[1]!, operator: op === '!=' ? 'notin' : 'in', values: [value] };
  }
  const exists = EXISTS_TERM.exec(term);
  if (exists) return { key: exists[2]!, operator: exists[1] ? '!exists' : 'exists', values: [] };
  throw badRequest(`unable to parse requirement: invalid selector term "${term}"`);
}

export function parseLabelSelector(selector: string | undefined | null): Requirement[] {
  if (!selector) return [];
  return splitTerms(selector).map(parseTerm);
}

export function matchesRequirements(
  requirements: Requirement[],
  labels: Labels | undefined,
): boolean {
  const l = labels ?? {};
  return requirements.every((r) => {
    const has = Object.hasOwn(l, r.key);
    const value = l[r.key];
    switch (r.operator) {
      case 'in':
        return has && r.values.includes(value!);
      case 'notin':
        return !has || !r.values.includes(value!);
      case 'exists':
        return has;
      case '!exists':
        return !has;
      case 'gt':
        return has && /^-?\d+$/.test(value!) && Number(value) > Number(r.values[0]);
      case 'lt':
        return has && /^-?\d+$/.test(value!) && Number(value) < Number(r.values[0]);
      default:
        return false;
    }
  });
}

/** A metav1.LabelSelector object, as webhook configurations and bindings carry it. */
export interface LabelSelectorObject {
  matchLabels?: Labels;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

const EXPRESSION_OPERATORS: Record<string, Operator> = {
  In: 'in',
  NotIn: 'notin',
  Exists: 'exists',
  DoesNotExist: '!exists',
};

export function requirementsFromObject(selector: LabelSelectorObject | undefined): Requirement[] {
  if (!selector) return [];
  const reqs: Requirement[] = Object.entries(selector.matchLabels ?? {}).map(([key, v]) => ({
    key,
    operator: 'in',
    values: [v],
  }));
  for (const e of selector.matchExpressions ?? []) {
    const operator = EXPRESSION_OPERATORS[e.operator];
    if (!operator) throw badRequest(`"${e.operator}" is not a valid label selector operator`);
    reqs.push({ key: e.key, operator, values: e.values ?? [] });
  }
  return reqs;
}

export interface FieldRequirement {
  field: string;
  equals: boolean;
  value: string;
}

export function parseFieldSelector(
  selector: string | undefined | null,
  supportedFields: readonly string[],
): FieldRequirement[] {
  if (!selector) return [];
  return splitTerms(selector).map((term) => {
    const m = /^([^\s!=]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!m) throw badRequest(`invalid selector: '${selector}'; can't understand '${term}'`);
    const field = m[1]!;
    if (!supportedFields.includes(field)) {
      throw badRequest(`field label not supported: ${field}`);
    }
    return { field, equals: m[2] !== '!=', value: m[3]!.trim() };
  });
}

/** Reads a dotted path (`status.phase`) from an object, as a string like the apiserver's field sets. */
export function fieldValue(obj: unknown, path: string): string {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return '';
    cur = (cur as Record<string, unknown>)[part];
  }
  if (cur === undefined || cur === null) return '';
  return typeof cur === 'object' ? JSON.stringify(cur) : String(cur);
}

export function matchesFields(requirements: FieldRequirement[], obj: unknown): boolean {
  return requirements.every((r) => (fieldValue(obj, r.field) === r.value) === r.equals);
}
