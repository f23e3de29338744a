// Kubernetes' quantity library over an exact port of apimachinery's resource.Quantity parsing.
// A quantity is unscaled × 10^exponent in BigInt. apimachinery keeps small quantities as an
// int64 with a decimal scale and everything else as an arbitrary-precision decimal; that
// choice is observable (AsInt64, hence isInteger/asInteger, fails for the decimal form and for
// negative scales such as "1000m"), so it is tracked in `arbitrary`.
import type { Environment } from '@marcbachmann/cel-js';
import { type CelObject, type Comparable, celError } from './values.ts';

const MAX_INT64 = 2n ** 63n - 1n;
const MIN_INT64 = -(2n ** 63n);
const NANO_EXPONENT = -9;
const MAX_FAST_DIGITS = 18;

export const QUANTITY_FORMAT_MESSAGE =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const NUMERIC_MESSAGE = 'unable to parse numeric part of quantity';
const SUFFIX_MESSAGE = "unable to parse quantity's suffix";

class QuantityParseError extends Error {}

interface Suffix {
  readonly base: 2 | 10;
  readonly exponent: number;
}

const BINARY_SUFFIXES: Readonly<Record<string, number>> = {
  Ki: 10,
  Mi: 20,
  Gi: 30,
  Ti: 40,
  Pi: 50,
  Ei: 60,
};
const DECIMAL_SUFFIXES: Readonly<Record<string, number>> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};

function interpretSuffix(suffix: string): Suffix {
  const binary = BINARY_SUFFIXES[suffix];
  if (binary !== undefined) return { base: 2, exponent: binary };
  const decimal = DECIMAL_SUFFIXES[suffix];
  if (decimal !== undefined) return { base: 10, exponent: decimal };
  if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E')) {
    const exponent = /^[+-]?\d+$/.test(suffix.slice(1)) ? Number(suffix.slice(1)) : Number.NaN;
    // Go parses the exponent as an int32.
    if (Number.isSafeInteger(exponent) && Math.abs(exponent) <= 2 ** 31 - 1) {
      return { base: 10, exponent };
    }
  }
  throw new QuantityParseError(SUFFIX_MESSAGE);
}

interface Parts {
  readonly positive: boolean;
  readonly num: string;
  readonly denom: string;
  readonly suffix: string;
}

const DIGITS = /^\d*/;
const SUFFIX_CHARS = /^[eEinumkKMGTP]*/;

/** apimachinery's parseQuantityString, which is laxer than its documented regular expression. */
function splitQuantity(text: string): Parts {
  let rest = text;
  let positive = true;
  if (rest[0] === '-' || rest[0] === '+') {
    positive = rest[0] === '+';
    rest = rest.slice(1);
  }
  rest = rest.replace(/^0+/, '');
  const num = DIGITS.exec(rest)?.[0] ?? '';
  rest = rest.slice(num.length);
  let denom = '';
  if (rest[0] === '.') {
    denom = DIGITS.exec(rest.slice(1))?.[0] ?? '';
    rest = rest.slice(1 + denom.length);
  }
  const letters = SUFFIX_CHARS.exec(rest)?.[0] ?? '';
  const afterLetters = rest.slice(letters.length);
  if (afterLetters !== '' && !/^[+-]?\d*$/.test(afterLetters)) {
    throw new QuantityParseError(QUANTITY_FORMAT_MESSAGE);
  }
  return { positive, num: num || '0', denom, suffix: rest };
}

function pow10(exponent: number): bigint {
  return 10n ** BigInt(exponent);
}

export class Quantity implements CelObject, Comparable {
  readonly celTypeName = 'kubernetes.Quantity';

  constructor(
    readonly unscaled: bigint,
    readonly exponent: number,
    readonly arbitrary: boolean,
  ) {}

  static parse(text: string): Quantity {
    if (text.length === 0) throw new QuantityParseError(QUANTITY_FORMAT_MESSAGE);
    const { positive, num, denom, suffix } = splitQuantity(text);
    const { base, exponent } = interpretSuffix(suffix);
    const digits = BigInt(num + denom);
    const signed = positive ? digits : -digits;

    let precision: number;
    let scale: number;
    let multiplier = 1n;
    if (base === 10) {
      scale = exponent;
      precision = MAX_FAST_DIGITS - (num.length + denom.length);
    } else if (exponent >= 0 && denom.length === 0) {
      scale = 0;
      multiplier = 1n << BigInt(exponent);
      precision = 15 - num.length - Math.trunc((exponent * 3) / 10) - 1;
    } else {
      scale = 0;
      precision = -1;
    }
    if (precision >= 0 && scale - denom.length >= NANO_EXPONENT) {
      const value = digits * multiplier;
      if (digits <= MAX_INT64 && value <= MAX_INT64) {
        return new Quantity(positive ? value : -value, scale - denom.length, false);
      }
    }
    return Quantity.arbitrary(
      signed * (base === 2 ? 1n << BigInt(exponent) : 1n),
      base === 10 ? exponent - denom.length : -denom.length,
    );
  }

  /** The arbitrary-precision path: round away from zero to nano units, cap at int64 max units. */
  private static arbitrary(unscaled: bigint, exponent: number): Quantity {
    const negative = unscaled < 0n;
    let magnitude = negative ? -unscaled : unscaled;
    let exp = exponent;
    if (magnitude !== 0n && exp < NANO_EXPONENT) {
      const divisor = pow10(NANO_EXPONENT - exp);
      const rounded = magnitude / divisor + (magnitude % divisor === 0n ? 0n : 1n);
      magnitude = rounded;
      exp = NANO_EXPONENT;
    }
    if (Quantity.compareParts(magnitude, exp, MAX_INT64, 0) > 0) {
      magnitude = MAX_INT64;
      exp = 0;
    }
    return new Quantity(negative ? -magnitude : magnitude, exp, true);
  }

  private static compareParts(a: bigint, aExp: number, b: bigint, bExp: number): number {
    const common = Math.min(aExp, bExp);
    const left = a * pow10(aExp - common);
    const right = b * pow10(bExp - common);
    return left < right ? -1 : left > right ? 1 : 0;
  }

  static fromInt(value: bigint): Quantity {
    return new Quantity(value, 0, false);
  }

  celCompare(other: unknown): number {
    const q = other as Quantity;
    return Quantity.compareParts(this.unscaled, this.exponent, q.unscaled, q.exponent);
  }

  celEquals(other: unknown): boolean {
    return other instanceof Quantity && this.celCompare(other) === 0;
  }

  sign(): bigint {
    return this.unscaled < 0n ? -1n : this.unscaled > 0n ? 1n : 0n;
  }

  add(other: Quantity): Quantity {
    const common = Math.min(this.exponent, other.exponent);
    const a = this.unscaled * pow10(this.exponent - common);
    const b = other.unscaled * pow10(other.exponent - common);
    if (!this.arbitrary && !other.arbitrary) {
      // int64Amount.Add: a zero operand keeps the other's scale; overflow falls back to decimal.
      if (other.unscaled === 0n) return this;
      if (this.unscaled === 0n) return other;
      const sum = a + b;
      if (a <= MAX_INT64 && a >= MIN_INT64 && b <= MAX_INT64 && b >= MIN_INT64) {
        if (sum <= MAX_INT64 && sum >= MIN_INT64) return new Quantity(sum, common, false);
      }
    }
    return new Quantity(a + b, common, true);
  }

  negate(): Quantity {
    return new Quantity(-this.unscaled, this.exponent, this.arbitrary);
  }

  /** apimachinery's AsInt64: only the int64 form with a non-negative scale that fits. */
  asInt64(): bigint | undefined {
    if (this.arbitrary || this.exponent < 0) return undefined;
    const value = this.unscaled * pow10(this.exponent);
    return value <= MAX_INT64 && value >= MIN_INT64 ? value : undefined;
  }

  asApproximateFloat(): number {
    return Number(`${this.unscaled}e${this.exponent}`);
  }
}

function parseOrThrow(text: string): Quantity {
  try {
    return Quantity.parse(text);
  } catch (error) {
    if (error instanceof QuantityParseError) throw celError('invalid_argument', error.message);
    if (error instanceof SyntaxError) throw celError('invalid_argument', NUMERIC_MESSAGE);
    throw error;
  }
}

function isQuantity(text: string): boolean {
  try {
    Quantity.parse(text);
    return true;
  } catch (error) {
    if (error instanceof QuantityParseError || error instanceof SyntaxError) return false;
    throw error;
  }
}

export function registerQuantity(env: Environment): void {
  const Q = 'kubernetes.Quantity';
  env.registerType(Q, Quantity);
  env.registerOperator(`${Q} == ${Q}`, (a: Quantity, b: Quantity) => a.celEquals(b));
  env.registerFunction(`quantity(string): ${Q}`, parseOrThrow);
  env.registerFunction('isQuantity(string): bool', isQuantity);
  env.registerFunction(`${Q}.sign(): int`, (q: Quantity) => q.sign());
  env.registerFunction(`${Q}.isInteger(): bool`, (q: Quantity) => q.asInt64() !== undefined);
  env.registerFunction(`${Q}.asInteger(): int`, (q: Quantity) => {
    const value = q.asInt64();
    if (value === undefined) throw celError('invalid_argument', 'cannot convert value to integer');
    return value;
  });
  env.registerFunction(`${Q}.asApproximateFloat(): double`, (q: Quantity) =>
    q.asApproximateFloat(),
  );
  env.registerFunction(`${Q}.compareTo(${Q}): int`, (a: Quantity, b: Quantity) =>
    BigInt(a.celCompare(b)),
  );
  env.registerFunction(
    `${Q}.isLessThan(${Q}): bool`,
    (a: Quantity, b: Quantity) => a.celCompare(b) < 0,
  );
  env.registerFunction(
    `${Q}.isGreaterThan(${Q}): bool`,
    (a: Quantity, b: Quantity) => a.celCompare(b) > 0,
  );
  env.registerFunction(`${Q}.add(${Q}): ${Q}`, (a: Quantity, b: Quantity) => a.add(b));
  env.registerFunction(`${Q}.add(int): ${Q}`, (a: Quantity, b: bigint) =>
    a.add(Quantity.fromInt(b)),
  );
  env.registerFunction(`${Q}.sub(${Q}): ${Q}`, (a: Quantity, b: Quantity) => a.add(b.negate()));
  env.registerFunction(`${Q}.sub(int): ${Q}`, (a: Quantity, b: bigint) =>
    a.add(Quantity.fromInt(-b)),
  );
}
