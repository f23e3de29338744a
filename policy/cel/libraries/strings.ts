// cel-go's strings extension at version 2, the one Kubernetes 1.29+ enables. cel-js already has
// split, join, indexOf, lastIndexOf, substring, trim, lowerAscii and upperAscii; this adds the
// rest. cel-js's built-in lowerAscii/upperAscii also change non-ASCII letters, its trim uses
// JS's whitespace set and its indices count UTF-16 units rather than code points. Built-ins
// cannot be replaced, so the correct versions are registered under other names
// (KUBERNETES_METHOD_REWRITES) for the engine's AST rewrite to call instead.
import type { Environment } from '@marcbachmann/cel-js';
import { formatTemplate } from './string-format.ts';
import { celError, toIndex } from './values.ts';

/** Built-in method name -> the name of this library's Kubernetes-exact replacement. */
export const KUBERNETES_METHOD_REWRITES: ReadonlyMap<string, string> = new Map([
  ['lowerAscii', 'kubernetesLowerAscii'],
  ['upperAscii', 'kubernetesUpperAscii'],
  ['trim', 'kubernetesTrim'],
  ['indexOf', 'kubernetesIndexOf'],
  ['lastIndexOf', 'kubernetesLastIndexOf'],
  ['substring', 'kubernetesSubstring'],
]);

/** The receiver type of `strings.quote(...)`: CEL has no namespaces, so `strings` is a constant. */
export class StringsNamespace {}

// Go's unicode.IsSpace.
const GO_SPACE =
  '\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const LEADING_SPACE = new RegExp(`^[${GO_SPACE}]+`, 'u');
const TRAILING_SPACE = new RegExp(`[${GO_SPACE}]+$`, 'u');

function outOfRange(index: bigint | number): Error {
  return celError('index_out_of_range', `index out of range: ${index}`);
}

function codePoints(value: string): string[] {
  return Array.from(value);
}

function charAt(value: string, index: bigint): string {
  const chars = codePoints(value);
  if (index < 0n || index > BigInt(chars.length)) throw outOfRange(index);
  return chars[Number(index)] ?? '';
}

function matchesAt(chars: string[], sub: string[], at: number): boolean {
  for (let j = 0; j < sub.length; j++) if (chars[at + j] !== sub[j]) return false;
  return true;
}

function indexOf(value: string, search: string, offset = 0n): bigint {
  if (search === '') return offset;
  const chars = codePoints(value);
  const sub = codePoints(search);
  if (offset < 0n || offset >= BigInt(chars.length)) throw outOfRange(offset);
  for (let i = Number(offset); i <= chars.length - sub.length; i++) {
    if (matchesAt(chars, sub, i)) return BigInt(i);
  }
  return -1n;
}

function lastIndexOf(value: string, search: string, offset?: bigint): bigint {
  const chars = codePoints(value);
  if (search === '') return offset ?? BigInt(chars.length);
  const sub = codePoints(search);
  let start = chars.length - sub.length;
  if (offset !== undefined) {
    if (offset < 0n || offset >= BigInt(chars.length)) throw outOfRange(offset);
    start = Math.min(Number(offset), start);
  }
  for (let i = start; i >= 0; i--) if (matchesAt(chars, sub, i)) return BigInt(i);
  return -1n;
}

function substring(value: string, start: bigint, end?: bigint): string {
  const chars = codePoints(value);
  const length = BigInt(chars.length);
  if (start < 0n || start > length) throw outOfRange(start);
  if (end === undefined) return chars.slice(Number(start)).join('');
  if (end < 0n || end > length) throw outOfRange(end);
  if (start > end) {
    throw celError('index_out_of_range', `invalid substring range. start: ${start}, end: ${end}`);
  }
  return chars.slice(Number(start), Number(end)).join('');
}

function asciiCase(value: string, upper: boolean): string {
  return value.replace(upper ? /[a-z]+/g : /[A-Z]+/g, (run) =>
    upper ? run.toUpperCase() : run.toLowerCase(),
  );
}

/** Go's strings.Replace: n < 0 replaces every match; an empty `from` matches between runes. */
function replace(value: string, from: string, to: string, limit = -1n): string {
  if (limit === 0n || from === to) return value;
  const max = limit < 0n ? Number.POSITIVE_INFINITY : toIndex(limit);
  if (from === '') {
    const chars = codePoints(value);
    let out = '';
    let done = 0;
    for (let i = 0; i <= chars.length; i++) {
      if (done < max) {
        out += to;
        done++;
      }
      out += chars[i] ?? '';
    }
    return out;
  }
  let out = '';
  let rest = value;
  for (let done = 0; done < max; done++) {
    const at = rest.indexOf(from);
    if (at < 0) break;
    out += rest.slice(0, at) + to;
    rest = rest.slice(at + from.length);
  }
  return out + rest;
}

const QUOTE_ESCAPES: Readonly<Record<string, string>> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '\\': '\\\\',
  '"': '\\"',
};

// Go replaces invalid UTF-8 with U+FFFD; in JS strings the invalid units are lone surrogates.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function quote(value: string): string {
  let out = '"';
  for (const ch of value.replace(LONE_SURROGATE, '\uFFFD')) out += QUOTE_ESCAPES[ch] ?? ch;
  return `${out}"`;
}

export function registerStrings(env: Environment): void {
  env.registerFunction('string.charAt(int): string', charAt);
  env.registerFunction(
    'string.replace(string, string): string',
    (s: string, a: string, b: string) => replace(s, a, b),
  );
  env.registerFunction('string.replace(string, string, int): string', replace);
  env.registerFunction('string.format(list): string', formatTemplate);
  env.registerType('kubernetes.StringsNamespace', StringsNamespace);
  env.registerConstant('strings', 'kubernetes.StringsNamespace', new StringsNamespace());
  env.registerFunction(
    'kubernetes.StringsNamespace.quote(string): string',
    (_ns: StringsNamespace, value: string) => quote(value),
  );

  env.registerFunction('string.kubernetesLowerAscii(): string', (s: string) => asciiCase(s, false));
  env.registerFunction('string.kubernetesUpperAscii(): string', (s: string) => asciiCase(s, true));
  env.registerFunction('string.kubernetesTrim(): string', (s: string) =>
    s.replace(LEADING_SPACE, '').replace(TRAILING_SPACE, ''),
  );
  env.registerFunction('string.kubernetesIndexOf(string): int', (s: string, t: string) =>
    indexOf(s, t),
  );
  env.registerFunction('string.kubernetesIndexOf(string, int): int', indexOf);
  env.registerFunction('string.kubernetesLastIndexOf(string): int', (s: string, t: string) =>
    lastIndexOf(s, t),
  );
  env.registerFunction('string.kubernetesLastIndexOf(string, int): int', lastIndexOf);
  env.registerFunction('string.kubernetesSubstring(int): string', (s: string, start: bigint) =>
    substring(s, start),
  );
  env.registerFunction('string.kubernetesSubstring(int, int): string', substring);
}
