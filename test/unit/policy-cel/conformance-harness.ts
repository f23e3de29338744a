// Runs the cel-spec simple tests (from @bufbuild/cel-spec) through Orka's CEL engine, as
// reference/cel-engine.md §7 describes: expected values and bindings are converted from
// cel.expr.Value JSON to engine inputs, results back to a canonical form and compared.
// `node --import tsx test/unit/policy-cel/conformance-harness.ts` prints every failure with its
// reason, in the form of policy/cel/conformance-skips.json.

import { tests as conformance } from '@bufbuild/cel-spec/testdata/conformance.js';
import type { SerializedIncrementalTestSuite } from '@bufbuild/cel-spec/testdata/tests.js';
import { Duration, UnsignedInt } from '@marcbachmann/cel-js/evaluator';
import { CelCompileError, createCelEngine } from '../../../policy/cel/engine.ts';

/** The core sections of reference/cel-engine.md §2 (protobuf-message suites are out of scope). */
export const CORE_SECTIONS = [
  'basic',
  'comparisons',
  'conversions',
  'fields',
  'fp_math',
  'integer_math',
  'lists',
  'logic',
  'macros',
  'parse',
  'plumbing',
  'string',
  'timestamps',
];

/** The string_ext subsections Kubernetes policies rely on (strings extension v2). */
export const KUBERNETES_STRING_EXT = [
  'char_at',
  'index_of',
  'last_index_of',
  'ascii_casing',
  'replace',
  'split',
  'substring',
  'trim',
  'join',
];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export interface ConformanceOutcome {
  /** `section/subsection/test` */
  readonly id: string;
  readonly section: string;
  readonly subsection: string;
  /** undefined when the test passed */
  readonly failure?: string;
}

const TIMESTAMP = 'type.googleapis.com/google.protobuf.Timestamp';
const DURATION = 'type.googleapis.com/google.protobuf.Duration';

/** Needs protobuf messages (TestAllTypes, wrappers, enums), which a JSON engine does not have. */
function needsProtobuf(test: JsonObject): boolean {
  const text = JSON.stringify(test);
  if (
    /TestAllTypes|NestedTestAllTypes|google\.protobuf\.\w+\s*\{|enumValue/.test(String(test.expr))
  ) {
    return true;
  }
  if (text.includes('enumValue') || text.includes('messageType')) return true;
  const types = [...text.matchAll(/"@type":"([^"]+)"/g)].map((m) => m[1]);
  return types.some((type) => type !== TIMESTAMP && type !== DURATION);
}

function parseDuration(text: string): Duration {
  const match = /^(-?)(\d+)(?:\.(\d{1,9}))?s$/.exec(text);
  if (!match) throw new Error(`unsupported duration ${text}`);
  const sign = match[1] ? -1 : 1;
  const nanos = Number((match[3] ?? '').padEnd(9, '0'));
  return new Duration(BigInt(match[2]!) * BigInt(sign), nanos * sign);
}

function doubleOf(value: Json): number {
  if (value === 'NaN') return Number.NaN;
  if (value === 'Infinity') return Number.POSITIVE_INFINITY;
  if (value === '-Infinity') return Number.NEGATIVE_INFINITY;
  return Number(value);
}

/** cel.expr.Value JSON → the value the engine takes as input. */
function toInput(value: JsonObject): unknown {
  if ('int64Value' in value) return BigInt(value.int64Value as string);
  if ('uint64Value' in value) return new UnsignedInt(BigInt(value.uint64Value as string));
  if ('doubleValue' in value) return doubleOf(value.doubleValue);
  if ('stringValue' in value) return value.stringValue;
  if ('boolValue' in value) return value.boolValue;
  if ('nullValue' in value) return null;
  if ('bytesValue' in value)
    return new Uint8Array(Buffer.from(value.bytesValue as string, 'base64'));
  if ('listValue' in value) {
    return (((value.listValue as JsonObject).values ?? []) as JsonObject[]).map(toInput);
  }
  if ('mapValue' in value) {
    const entries = ((value.mapValue as JsonObject).entries ?? []) as JsonObject[];
    return new Map(
      entries.map((e) => [toInput(e.key as JsonObject), toInput(e.value as JsonObject)]),
    );
  }
  if ('objectValue' in value) {
    const object = value.objectValue as JsonObject;
    if (object['@type'] === TIMESTAMP) return new Date(object.value as string);
    if (object['@type'] === DURATION) return parseDuration(object.value as string);
  }
  if ('typeValue' in value) return { celType: value.typeValue };
  throw new Error(`unsupported value ${JSON.stringify(value)}`);
}

/** A comparable text form of any engine value (map entries sorted). */
function canonical(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'bigint':
      return `int(${value})`;
    case 'number':
      return Number.isNaN(value) ? 'double(NaN)' : `double(${Object.is(value, -0) ? 0 : value})`;
    case 'string':
      return `string(${JSON.stringify(value)})`;
    case 'boolean':
      return `bool(${value})`;
  }
  if (value instanceof UnsignedInt) return `uint(${value.value})`;
  if (value instanceof Uint8Array) return `bytes(${Buffer.from(value).toString('hex')})`;
  if (value instanceof Date) return `timestamp(${value.toISOString()})`;
  if (value instanceof Duration) return `duration(${value.seconds}s${value.nanos}n)`;
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value instanceof Set) return canonical([...value]);
  if (value instanceof Map) {
    return `{${[...value]
      .map(([k, v]) => `${canonical(k)}:${canonical(v)}`)
      .sort()
      .join(',')}}`;
  }
  const object = value as { celType?: string; name?: string; constructor?: { name?: string } };
  if (typeof object.celType === 'string') return `type(${object.celType})`;
  if (object.constructor?.name === 'Type' && typeof object.name === 'string')
    return `type(${object.name})`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as object);
    return `{${entries
      .map(([k, v]) => `${canonical(k)}:${canonical(v)}`)
      .sort()
      .join(',')}}`;
  }
  return `unsupported(${typeof value})`;
}

function variablesOf(test: JsonObject): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const declaration of (test.typeEnv ?? []) as JsonObject[]) {
    variables[declaration.name as string] = 'dyn';
  }
  for (const name of Object.keys((test.bindings ?? {}) as JsonObject)) variables[name] = 'dyn';
  return variables;
}

const engine = createCelEngine();

function runTest(test: JsonObject): string | undefined {
  const compiled = engine.compile(test.expr as string, { variables: variablesOf(test) });
  const expectsError = 'evalError' in test;
  if (compiled instanceof CelCompileError) {
    return expectsError ? undefined : `does not compile: ${compiled.summary}`;
  }
  if (test.checkOnly) return undefined;
  const activation: Record<string, unknown> = {};
  for (const [name, binding] of Object.entries((test.bindings ?? {}) as JsonObject)) {
    activation[name] = toInput((binding as JsonObject).value as JsonObject);
  }
  let result: unknown;
  try {
    result = engine.evaluate(compiled, activation);
  } catch (error) {
    return expectsError ? undefined : `evaluation error: ${(error as Error).message}`;
  }
  if (expectsError) return `a value where an error is expected: ${canonical(result)}`;
  const expected = canonical(toInput((test.value ?? { boolValue: true }) as JsonObject));
  const actual = canonical(result);
  return expected === actual ? undefined : `wrong value: ${actual}, expected ${expected}`;
}

/** Runs the named sections (all subsections, or only `subsections`), skipping protobuf-only tests. */
export function runConformance(sections: string[], subsections?: string[]): ConformanceOutcome[] {
  const outcomes: ConformanceOutcome[] = [];
  const suites = (conformance as SerializedIncrementalTestSuite).suites ?? [];
  for (const section of suites.filter((s) => sections.includes(s.name))) {
    for (const subsection of section.suites ?? []) {
      if (subsections && !subsections.includes(subsection.name)) continue;
      for (const { original } of subsection.tests ?? []) {
        const test = original as unknown as JsonObject;
        if (needsProtobuf(test)) continue;
        let failure: string | undefined;
        try {
          failure = runTest(test);
        } catch (error) {
          failure = `harness: ${(error as Error).message}`;
        }
        outcomes.push({
          id: `${section.name}/${subsection.name}/${String(test.name)}`,
          section: section.name,
          subsection: subsection.name,
          ...(failure === undefined ? {} : { failure }),
        });
      }
    }
  }
  return outcomes;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const outcomes = [
    ...runConformance(CORE_SECTIONS),
    ...runConformance(['string_ext'], KUBERNETES_STRING_EXT),
  ];
  const failures = Object.fromEntries(
    outcomes.filter((o) => o.failure).map((o) => [o.id, o.failure]),
  );
  console.log(JSON.stringify(failures, null, 2));
  console.error(`${outcomes.length} run, ${Object.keys(failures).length} failed`);
}
