// `<string>.format(<list>)` of cel-go's strings extension (version 1 and later), with the clauses
// %s %d %f %e %x %X %o %b, an optional precision (`%.3f`) and `%%`.
import { Duration, UnsignedInt } from '@marcbachmann/cel-js/evaluator';
import { formatFixed, formatScientific, formatShortest } from './decimal-format.ts';
import {
  celError,
  celTypeName,
  compareStrings,
  isCelType,
  isPlainMap,
  listItems,
  mapEntries,
} from './values.ts';

const DEFAULT_PRECISION = 6;
const KNOWN_VERBS = new Set(['s', 'd', 'f', 'e', 'x', 'X', 'o', 'b']);

function formattingError(message: string): Error {
  return celError('invalid_argument', `error during formatting: ${message}`);
}

function integerValue(value: unknown): bigint | undefined {
  if (typeof value === 'bigint') return value;
  if (value instanceof UnsignedInt) return value.valueOf();
  return undefined;
}

export function timestampString(value: Date): string {
  // RFC 3339 with trailing zeros of the fraction removed, as Go's time.RFC3339Nano.
  return value
    .toISOString()
    .replace(/\.?0+Z$/, 'Z')
    .replace(/\.Z$/, 'Z');
}

function utf8Bytes(value: string): Uint8Array {
  return new TextEncoder().encode(value);
}

function hexOfBytes(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function formatDoubleForString(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return 'Infinity';
  if (value === Number.NEGATIVE_INFINITY) return '-Infinity';
  return formatShortest(value);
}

const STRING_CLAUSE_TYPES =
  'strings, bools, bytes, ints, doubles, maps, lists, types, durations, and timestamps';

function formatString(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'boolean':
    case 'bigint':
      return String(value);
    case 'number':
      return formatDoubleForString(value);
  }
  if (value === null) return 'null';
  if (value instanceof UnsignedInt) return String(value.valueOf());
  if (value instanceof Uint8Array) return new TextDecoder().decode(value);
  if (value instanceof Date) return timestampString(value);
  if (value instanceof Duration) return value.toString();
  if (isCelType(value)) return value.name === 'null' ? 'null_type' : value.name;
  if (Array.isArray(value) || value instanceof Set) {
    return `[${listItems(value).map(formatString).join(', ')}]`;
  }
  if (isPlainMap(value)) {
    const entries = mapEntries(value).map(([k, v]) => [formatString(k), formatString(v)] as const);
    entries.sort((a, b) => compareStrings(a[0], b[0]));
    return `{${entries.map(([k, v]) => `${k}: ${v}`).join(', ')}}`;
  }
  throw formattingError(
    `string clause can only be used on ${STRING_CLAUSE_TYPES}, was given ${celTypeName(value)}`,
  );
}

function formatDecimal(value: unknown): string {
  const integer = integerValue(value);
  if (integer !== undefined) return integer.toString();
  if (typeof value === 'number' && !Number.isFinite(value)) return formatDoubleForString(value);
  throw formattingError(
    `decimal clause can only be used on integers, was given ${celTypeName(value)}`,
  );
}

function asDouble(value: unknown, clause: string): number {
  if (typeof value === 'number') return value;
  const integer = integerValue(value);
  if (integer !== undefined) return Number(integer);
  throw formattingError(
    `${clause} clause can only be used on doubles, was given ${celTypeName(value)}`,
  );
}

function formatHex(value: unknown): string {
  const integer = integerValue(value);
  if (integer !== undefined) {
    return integer < 0n ? `-${(-integer).toString(16)}` : integer.toString(16);
  }
  if (typeof value === 'string') return hexOfBytes(utf8Bytes(value));
  if (value instanceof Uint8Array) return hexOfBytes(value);
  throw formattingError(
    `only integers, byte buffers, and strings can be formatted as hex, was given ${celTypeName(value)}`,
  );
}

function formatRadix(value: unknown, radix: 2 | 8): string {
  if (radix === 2 && typeof value === 'boolean') return value ? '1' : '0';
  const integer = integerValue(value);
  if (integer !== undefined) {
    return integer < 0n ? `-${(-integer).toString(radix)}` : integer.toString(radix);
  }
  if (radix === 2) {
    throw formattingError(
      `only integers and bools can be formatted as binary, was given ${celTypeName(value)}`,
    );
  }
  throw formattingError(
    `octal clause can only be used on integers, was given ${celTypeName(value)}`,
  );
}

function formatClause(verb: string, precision: number | undefined, value: unknown): string {
  switch (verb) {
    case 's':
      return formatString(value);
    case 'd':
      return formatDecimal(value);
    case 'f':
      return formatFixed(asDouble(value, 'fixed-point'), precision ?? DEFAULT_PRECISION);
    case 'e':
      return formatScientific(asDouble(value, 'scientific'), precision ?? DEFAULT_PRECISION);
    case 'x':
      return formatHex(value);
    case 'X':
      return formatHex(value).toUpperCase();
    case 'o':
      return formatRadix(value, 8);
    default:
      return formatRadix(value, 2);
  }
}

/** Applies a format string to a list of arguments, as cel-go's `string.format(list)`. */
export function formatTemplate(template: string, args: unknown): string {
  const values = listItems(args);
  let out = '';
  let argIndex = 0;
  let i = 0;
  while (i < template.length) {
    const ch = template[i];
    if (ch !== '%') {
      out += ch;
      i++;
      continue;
    }
    if (template[i + 1] === '%') {
      out += '%';
      i += 2;
      continue;
    }
    i++;
    let precision: number | undefined;
    if (template[i] === '.') {
      const match = /^\.(\d+)/.exec(template.slice(i));
      if (!match?.[1]) {
        throw celError(
          'invalid_argument',
          'could not parse formatting clause: error while parsing precision',
        );
      }
      precision = Number(match[1]);
      i += match[0].length;
    }
    const verb = template[i];
    if (verb === undefined) {
      throw celError(
        'invalid_argument',
        'could not parse formatting clause: unexpected end of string',
      );
    }
    i++;
    if (!KNOWN_VERBS.has(verb)) {
      throw celError(
        'invalid_argument',
        `could not parse formatting clause: unrecognized formatting clause "${verb}"`,
      );
    }
    if (argIndex >= values.length) {
      throw celError('index_out_of_range', `index ${argIndex} out of range`);
    }
    out += formatClause(verb, precision, values[argIndex]);
    argIndex++;
  }
  return out;
}
