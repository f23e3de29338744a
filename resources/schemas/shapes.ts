// Schema builders that keep every schema structural (apiextensions.k8s.io/v1): each node has a
// `type`, maps use `additionalProperties` (never `patternProperties`), enums are plain string
// enums (never `anyOf` of constants). TypeBox supplies the static types.
import {
  type ObjectOptions,
  type SchemaOptions,
  type Static,
  type TProperties,
  type TSchema,
  type TUnsafe,
  Type,
} from '@sinclair/typebox';

/**
 * An object whose unknown fields are refused. `additionalProperties: false` is for the runtime
 * validator only (unknown fields are errors, as with kubectl's strict field validation); the CRD
 * generator removes it, since a structural schema may not carry it beside `properties`.
 */
export const Obj = <T extends TProperties>(properties: T, options: ObjectOptions = {}) =>
  Type.Object(properties, { additionalProperties: false, ...options });

/** An object that keeps whatever it is given (`x-kubernetes-preserve-unknown-fields`). */
export const OpenObj = <T = Record<string, unknown>>(options: SchemaOptions = {}) =>
  Type.Unsafe<T>({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true, ...options });

export const StringEnum = <const T extends readonly string[]>(
  values: T,
  options: SchemaOptions = {},
): TUnsafe<T[number]> => Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });

/** `map[string]V`: a JSON object with arbitrary keys. */
export const StringMap = <V extends TSchema>(
  value: V,
  options: SchemaOptions = {},
): TUnsafe<Record<string, Static<V>>> =>
  Type.Unsafe<Record<string, Static<V>>>({
    type: 'object',
    additionalProperties: value,
    ...options,
  });

export const Int32 = (options: SchemaOptions = {}) => Type.Integer({ format: 'int32', ...options });

export const Int64 = (options: SchemaOptions = {}) => Type.Integer({ format: 'int64', ...options });

/** Go's `time.ParseDuration` syntax without a sign: `30m`, `10m0s`, `1h30m`, `500ms`, `0`. */
export const GO_DURATION_PATTERN = '^(0|(([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+)$';

export const Duration = (description: string) =>
  Type.String({ pattern: GO_DURATION_PATTERN, description });

/** Kubernetes resource.Quantity: an integer or a string such as `100m`, `512Mi`, `1.5`. */
export const QUANTITY_PATTERN =
  '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$';

export const Quantity = (options: SchemaOptions = {}) =>
  Type.Unsafe<number | string>({
    anyOf: [{ type: 'integer' }, { type: 'string' }],
    pattern: QUANTITY_PATTERN,
    'x-kubernetes-int-or-string': true,
    ...options,
  });

/** RFC 3339 time as the apiserver serialises metav1.Time. */
export const Timestamp = (description: string) => Type.String({ format: 'date-time', description });
