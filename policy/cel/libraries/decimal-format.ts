// Go's %f, %e and shortest %g float formatting. Go rounds the exact binary value half-to-even,
// which JS's toFixed does not (2.5.toFixed(0) is "3", Go prints "2"), so the double is expanded
// to its exact decimal digits and rounded here.

interface ExactDecimal {
  readonly negative: boolean;
  /** Decimal digits without leading zeros; "" for zero. */
  readonly digits: string;
  /** Position of the decimal point relative to the start of `digits`. */
  readonly point: number;
}

function exactDecimal(value: number): ExactDecimal {
  const negative = value < 0 || Object.is(value, -0);
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(value));
  const bits = view.getBigUint64(0);
  const exponentBits = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  const mantissa = exponentBits === 0 ? fraction : fraction | (1n << 52n);
  const exponent = (exponentBits === 0 ? 1 : exponentBits) - 1075;
  if (mantissa === 0n) return { negative, digits: '', point: 0 };
  if (exponent >= 0) {
    const digits = (mantissa << BigInt(exponent)).toString();
    return { negative, digits, point: digits.length };
  }
  // m * 2^e = m * 5^-e / 10^-e: an exact finite decimal.
  const scaled = (mantissa * 5n ** BigInt(-exponent)).toString();
  const trimmed = scaled.replace(/0+$/, '');
  return { negative, digits: trimmed, point: scaled.length + exponent };
}

/** Rounds `digits` (implicitly followed by zeros) to `keep` digits, half-to-even. */
function roundDigits(digits: string, keep: number): { digits: string; carry: boolean } {
  if (keep < 0) return { digits: '', carry: false };
  if (digits.length <= keep) return { digits: digits.padEnd(keep, '0'), carry: false };
  const head = digits.slice(0, keep);
  const next = digits.charCodeAt(keep) - 48;
  const restNonZero = /[1-9]/.test(digits.slice(keep + 1));
  const lastOdd = keep > 0 && (head.charCodeAt(keep - 1) - 48) % 2 === 1;
  const roundUp = next > 5 || (next === 5 && (restNonZero || lastOdd));
  if (!roundUp) return { digits: head, carry: false };
  const incremented = (BigInt(head || '0') + 1n).toString();
  if (incremented.length > keep) return { digits: incremented.slice(0, keep), carry: true };
  return { digits: incremented.padStart(keep, '0'), carry: false };
}

function special(value: number): string | undefined {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return 'Infinity';
  if (value === Number.NEGATIVE_INFINITY) return '-Infinity';
  return undefined;
}

/** Go's `%.<precision>f`. */
export function formatFixed(value: number, precision: number): string {
  const text = special(value);
  if (text !== undefined) return text;
  const { negative, digits, point } = exactDecimal(value);
  // Pad so the integer part has at least one digit.
  const leading = point < 1 ? 1 - point : 0;
  const padded = '0'.repeat(leading) + digits;
  const intLength = point + leading;
  const rounded = roundDigits(padded, intLength + precision);
  let all = rounded.digits;
  let integerDigits = intLength;
  if (rounded.carry) {
    all = `1${all}`;
    integerDigits++;
  }
  const integer = all.slice(0, integerDigits).replace(/^0+(?=\d)/, '') || '0';
  const fractionPart = all.slice(integerDigits);
  const body = precision > 0 ? `${integer}.${fractionPart}` : integer;
  return negative ? `-${body}` : body;
}

function exponentSuffix(exponent: number): string {
  const sign = exponent < 0 ? '-' : '+';
  return `e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
}

/** Go's `%.<precision>e`. */
export function formatScientific(value: number, precision: number): string {
  const text = special(value);
  if (text !== undefined) return text;
  const { negative, digits, point } = exactDecimal(value);
  const sign = negative ? '-' : '';
  if (digits === '') {
    const zeros = precision > 0 ? `.${'0'.repeat(precision)}` : '';
    return `${sign}0${zeros}e+00`;
  }
  const rounded = roundDigits(digits, precision + 1);
  let exponent = point - 1;
  let all = rounded.digits;
  if (rounded.carry) {
    all = `1${all.slice(0, precision)}`;
    exponent++;
  }
  const mantissa = precision > 0 ? `${all[0]}.${all.slice(1)}` : all.slice(0, 1);
  return `${sign}${mantissa}${exponentSuffix(exponent)}`;
}

/** Go's `strconv.FormatFloat(v, 'g', -1, 64)`, which CEL uses for string(double). */
export function formatShortest(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  const [mantissa = '', exp = '0'] = value.toExponential().split('e');
  const exponent = Number(exp);
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace(/^-/, '').replace('.', '');
  const sign = negative ? '-' : '';
  if (exponent < -4 || exponent >= 6) {
    const rest = digits.length > 1 ? `.${digits.slice(1)}` : '';
    return `${sign}${digits[0]}${rest}${exponentSuffix(exponent)}`;
  }
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  if (digits.length <= exponent + 1) return `${sign}${digits.padEnd(exponent + 1, '0')}`;
  return `${sign}${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}`;
}
