// The bodies of the Agent write routes (reference §5.1): their schemas, the Agent built from a
// create body, and the merge patch that replaces an Agent's spec. Pure.
import { isDeepStrictEqual } from 'node:util';
import { Type } from '@sinclair/typebox';
import { apiVersionOf, KINDS } from '../resources/kinds.ts';
import { ApiError } from './errors.ts';
import type { KubeObject } from './kube-access.ts';

const AGENT_KIND = KINDS.find((kind) => kind.kind === 'Agent')!;
export const AGENT_API_VERSION = apiVersionOf(AGENT_KIND);

// The spec is checked by the resource model (validateResource), which names every bad field at
// once; the request schema only asks for an object.
const AgentSpecBody = Type.Object(
  {},
  {
    additionalProperties: true,
    description: 'An Agent spec (core.orka.ai/v1alpha1), checked against the Agent schema.',
  },
);

const StringMap = Type.Record(Type.String(), Type.String());

export const AgentCreateBody = Type.Object(
  {
    apiVersion: Type.Optional(Type.String({ enum: [AGENT_API_VERSION] })),
    kind: Type.Optional(Type.String({ enum: ['Agent'] })),
    name: Type.Optional(Type.String({ description: 'Agent name, or give metadata.name.' })),
    namespace: Type.Optional(
      Type.String({ description: "Target namespace (or metadata.namespace); else the caller's." }),
    ),
    metadata: Type.Optional(
      Type.Object(
        {
          name: Type.Optional(Type.String()),
          namespace: Type.Optional(Type.String()),
          labels: Type.Optional(StringMap),
          annotations: Type.Optional(StringMap),
        },
        { additionalProperties: false },
      ),
    ),
    spec: AgentSpecBody,
  },
  {
    additionalProperties: false,
    description: 'An Agent to create: a Kubernetes-style object, or name/namespace beside spec.',
  },
);

export const AgentUpdateBody = Type.Object(
  { spec: AgentSpecBody },
  { additionalProperties: false, description: "The Agent's new spec; it replaces the old one." },
);

export interface AgentCreateRequest {
  name?: string;
  namespace?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec: Record<string, unknown>;
}

/** One value given in two places must agree: `name` and `metadata.name`, say. */
function oneOf(field: string, flat: string | undefined, nested: string | undefined): string {
  if (flat && nested && flat !== nested) {
    throw new ApiError(
      400,
      `${field} ${JSON.stringify(flat)} and metadata.${field} ${JSON.stringify(nested)} differ`,
    );
  }
  return flat || nested || '';
}

/** The namespace the body names ('' when it names none). */
export function requestedAgentNamespace(body: AgentCreateRequest): string {
  return oneOf('namespace', body.namespace, body.metadata?.namespace);
}

export function agentFromBody(body: AgentCreateRequest, namespace: string): KubeObject {
  const name = oneOf('name', body.name, body.metadata?.name);
  if (name === '') throw new ApiError(400, 'name is required');
  return {
    apiVersion: AGENT_API_VERSION,
    kind: 'Agent',
    metadata: {
      name,
      namespace,
      ...(body.metadata?.labels ? { labels: body.metadata.labels } : {}),
      ...(body.metadata?.annotations ? { annotations: body.metadata.annotations } : {}),
    },
    spec: body.spec,
  };
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The JSON merge patch (RFC 7386) that turns `current` into `desired`: removed keys become null,
 * so applying it replaces rather than merges. `{}` when they are equal.
 */
export function mergePatchBetween(
  current: Record<string, unknown>,
  desired: Record<string, unknown>,
): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const key of Object.keys(current)) if (!(key in desired)) patch[key] = null;
  for (const [key, value] of Object.entries(desired)) {
    const old = current[key];
    if (isDeepStrictEqual(old, value)) continue;
    patch[key] = isPlainObject(old) && isPlainObject(value) ? mergePatchBetween(old, value) : value;
  }
  return patch;
}
