// Custom mutations may not touch a Task's provenance: spec.requestedBy, spec.transaction and the
// Orka-managed labels and annotations (reference §2.2). A literal patch path naming one of them
// is refused when the policy is admitted; any other change to them is refused at evaluation by
// comparing the fields before and after the patch.

import type { KubeObject } from '../chain/request.ts';
import { parsePointer } from '../json-patch/apply.ts';

export interface ManagedKeys {
  labels: readonly string[];
  annotations: readonly string[];
}

/** The provenance fields as JSON pointers, in reference §2.2 order. */
export function provenancePointers(keys: ManagedKeys): string[] {
  const escapeToken = (key: string) => key.replaceAll('~', '~0').replaceAll('/', '~1');
  return [
    '/spec/requestedBy',
    '/spec/transaction',
    ...keys.labels.map((key) => `/metadata/labels/${escapeToken(key)}`),
    ...keys.annotations.map((key) => `/metadata/annotations/${escapeToken(key)}`),
  ];
}

/** The string literals of a CEL expression, decoded enough to compare paths. */
export function stringLiterals(expression: string): string[] {
  const literals: string[] = [];
  const pattern = /([rR]?)('''|"""|'|")/g;
  let match: RegExpExecArray | null = pattern.exec(expression);
  while (match !== null) {
    const raw = match[1] !== '';
    const quote = match[2]!;
    let i = pattern.lastIndex;
    let text = '';
    while (i < expression.length && !expression.startsWith(quote, i)) {
      if (!raw && expression[i] === '\\' && i + 1 < expression.length) {
        text += expression[i + 1];
        i += 2;
      } else {
        text += expression[i];
        i++;
      }
    }
    literals.push(text);
    pattern.lastIndex = i + quote.length;
    match = pattern.exec(expression);
  }
  return literals;
}

/**
 * The provenance field a patch path touches, if any: the path names the field, something inside
 * it, or a parent that contains it (replacing `/spec` replaces `spec.requestedBy`).
 */
export function touchedProvenanceField(path: string, keys: ManagedKeys): string | undefined {
  let tokens: string[];
  try {
    tokens = parsePointer(path);
  } catch {
    return undefined;
  }
  for (const pointer of provenancePointers(keys)) {
    const field = parsePointer(pointer);
    const shared = Math.min(tokens.length, field.length);
    if (tokens.slice(0, shared).every((token, i) => token === field[i])) return fieldName(field);
  }
  return undefined;
}

function fieldName(tokens: string[]): string {
  if (tokens[0] === 'metadata') return `metadata.${tokens[1]}[${tokens[2]}]`;
  return tokens.join('.');
}

/** Problems for literal patch paths in a mutation expression that name provenance fields. */
export function staticProvenanceProblems(
  expression: string,
  path: string,
  keys: ManagedKeys,
): string[] {
  const problems: string[] = [];
  for (const literal of stringLiterals(expression)) {
    if (!literal.startsWith('/')) continue;
    const field = touchedProvenanceField(literal, keys);
    if (field !== undefined) {
      problems.push(
        `${path}: Forbidden: custom mutations may not touch the provenance field ${field} (patch path "${literal}")`,
      );
    }
  }
  return problems;
}

function valueAt(object: KubeObject, pointer: string): { present: boolean; value: unknown } {
  let current: unknown = object;
  for (const token of parsePointer(pointer)) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, token)) {
      return { present: false, value: undefined };
    }
    current = (current as Record<string, unknown>)[token];
  }
  return { present: true, value: current };
}

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const aKeys = Object.keys(a);
  const bRecord = b as Record<string, unknown>;
  return (
    aKeys.length === Object.keys(bRecord).length &&
    aKeys.every(
      (key) =>
        Object.hasOwn(bRecord, key) && sameJson((a as Record<string, unknown>)[key], bRecord[key]),
    )
  );
}

/** The provenance fields whose presence or value differs between two versions of an object. */
export function changedProvenanceFields(
  before: KubeObject,
  after: KubeObject,
  keys: ManagedKeys,
): string[] {
  return provenancePointers(keys).flatMap((pointer) => {
    const a = valueAt(before, pointer);
    const b = valueAt(after, pointer);
    return a.present === b.present && sameJson(a.value, b.value)
      ? []
      : [fieldName(parsePointer(pointer))];
  });
}
