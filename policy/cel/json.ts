// JSON as the apiserver's CEL sees a custom resource: an integer literal is a CEL int (BigInt, exact
// beyond 2^53), any other number a double. JSON.parse turns every number into a double and loses
// digits past 2^53, so request bodies go through parseJsonPreservingIntegers instead.

export type JsonCelValue =
  | null
  | boolean
  | bigint
  | number
  | string
  | JsonCelValue[]
  | { [key: string]: JsonCelValue };

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const MAX_DEPTH = 1000;

export class JsonParseError extends Error {
  override readonly name = 'JsonParseError';
}

/** Adds a property even when its name is `__proto__`, as JSON.parse does. */
export function setOwn<T>(target: { [key: string]: T }, key: string, value: T): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    target[key] = value;
  }
}

function integerOrDouble(literal: string): bigint | number {
  const value = BigInt(literal);
  // Go's decoder (and so the apiserver) falls back to float64 when an integer does not fit int64.
  return value < INT64_MIN || value > INT64_MAX ? Number(literal) : value;
}

class Parser {
  private pos = 0;
  constructor(private readonly text: string) {}

  parse(): JsonCelValue {
    const value = this.value(0);
    this.skipSpace();
    if (this.pos < this.text.length) this.fail('unexpected data after the JSON value');
    return value;
  }

  private fail(problem: string): never {
    throw new JsonParseError(`invalid JSON at position ${this.pos}: ${problem}`);
  }

  private skipSpace(): void {
    const text = this.text;
    let pos = this.pos;
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === 32 || c === 10 || c === 13 || c === 9) pos++;
      else break;
    }
    this.pos = pos;
  }

  private value(depth: number): JsonCelValue {
    if (depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH}`);
    this.skipSpace();
    const c = this.text.charCodeAt(this.pos);
    if (c === 123) return this.object(depth);
    if (c === 91) return this.array(depth);
    if (c === 34) return this.string();
    if (c === 45 || (c >= 48 && c <= 57)) return this.number();
    if (this.text.startsWith('true', this.pos)) return this.literal(4, true);
    if (this.text.startsWith('false', this.pos)) return this.literal(5, false);
    if (this.text.startsWith('null', this.pos)) return this.literal(4, null);
    return this.fail(Number.isNaN(c) ? 'unexpected end of input' : 'unexpected character');
  }

  private literal<T>(length: number, value: T): T {
    this.pos += length;
    return value;
  }

  private object(depth: number): JsonCelValue {
    const result: { [key: string]: JsonCelValue } = {};
    this.pos++;
    this.skipSpace();
    if (this.text.charCodeAt(this.pos) === 125) {
      this.pos++;
      return result;
    }
    for (;;) {
      this.skipSpace();
      if (this.text.charCodeAt(this.pos) !== 34) this.fail('expected a property name');
      const key = this.string();
      this.skipSpace();
      if (this.text.charCodeAt(this.pos) !== 58) this.fail("expected ':'");
      this.pos++;
      setOwn(result, key, this.value(depth + 1));
      this.skipSpace();
      const c = this.text.charCodeAt(this.pos++);
      if (c === 125) return result;
      if (c !== 44) {
        this.pos--;
        this.fail("expected ',' or '}'");
      }
    }
  }

  private array(depth: number): JsonCelValue {
    const result: JsonCelValue[] = [];
    this.pos++;
    this.skipSpace();
    if (this.text.charCodeAt(this.pos) === 93) {
      this.pos++;
      return result;
    }
    for (;;) {
      result.push(this.value(depth + 1));
      this.skipSpace();
      const c = this.text.charCodeAt(this.pos++);
      if (c === 93) return result;
      if (c !== 44) {
        this.pos--;
        this.fail("expected ',' or ']'");
      }
    }
  }

  private string(): string {
    const text = this.text;
    const start = ++this.pos;
    let pos = start;
    // Fast path: no escapes, the common case; control characters are not allowed raw.
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === 34) {
        this.pos = pos + 1;
        return text.slice(start, pos);
      }
      if (c === 92 || c < 32 || Number.isNaN(c)) break;
      pos++;
    }
    let result = text.slice(start, pos);
    for (;;) {
      const c = text.charCodeAt(pos);
      if (Number.isNaN(c)) {
        this.pos = pos;
        this.fail('unterminated string');
      }
      if (c < 32) {
        this.pos = pos;
        this.fail('control character in string');
      }
      if (c === 34) {
        this.pos = pos + 1;
        return result;
      }
      if (c !== 92) {
        result += text[pos];
        pos++;
        continue;
      }
      const escaped = text[pos + 1];
      pos += 2;
      switch (escaped) {
        case '"':
        case '\\':
        case '/':
          result += escaped;
          break;
        case 'b':
          result += '\b';
          break;
        case 'f':
          result += '\f';
          break;
        case 'n':
          result += '\n';
          break;
        case 'r':
          result += '\r';
          break;
        case 't':
          result += '\t';
          break;
        case 'u': {
          const hex = text.slice(pos, pos + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
            this.pos = pos;
            this.fail('invalid \\u escape');
          }
          result += String.fromCharCode(Number.parseInt(hex, 16));
          pos += 4;
          break;
        }
        default:
          this.pos = pos - 2;
          this.fail('invalid escape');
      }
    }
  }

  private number(): bigint | number {
    const text = this.text;
    const start = this.pos;
    let pos = start;
    if (text.charCodeAt(pos) === 45) pos++;
    const intStart = pos;
    while (isDigit(text.charCodeAt(pos))) pos++;
    if (pos === intStart || (text.charCodeAt(intStart) === 48 && pos - intStart > 1)) {
      this.pos = start;
      this.fail('invalid number');
    }
    let integral = true;
    if (text.charCodeAt(pos) === 46) {
      integral = false;
      const fracStart = ++pos;
      while (isDigit(text.charCodeAt(pos))) pos++;
      if (pos === fracStart) {
        this.pos = start;
        this.fail('invalid number');
      }
    }
    const e = text.charCodeAt(pos);
    if (e === 101 || e === 69) {
      integral = false;
      pos++;
      const sign = text.charCodeAt(pos);
      if (sign === 43 || sign === 45) pos++;
      const expStart = pos;
      while (isDigit(text.charCodeAt(pos))) pos++;
      if (pos === expStart) {
        this.pos = start;
        this.fail('invalid number');
      }
    }
    this.pos = pos;
    const literal = text.slice(start, pos);
    return integral ? integerOrDouble(literal) : Number(literal);
  }
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * Parses JSON text; integer literals become BigInt (doubles if outside int64, as in Go), other
 * numbers doubles. Errors name the position and the problem, never the content.
 */
export function parseJsonPreservingIntegers(text: string): JsonCelValue {
  const plain = parseJsonOfSafeIntegers(text);
  return plain === undefined ? new Parser(text).parse() : toCelValue(plain);
}

/**
 * JSON.parse's value for a text whose numbers are all safe integers (plain numbers then), or
 * undefined when the text may hold other numbers or is not JSON: parseJsonPreservingIntegers
 * then parses it exactly (and reports a problem without quoting the input, as JSON.parse does).
 */
export function parseJsonOfSafeIntegers(text: string): unknown {
  // When no number in the text can have a fraction, an exponent or more than 15 digits (the test
  // also looks inside strings, which only sends more texts to the exact parser), JSON.parse is
  // exact and every number it returns is an integer; a member or item -0 would stay a negative
  // zero, which the exact parser (like Go's) reads as 0.
  if (MAYBE_INEXACT_NUMBER.test(text) || NEGATIVE_ZERO_MEMBER.test(text)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return text.length >= SHORTEST_TOO_DEEP && nestedTooDeep(value, 0) ? undefined : value;
}

/** A value deeper than MAX_DEPTH sits inside MAX_DEPTH + 1 containers: their brackets at least. */
const SHORTEST_TOO_DEEP = 2 * (MAX_DEPTH + 1);

/** Whether some value in `value` sits deeper than MAX_DEPTH (the exact parser refuses it). */
function nestedTooDeep(value: unknown, depth: number): boolean {
  if (depth > MAX_DEPTH) return true;
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) {
    for (const item of value) if (nestedTooDeep(item, depth + 1)) return true;
    return false;
  }
  for (const key in value) {
    if (nestedTooDeep((value as Record<string, unknown>)[key], depth + 1)) return true;
  }
  return false;
}

const MAYBE_INEXACT_NUMBER = /[0-9][.eE]|[0-9]{16}/;
const NEGATIVE_ZERO_MEMBER = /[:,[]\s*-0(?![0-9])/;

/**
 * Converts an already-parsed JSON-like value (from JSON.parse, YAML, or code) to CEL input:
 * integral numbers become BigInt, other numbers stay doubles, `undefined` members are dropped.
 * Plain objects and arrays that need none of that are returned as they are, not copied: a review
 * converts the object, the request and more for every request, and most of their members hold no
 * number. Callers must not change a value after converting it (nothing in the chain changes an
 * object in place: patches and defaulting work on copies).
 */
export function toCelValue(value: unknown): JsonCelValue {
  return convert(value, 0);
}

function convert(value: unknown, depth: number): JsonCelValue {
  if (depth > MAX_DEPTH) throw new JsonParseError(`value nested deeper than ${MAX_DEPTH}`);
  switch (typeof value) {
    case 'number':
      return Number.isInteger(value) && Number.isSafeInteger(value) ? BigInt(value) : value;
    case 'bigint':
    case 'string':
    case 'boolean':
      return value;
    case 'object':
      if (value === null) return null;
      return Array.isArray(value)
        ? convertArray(value, depth)
        : convertObject(value as Record<string, unknown>, depth);
    default:
      throw new TypeError(`cannot convert a ${typeof value} to a CEL value`);
  }
}

/** `items` itself when every item converts to itself, else a converted copy. */
function convertArray(items: unknown[], depth: number): JsonCelValue[] {
  let copy: JsonCelValue[] | undefined =
    Object.getPrototypeOf(items) === Array.prototype ? undefined : [];
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    const converted = convert(item, depth + 1);
    if (copy === undefined && converted !== item) copy = items.slice(0, i) as JsonCelValue[];
    copy?.push(converted);
  }
  return copy ?? (items as JsonCelValue[]);
}

/** `object` itself when it is plain and every member converts to itself, else a converted copy. */
function convertObject(
  object: Record<string, unknown>,
  depth: number,
): { [key: string]: JsonCelValue } {
  const keys = Object.keys(object);
  let copy: { [key: string]: JsonCelValue } | undefined =
    Object.getPrototypeOf(object) === Object.prototype ? undefined : {};
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const member = object[key];
    const converted = member === undefined ? undefined : convert(member, depth + 1);
    if (copy === undefined && (member === undefined || converted !== member)) {
      copy = {};
      for (let j = 0; j < i; j++) setOwn(copy, keys[j]!, object[keys[j]!] as JsonCelValue);
    }
    if (copy !== undefined && converted !== undefined) setOwn(copy, key, converted);
  }
  return copy ?? (object as { [key: string]: JsonCelValue });
}

/** JSON text for a CEL result: BigInts are written as exact integer literals. */
export function stringifyJsonPreservingIntegers(value: unknown): string {
  switch (typeof value) {
    case 'bigint':
      return value.toString();
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('a non-finite number has no JSON form');
      return JSON.stringify(value);
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) return `[${value.map(stringifyJsonPreservingIntegers).join(',')}]`;
      const members = Object.entries(value)
        .filter(([, member]) => member !== undefined)
        .map(
          ([key, member]) => `${JSON.stringify(key)}:${stringifyJsonPreservingIntegers(member)}`,
        );
      return `{${members.join(',')}}`;
    }
    default:
      throw new TypeError(`a ${typeof value} has no JSON form`);
  }
}
