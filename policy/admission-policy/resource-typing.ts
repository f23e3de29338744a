// Which resource schemas type `object`, `oldObject` and `agent` for the type-check warnings of a
// policy: as ValidatingAdmissionPolicy does, the kinds its resourceRules name explicitly (a
// wildcard group or resource is not checked), each with its CRD schema and the apiserver's
// ObjectMeta in place of the bare `metadata: {type: object}` a CRD declares.
import { apiVersionOf, CORE_GROUP, KINDS, type KindInfo } from '../../resources/kinds.ts';
import type { FieldSchema } from './variable-shapes.ts';

const text: FieldSchema = { type: 'string' };
const integer: FieldSchema = { type: 'integer' };
const stringMap: FieldSchema = { type: 'object', additionalProperties: text };

const OBJECT_META: FieldSchema = {
  type: 'object',
  properties: {
    name: text,
    generateName: text,
    namespace: text,
    selfLink: text,
    uid: text,
    resourceVersion: text,
    generation: integer,
    creationTimestamp: text,
    deletionTimestamp: text,
    deletionGracePeriodSeconds: integer,
    labels: stringMap,
    annotations: stringMap,
    finalizers: { type: 'array', items: text },
    ownerReferences: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          apiVersion: text,
          kind: text,
          name: text,
          uid: text,
          controller: { type: 'boolean' },
          blockOwnerDeletion: { type: 'boolean' },
        },
      },
    },
    managedFields: { type: 'array', items: { type: 'object', additionalProperties: true } },
  },
};

/** A resource kind the checks can type `object` as. */
export interface TypedKind {
  /** `core.orka.ai/v1alpha1, Kind=Task`, as the apiserver names a kind in its warnings */
  readonly label: string;
  readonly schema: FieldSchema;
}

function typedKind(info: KindInfo): TypedKind {
  const schema = info.schema as unknown as FieldSchema;
  return {
    label: `${apiVersionOf(info)}, Kind=${info.kind}`,
    schema: { ...schema, properties: { ...schema.properties, metadata: OBJECT_META } },
  };
}

const CORE_KINDS = KINDS.filter((info) => info.group === CORE_GROUP).map((info) => ({
  plural: info.plural,
  kind: typedKind(info),
}));

/** The Agent schema types the `agent` variable whatever the policy matches. */
export const AGENT_KIND: TypedKind = CORE_KINDS.find((k) => k.plural === 'agents')!.kind;

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];

/**
 * The kinds a policy's `matchConstraints.resourceRules` name explicitly, in KINDS order. A rule
 * with `*` in its groups or resources types nothing, as VAP skips wildcard rules.
 */
export function matchedKinds(matchConstraints: unknown): TypedKind[] {
  const rules = (matchConstraints as { resourceRules?: unknown } | null)?.resourceRules;
  if (!Array.isArray(rules)) return [];
  const plurals = new Set<string>();
  for (const rule of rules) {
    const groups = strings((rule as { apiGroups?: unknown } | null)?.apiGroups);
    if (!groups.includes(CORE_GROUP)) continue;
    for (const resource of strings((rule as { resources?: unknown }).resources)) {
      // a subresource request (tasks/status) still carries the whole object
      plurals.add(resource.split('/', 1)[0]!);
    }
  }
  return CORE_KINDS.filter((k) => plurals.has(k.plural)).map((k) => k.kind);
}
