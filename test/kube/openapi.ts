// The OpenAPI v3 documents kubectl reads before it writes: `kubectl apply` asks /openapi/v3 whether
// the server validates fields itself (a PATCH operation of the object's group-version-kind with a
// `fieldValidation` query parameter) and, when it does, leaves validation to the server, as it does
// against a real apiserver. The documents carry paths and operations only, no schemas.
import type { Registry } from './registry.ts';
import { apiVersionOf, isReviewType, type ResourceType } from './resource-types.ts';

/** `api/v1` or `apis/<group>/<version>`: the keys of the root document, as client-go builds them. */
function groupVersionPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

const QUERY_PARAMETERS = ['dryRun', 'fieldManager', 'fieldValidation', 'force'].map((name) => ({
  name,
  in: 'query',
  schema: { type: 'string' },
}));

function itemPath(t: ResourceType, version: string): string {
  const scope = t.namespaced ? '/namespaces/{namespace}' : '';
  return `/${groupVersionPath(t.group, version)}${scope}/${t.plural}/{name}`;
}

/** The root document: one entry per served group-version, its URL tagged with a revision. */
export function openApiV3Root(registry: Registry, revision: string): Record<string, unknown> {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const t of registry.all()) {
    for (const version of t.versions) {
      const key = groupVersionPath(t.group, version);
      paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${revision}` };
    }
  }
  return { paths };
}

/**
 * The document of one group-version (`segments` after /openapi/v3, e.g. ['apis','apps','v1']),
 * or undefined when that group-version is not served.
 */
export function openApiV3GroupVersion(
  registry: Registry,
  segments: readonly string[],
): Record<string, unknown> | undefined {
  const [prefix, ...rest] = segments;
  const [group, version] =
    prefix === 'api' && rest.length === 1
      ? ['', rest[0]!]
      : prefix === 'apis' && rest.length === 2
        ? [rest[0]!, rest[1]!]
        : [undefined, undefined];
  if (group === undefined || version === undefined) return undefined;
  const types = registry
    .all()
    .filter((t) => t.group === group && t.versions.includes(version) && !isReviewType(t));
  if (types.length === 0 && !registry.hasGroupVersion(group, version)) return undefined;
  const paths: Record<string, unknown> = {};
  for (const t of types) {
    paths[itemPath(t, version)] = {
      patch: {
        operationId: `patch${t.kind}`,
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': { group, version, kind: t.kind },
        parameters: QUERY_PARAMETERS,
        responses: { '200': { description: 'OK' } },
      },
    };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: apiVersionOf(group, version) },
    paths,
    components: { schemas: {} },
  };
}
