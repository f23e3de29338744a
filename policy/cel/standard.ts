// Standard CEL overloads that @marcbachmann/cel-js 8.0.0 lacks and cel-go (so the apiserver) has.
// Only missing overloads can be added: the library refuses to replace its built-ins.
import type { Environment } from '@marcbachmann/cel-js';
import type { Duration, UnsignedInt } from '@marcbachmann/cel-js/evaluator';
import { CelFunctionError } from './errors.ts';

const INT64_MAX = 2n ** 63n - 1n;

function compareBytes(left: Uint8Array, right: Uint8Array): number {
  const length = Math.min(left.length, right.length);
  for (let i = 0; i < length; i++) {
    if (left[i] !== right[i]) return left[i]! - right[i]!;
  }
  return left.length - right.length;
}

/** RFC 3339 with the fraction trimmed of trailing zeros, as Go's time.RFC3339Nano prints it. */
function formatTimestamp(value: Date): string {
  return value.toISOString().replace(/\.?0*Z$/, 'Z');
}

/** Seconds with a trimmed fraction and an `s`, as cel-go prints a duration. */
function formatDuration(value: Duration): string {
  const negative = value.seconds < 0n || value.nanos < 0;
  const seconds = value.seconds < 0n ? -value.seconds : value.seconds;
  const nanos = Math.abs(value.nanos);
  const fraction = nanos === 0 ? '' : `.${String(nanos).padStart(9, '0').replace(/0+$/, '')}`;
  return `${negative ? '-' : ''}${seconds}${fraction}s`;
}

export function registerStandardGaps(environment: Environment): void {
  environment.registerFunction('int(uint): int', (value: UnsignedInt) => {
    if (value.value > INT64_MAX)
      throw new CelFunctionError('int() of a uint: out of the int range');
    return value.value;
  });
  environment.registerFunction('int(google.protobuf.Timestamp): int', (value: Date) =>
    BigInt(Math.floor(value.getTime() / 1000)),
  );
  environment.registerFunction('string(google.protobuf.Timestamp): string', formatTimestamp);
  environment.registerFunction('string(google.protobuf.Duration): string', formatDuration);
  environment.registerFunction(
    'timestamp(google.protobuf.Timestamp): google.protobuf.Timestamp',
    (value: Date) => value,
  );
  environment.registerFunction(
    'duration(google.protobuf.Duration): google.protobuf.Duration',
    (value: Duration) => value,
  );
  environment.registerOperator(
    'bytes < bytes',
    (a: Uint8Array, b: Uint8Array) => compareBytes(a, b) < 0,
  );
  environment.registerOperator(
    'bytes <= bytes',
    (a: Uint8Array, b: Uint8Array) => compareBytes(a, b) <= 0,
  );
  environment.registerOperator(
    'bytes > bytes',
    (a: Uint8Array, b: Uint8Array) => compareBytes(a, b) > 0,
  );
  environment.registerOperator(
    'bytes >= bytes',
    (a: Uint8Array, b: Uint8Array) => compareBytes(a, b) >= 0,
  );
}
