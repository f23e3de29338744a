// What the chain needs from the resource model (resources/): CRD defaulting, schema validation
// worded as the apiserver words it, effective values, and the managed provenance keys.
import { applyDefaults } from '../../resources/defaults.ts';
import { effectiveValues } from '../../resources/effective.ts';
import { kindOf } from '../../resources/kinds.ts';
import { MANAGED_ANNOTATION_KEYS, MANAGED_LABEL_KEYS } from '../../resources/labels.ts';
import {
  type FieldError,
  formatFieldError,
  validateOwnedResource,
} from '../../resources/validate.ts';
import type { ManagedKeys } from '../admission-policy/provenance.ts';
import { forSchemaValidation, isNumbersOnly } from './plain-json.ts';
import type { KubeObject } from './request.ts';

export interface ResourceModel {
  /** true when `object` is an Orka resource the model knows (defaulting and schema apply) */
  isOrkaResource(object: KubeObject): boolean;
  applyDefaults(object: KubeObject): KubeObject;
  /**
   * apiserver-worded messages (`spec.priority: Invalid value: ...`); empty when valid.
   * `defaulted`: the object is as applyDefaults returned it, so its defaults are not applied again.
   */
  validate(object: KubeObject, oldObject: KubeObject | null, defaulted?: boolean): string[];
  /** the `effective` variable for a Task and its Agent (or null when unknown) */
  effectiveValues(task: KubeObject, agent: KubeObject | null): Record<string, unknown>;
  managedKeys: ManagedKeys;
}

/** The value at an apiserver field path (`spec.items[0].count`), undefined when absent. */
function valueAtFieldPath(object: unknown, path: string): unknown {
  let current = object;
  for (const token of path.match(/[^.[\]]+/g) ?? []) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[token];
  }
  return current;
}

/** The validator saw a BigInt as its nearest double; its message shows the exact digits again. */
function withExactInteger(error: FieldError, object: KubeObject): FieldError {
  const exact = valueAtFieldPath(object, error.path);
  if (typeof exact !== 'bigint') return error;
  return { ...error, message: error.message.replaceAll(String(Number(exact)), exact.toString()) };
}

/** The resource model of resources/: CRD defaults, schema validation, effective values, keys. */
export const orkaResources: ResourceModel = {
  isOrkaResource: (object) => kindOf(object) !== undefined,
  applyDefaults: (object) => applyDefaults(object),
  validate(object, oldObject, defaulted = false) {
    // forSchemaValidation makes fresh copies, so the validator may default them in place; an
    // object defaulted already is only read, so it needs a copy only when it is not numbers-only
    const readable = defaulted && isNumbersOnly(object) ? object : forSchemaValidation(object);
    const result = validateOwnedResource(
      readable as KubeObject,
      oldObject === null ? undefined : (forSchemaValidation(oldObject) as KubeObject),
      defaulted,
    );
    return result.valid
      ? []
      : result.errors.map((error) => formatFieldError(withExactInteger(error, object)));
  },
  effectiveValues: (task, agent) =>
    effectiveValues(
      task as unknown as Parameters<typeof effectiveValues>[0],
      agent as unknown as Parameters<typeof effectiveValues>[1],
    ) as unknown as Record<string, unknown>,
  managedKeys: { labels: MANAGED_LABEL_KEYS, annotations: MANAGED_ANNOTATION_KEYS },
};
