// What the chain needs from the resource model (resources/): CRD defaulting, schema validation
// worded as the apiserver words it, effective values, and the managed provenance keys.
import { applyDefaults } from '../../resources/defaults.ts';
import { effectiveValues } from '../../resources/effective.ts';
import { kindOf } from '../../resources/kinds.ts';
import { MANAGED_ANNOTATION_KEYS, MANAGED_LABEL_KEYS } from '../../resources/labels.ts';
import { formatFieldError, validateResource } from '../../resources/validate.ts';
import type { ManagedKeys } from '../admission-policy/provenance.ts';
import type { KubeObject } from './request.ts';

export interface ResourceModel {
  /** true when `object` is an Orka resource the model knows (defaulting and schema apply) */
  isOrkaResource(object: KubeObject): boolean;
  applyDefaults(object: KubeObject): KubeObject;
  /** apiserver-worded messages (`spec.priority: Invalid value: ...`); empty when valid */
  validate(object: KubeObject, oldObject: KubeObject | null): string[];
  /** the `effective` variable for a Task and its Agent (or null when unknown) */
  effectiveValues(task: KubeObject, agent: KubeObject | null): Record<string, unknown>;
  managedKeys: ManagedKeys;
}

/** The resource model of resources/: CRD defaults, schema validation, effective values, keys. */
export const orkaResources: ResourceModel = {
  isOrkaResource: (object) => kindOf(object) !== undefined,
  applyDefaults: (object) => applyDefaults(object),
  validate(object, oldObject) {
    const result = validateResource(object, oldObject ?? undefined);
    return result.valid ? [] : result.errors.map(formatFieldError);
  },
  effectiveValues: (task, agent) =>
    effectiveValues(
      task as unknown as Parameters<typeof effectiveValues>[0],
      agent as unknown as Parameters<typeof effectiveValues>[1],
    ) as unknown as Record<string, unknown>,
  managedKeys: { labels: MANAGED_LABEL_KEYS, annotations: MANAGED_ANNOTATION_KEYS },
};
