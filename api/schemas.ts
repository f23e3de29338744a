// Shared request schemas of the routes (TypeBox → JSON Schema, checked by validation.ts and
// published by openapi.ts).
import { Type } from '@sinclair/typebox';

export const NamespaceQuery = Type.Object(
  {
    namespace: Type.Optional(
      Type.String({ description: "Target namespace; defaults to the caller's, else default." }),
    ),
  },
  { additionalProperties: false },
);

export const TaskParams = Type.Object(
  { id: Type.String({ minLength: 1, description: 'Task name.' }) },
  { additionalProperties: false },
);

export const InternalTaskParams = Type.Object(
  {
    namespace: Type.String({ minLength: 1, description: "The worker's namespace." }),
    taskName: Type.String({ minLength: 1, description: "The worker's Task." }),
  },
  { additionalProperties: false },
);

export const TaskObject = Type.Object(
  {
    apiVersion: Type.String(),
    kind: Type.String(),
    metadata: Type.Object({}, { additionalProperties: true }),
    spec: Type.Object({}, { additionalProperties: true }),
    status: Type.Optional(Type.Object({}, { additionalProperties: true })),
  },
  { description: 'A core.orka.ai/v1alpha1 Task as stored by Kubernetes.' },
);

export const ListEnvelope = (item: object) =>
  Type.Object({
    items: Type.Array(Type.Unsafe(item)),
    metadata: Type.Object({
      continue: Type.Optional(Type.String()),
      remainingItemCount: Type.Optional(Type.Integer()),
    }),
  });
