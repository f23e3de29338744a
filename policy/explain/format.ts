// Text and JSON forms of an explanation. JSON is the `orka policy eval -o json` contract plus an
// `explain` list; text is the decision followed by one block per policy.
import type { PolicyTrace } from '../evaluate/trace.ts';
import { decisionJson, decisionText } from '../offline/format.ts';
import type { Explanation } from './explain.ts';

const MAX_TEXT_VALUE = 200;

/** A CEL value as plain JSON: exact integers stay numbers when safe, else their decimal text. */
export function plainValue(value: unknown): unknown {
  switch (typeof value) {
    case 'bigint':
      return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
        ? Number(value)
        : value.toString();
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'string':
    case 'boolean':
      return value;
    case 'undefined':
      return null;
    case 'object': {
      if (value === null) return null;
      if (Array.isArray(value)) return value.map(plainValue);
      if (value instanceof Map) {
        return Object.fromEntries([...value].map(([k, v]) => [String(k), plainValue(v)]));
      }
      if (value instanceof Uint8Array) return `b64:${Buffer.from(value).toString('base64')}`;
      if (value instanceof Date) return value.toISOString();
      const prototype = Object.getPrototypeOf(value);
      if (prototype !== Object.prototype && prototype !== null) return String(value);
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plainValue(v)]));
    }
    default:
      return String(value);
  }
}

function traceJson(trace: PolicyTrace): Record<string, unknown> {
  return {
    policy: trace.policy,
    builtin: trace.builtin,
    matched: trace.matched,
    ...(trace.skippedBy ? { skippedBy: trace.skippedBy } : {}),
    ...(trace.error !== undefined ? { error: trace.error } : {}),
    failurePolicy: trace.failurePolicy,
    validationActions: trace.validationActions,
    variables: trace.variables.map((variable) =>
      variable.error !== undefined
        ? { name: variable.name, error: variable.error }
        : { name: variable.name, value: plainValue(variable.value) },
    ),
    validations: trace.validations,
  };
}

export function explanationJson(explanation: Explanation): string {
  const contract = JSON.parse(decisionJson(explanation.decision)) as Record<string, unknown>;
  return JSON.stringify({ ...contract, explain: explanation.policies.map(traceJson) }, null, 2);
}

function shortValue(value: unknown): string {
  const text = JSON.stringify(plainValue(value));
  return text.length > MAX_TEXT_VALUE ? `${text.slice(0, MAX_TEXT_VALUE)}…` : text;
}

function traceText(trace: PolicyTrace): string[] {
  const name = `${trace.policy}${trace.builtin ? ' (built-in)' : ''}`;
  if (!trace.matched) {
    const skip = trace.skippedBy;
    return [`  ${name}: skipped by ${skip?.constraint ?? 'unknown'}: ${skip?.detail ?? ''}`];
  }
  const lines = [
    `  ${name}: matched (validationActions ${trace.validationActions.join('+')}, failurePolicy ${trace.failurePolicy})`,
  ];
  if (trace.error !== undefined) lines.push(`    error: ${trace.error}`);
  for (const variable of trace.variables) {
    lines.push(
      variable.error !== undefined
        ? `    variable ${variable.name}: error: ${variable.error}`
        : `    variable ${variable.name} = ${shortValue(variable.value)}`,
    );
  }
  for (const validation of trace.validations) {
    const detail = validation.message !== undefined ? `: ${validation.message}` : '';
    lines.push(`    validation[${validation.index}] ${validation.result}${detail}`);
  }
  return lines;
}

export function explanationText(explanation: Explanation): string {
  const lines = [decisionText(explanation.decision, true), 'policies:'];
  if (explanation.policies.length === 0) lines.push('  (none evaluated)');
  for (const trace of explanation.policies) lines.push(...traceText(trace));
  return lines.join('\n');
}
