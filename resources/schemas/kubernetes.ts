// Core Kubernetes shapes the Orka resources embed, as structural schemas. Affinity keeps its three
// parts open (preserve-unknown-fields): spelling out the whole scheduling API adds nothing here,
// the apiserver validates it again when the worker Pod is created.
import { Type } from '@sinclair/typebox';
import { Int64, Obj, OpenObj, Quantity, StringEnum, StringMap } from './shapes.ts';

export const LocalObjectReference = Obj(
  {
    name: Type.Optional(
      Type.String({ default: '', description: 'Name of the referent in the same namespace.' }),
    ),
  },
  { description: 'A reference to an object in the same namespace.' },
);

/** `{name, namespace?}` where the namespace defaults to the referrer's. */
export const NamespacedReference = (description: string) =>
  Obj(
    {
      name: Type.String({ minLength: 1, description: 'Name of the referent.' }),
      namespace: Type.Optional(
        Type.String({ description: "Namespace of the referent; defaults to this object's." }),
      ),
    },
    { description },
  );

export const ConfigMapKeyReference = (description: string) =>
  Obj(
    {
      name: Type.String({ minLength: 1, description: 'Name of the ConfigMap.' }),
      key: Type.String({ minLength: 1, description: 'Key within the ConfigMap.' }),
    },
    { description },
  );

export const ResourceRequirements = Obj(
  {
    limits: Type.Optional(
      StringMap(Quantity(), {
        description: 'Maximum amount of compute resources allowed (e.g. cpu: "1", memory: 512Mi).',
      }),
    ),
    requests: Type.Optional(
      StringMap(Quantity(), {
        description: 'Minimum amount of compute resources required (e.g. cpu: 100m).',
      }),
    ),
    claims: Type.Optional(
      Type.Array(
        Obj({
          name: Type.String({ description: 'Name of a resource claim of the Pod.' }),
          request: Type.Optional(Type.String({ description: 'Request within the claim.' })),
        }),
        {
          description: 'Dynamically allocated resources (DRA) used by the container.',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['name'],
        },
      ),
    ),
  },
  { description: 'Compute resources of the worker container (core/v1 ResourceRequirements).' },
);

export const Toleration = Obj(
  {
    key: Type.Optional(Type.String({ description: 'Taint key the toleration applies to.' })),
    operator: Type.Optional(
      Type.String({ description: 'Exists or Equal (the default when empty).' }),
    ),
    value: Type.Optional(Type.String({ description: 'Taint value matched with operator Equal.' })),
    effect: Type.Optional(
      Type.String({
        description:
          'Taint effect to match: NoSchedule, PreferNoSchedule or NoExecute; empty for all.',
      }),
    ),
    tolerationSeconds: Type.Optional(
      Int64({ description: 'How long a NoExecute taint is tolerated before eviction.' }),
    ),
  },
  { description: 'A core/v1 Toleration for the worker Pod.' },
);

export const Affinity = Obj(
  {
    nodeAffinity: Type.Optional(OpenObj({ description: 'core/v1 NodeAffinity.' })),
    podAffinity: Type.Optional(OpenObj({ description: 'core/v1 PodAffinity.' })),
    podAntiAffinity: Type.Optional(OpenObj({ description: 'core/v1 PodAntiAffinity.' })),
  },
  { description: 'Scheduling constraints of the worker Pod (core/v1 Affinity).' },
);

const KeySelector = (what: string) =>
  Obj(
    {
      name: Type.Optional(Type.String({ description: `Name of the ${what}.` })),
      key: Type.String({ description: `Key within the ${what}.` }),
      optional: Type.Optional(Type.Boolean({ description: `Whether the ${what} may be missing.` })),
    },
    { description: `Selects a key of a ${what}.` },
  );

export const EnvVar = Obj(
  {
    name: Type.String({ minLength: 1, description: 'Name of the environment variable.' }),
    value: Type.Optional(Type.String({ description: 'Literal value; "$(VAR)" is expanded.' })),
    valueFrom: Type.Optional(
      Obj(
        {
          configMapKeyRef: Type.Optional(KeySelector('ConfigMap')),
          secretKeyRef: Type.Optional(KeySelector('Secret')),
          fieldRef: Type.Optional(
            Obj(
              {
                apiVersion: Type.Optional(
                  Type.String({ description: 'Schema version of fieldPath.' }),
                ),
                fieldPath: Type.String({
                  description: 'Path of the Pod field, e.g. metadata.name.',
                }),
              },
              { description: 'Selects a field of the Pod.' },
            ),
          ),
          resourceFieldRef: Type.Optional(
            Obj(
              {
                containerName: Type.Optional(Type.String({ description: 'Container name.' })),
                divisor: Type.Optional(Quantity({ description: 'Output unit, default 1.' })),
                resource: Type.String({ description: 'Resource to select, e.g. limits.cpu.' }),
              },
              { description: 'Selects a resource of the container.' },
            ),
          ),
        },
        { description: 'Source of the value when value is not set.' },
      ),
    ),
  },
  { description: 'An environment variable of the worker container (core/v1 EnvVar).' },
);

export const LabelSelector = (description: string) =>
  Obj(
    {
      matchLabels: Type.Optional(
        StringMap(Type.String(), {
          description: 'Labels that must all be present with these values.',
        }),
      ),
      matchExpressions: Type.Optional(
        Type.Array(
          Obj({
            key: Type.String({ description: 'The label key.' }),
            operator: StringEnum(['In', 'NotIn', 'Exists', 'DoesNotExist'], {
              description: "The key's relation to the values.",
            }),
            values: Type.Optional(
              Type.Array(Type.String(), {
                description: 'Values for In and NotIn; empty for Exists and DoesNotExist.',
              }),
            ),
          }),
          { description: 'Requirements that must all hold.' },
        ),
      ),
    },
    { description, 'x-kubernetes-map-type': 'atomic' },
  );

export const Condition = Obj(
  {
    type: Type.String({
      minLength: 1,
      maxLength: 316,
      description: 'Type of condition, e.g. Ready.',
    }),
    status: StringEnum(['True', 'False', 'Unknown'], { description: 'Status of the condition.' }),
    observedGeneration: Type.Optional(
      Int64({ minimum: 0, description: 'The .metadata.generation the condition was set for.' }),
    ),
    lastTransitionTime: Type.String({
      format: 'date-time',
      description: 'When the condition last changed status.',
    }),
    reason: Type.String({
      maxLength: 1024,
      description: 'CamelCase reason for the last transition.',
    }),
    message: Type.String({ maxLength: 32768, description: 'Human-readable details.' }),
  },
  { description: 'A metav1.Condition.' },
);

export const conditionsList = (description: string) =>
  Type.Array(Condition, {
    description,
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-list-map-keys': ['type'],
  });
