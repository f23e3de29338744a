// The flat body of `POST /api/v1/tasks` (reference §5.2): its schema, the provenance guard on raw
// keys (§2.3), and the Task object built from it. Pure.
import { type TSchema, Type } from '@sinclair/typebox';
import { apiVersionOf, KINDS } from '../resources/kinds.ts';
import { TaskSpec } from '../resources/schemas/task.ts';
import type { KubeObject } from './kube-access.ts';

const TASK_KIND = KINDS.find((kind) => kind.kind === 'Task')!;

/** Spec fields only the API stamps; a client that sends them is refused before anything else. */
const STAMPED_FIELDS = ['requestedBy', 'transaction'] as const;

const specProperties = Object.fromEntries(
  Object.entries(TaskSpec.properties).filter(
    ([key]) => !(STAMPED_FIELDS as readonly string[]).includes(key),
  ),
) as Record<string, TSchema>;

export const TaskCreateBody = Type.Object(
  {
    name: Type.String({
      minLength: 1,
      maxLength: 253,
      description: 'Name of the Task (a DNS-1123 subdomain).',
    }),
    namespace: Type.Optional(
      Type.String({
        description:
          "Namespace of the Task; defaults to the caller's (a ServiceAccount's own, the OIDC namespace claim, tctx.namespace) or default.",
      }),
    ),
    ...specProperties,
    // Checked with Go's duration syntax by the route, so the message can say why.
    timeout: Type.Optional(
      Type.String({ description: 'Longest run (Go duration such as 30m, 1h30m).' }),
    ),
  },
  {
    additionalProperties: false,
    description:
      'A Task as flat fields: name, namespace and the fields of Task.spec (requestedBy and transaction are stamped by the API).',
  },
);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The reference's REST provenance guard: the first client-supplied provenance key, as its
 * message, or null. Reads the keys as sent, before any schema or binding.
 */
export function provenanceViolation(body: unknown): string | null {
  if (!isPlainObject(body)) return null;
  for (const key of STAMPED_FIELDS) {
    if (Object.hasOwn(body, key)) return `${key} cannot be set by clients`;
  }
  const spec = body.spec;
  if (isPlainObject(spec)) {
    for (const key of STAMPED_FIELDS) {
      if (Object.hasOwn(spec, key)) return `spec.${key} cannot be set by clients`;
    }
  }
  return null;
}

/** The Task object for a validated body, in `namespace`, before provenance is stamped. */
export function taskFromBody(body: Record<string, unknown>, namespace: string): KubeObject {
  const { name, namespace: _ignored, ...spec } = body;
  return {
    apiVersion: apiVersionOf(TASK_KIND),
    kind: 'Task',
    metadata: { name: name as string, namespace },
    spec: structuredClone(spec),
  };
}
