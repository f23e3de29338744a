// Self-admission of an AdmissionPolicy (DESIGN §4): the object must pass its CRD schema (unknown
// fields, enums, Deny with Warn, ...), every expression must compile with the right result type
// and within the cost budget, and custom mutations may not name provenance fields.

import { MANAGED_ANNOTATION_KEYS, MANAGED_LABEL_KEYS } from '../../resources/labels.ts';
import { formatFieldError, validateResource } from '../../resources/validate.ts';
import { compilePolicy, type ExpressionCompiler, PolicyCompileError } from './compile.ts';
import { staticProvenanceProblems } from './provenance.ts';

export interface PolicyVerdict {
  allowed: boolean;
  /** each `<field path>: <problem>`; expression problems carry the line and column */
  errors: string[];
}

const pathOf = (message: string) => message.split(':', 1)[0]!;

export function admitPolicy(policy: unknown, compiler: ExpressionCompiler): PolicyVerdict {
  const errors: string[] = [];
  const schema = validateResource(policy);
  if (!schema.valid) errors.push(...schema.errors.map(formatFieldError));
  if (schema.kind !== undefined && schema.kind !== 'AdmissionPolicy') {
    return { allowed: false, errors: [`kind: must be AdmissionPolicy, got ${schema.kind}`] };
  }
  const reported = new Set(errors.map(pathOf));
  try {
    compilePolicy(policy, compiler);
  } catch (error) {
    if (!(error instanceof PolicyCompileError)) throw error;
    for (const problem of error.problems) {
      if (!reported.has(pathOf(problem)) && !errors.includes(problem)) errors.push(problem);
    }
  }
  const mutations = (policy as { spec?: { mutations?: unknown } } | null)?.spec?.mutations;
  if (Array.isArray(mutations)) {
    const keys = { labels: MANAGED_LABEL_KEYS, annotations: MANAGED_ANNOTATION_KEYS };
    mutations.forEach((mutation: { expression?: unknown } | null, i) => {
      if (typeof mutation?.expression === 'string') {
        errors.push(
          ...staticProvenanceProblems(mutation.expression, `spec.mutations[${i}].expression`, keys),
        );
      }
    });
  }
  return { allowed: errors.length === 0, errors };
}
