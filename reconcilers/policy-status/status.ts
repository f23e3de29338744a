// The status an AdmissionPolicy should have (DESIGN §4, reference policy-anchors §1a): `Ready`
// True/Compiled when the webhook would put it in force, else False/CompileError with every
// problem self-admission finds; the type-check warnings as VAP's
// `status.typeChecking.expressionWarnings`; the generation it describes. A pure function of the
// policy, so a resync that finds nothing new writes nothing.
import { admitPolicy } from '../../policy/admission-policy/admit-policy.ts';
import {
  compilePolicy,
  type ExpressionCompiler,
  PolicyCompileError,
} from '../../policy/admission-policy/compile.ts';
import type { ExpressionWarning } from '../../policy/admission-policy/types.ts';
import type { AdmissionPolicyStatus } from '../../resources/types.ts';
import { setCondition } from '../runtime/conditions.ts';

export const READY = 'Ready';
export const REASON_COMPILED = 'Compiled';
export const REASON_COMPILE_ERROR = 'CompileError';
export const COMPILED_MESSAGE = 'the policy compiled and is in force';

/** metav1.Condition caps its message at 32768 characters. */
const MAX_MESSAGE = 32_768;

interface PolicyObject {
  metadata?: { generation?: number };
  status?: AdmissionPolicyStatus;
}

function warningsOf(policy: unknown, compiler: ExpressionCompiler): ExpressionWarning[] {
  try {
    return compilePolicy(policy, compiler).warnings;
  } catch (error) {
    if (error instanceof PolicyCompileError) return error.warnings;
    throw error;
  }
}

function truncated(message: string): string {
  return message.length <= MAX_MESSAGE ? message : `${message.slice(0, MAX_MESSAGE - 1)}…`;
}

/** The status `policy` should carry; `now` is the transition time of a changed Ready status. */
export function desiredPolicyStatus(
  policy: PolicyObject,
  compiler: ExpressionCompiler,
  now: string,
): AdmissionPolicyStatus {
  const verdict = admitPolicy(policy, compiler);
  const ready = verdict.allowed
    ? { status: 'True' as const, reason: REASON_COMPILED, message: COMPILED_MESSAGE }
    : {
        status: 'False' as const,
        reason: REASON_COMPILE_ERROR,
        message: truncated(verdict.errors.join('; ')),
      };
  const expressionWarnings = warningsOf(policy, compiler).map((warning) => ({
    fieldRef: warning.path,
    warning: `${warning.warning} (line ${warning.position.line}, column ${warning.position.column})`,
  }));
  const generation = policy.metadata?.generation;
  return {
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
    conditions: setCondition(policy.status?.conditions, { type: READY, ...ready }, now),
    typeChecking: { expressionWarnings },
  };
}

/** JSON with object keys sorted, so a status read back from the server compares equal. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .filter(([, member]) => member !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, member]) => `${JSON.stringify(key)}:${canonical(member)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Whether writing `desired` would change what `current` says. */
export function statusDiffers(
  current: AdmissionPolicyStatus | undefined,
  desired: AdmissionPolicyStatus,
): boolean {
  return canonical(current ?? {}) !== canonical(desired);
}
