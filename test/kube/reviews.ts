// The computed, never-stored kinds: TokenReview, SelfSubjectReview, the SubjectAccessReview
// family, and TokenRequest (serviceaccounts/token).
import type { AuthorizationRequest, Authorizer } from './authorizer.ts';
import type { Identities, UserInfo } from './identities.ts';
import { DEFAULT_AUDIENCE } from './identities.ts';
import { badRequest, invalid, notFound, StatusError } from './status.ts';
import type { KubeObject } from './store.ts';

type Obj = Record<string, unknown>;

export async function tokenReview(identities: Identities, body: Obj): Promise<Obj> {
  const spec = (body.spec ?? {}) as { token?: string; audiences?: string[] };
  if (!spec.token) {
    throw invalid('TokenReview', 'authentication.k8s.io', '', [
      {
        field: 'spec.token',
        reason: 'FieldValueRequired',
        message: 'Required value: token must not be empty',
      },
    ]);
  }
  const verdict = await identities.authenticate(spec.token, spec.audiences ?? []);
  const status: Obj = verdict
    ? {
        authenticated: true,
        user: verdict.user,
        audiences: verdict.audiences.length ? verdict.audiences : [DEFAULT_AUDIENCE],
      }
    : { user: {}, error: '[invalid bearer token, token lookup failed]' };
  return {
    kind: 'TokenReview',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { creationTimestamp: null },
    spec,
    status,
  };
}

export function selfSubjectReview(user: UserInfo): Obj {
  return {
    kind: 'SelfSubjectReview',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { creationTimestamp: null },
    status: { userInfo: user },
  };
}

interface SarSpec {
  user?: string;
  groups?: string[];
  uid?: string;
  extra?: Record<string, string[]>;
  resourceAttributes?: {
    namespace?: string;
    verb?: string;
    group?: string;
    version?: string;
    resource?: string;
    subresource?: string;
    name?: string;
  };
  nonResourceAttributes?: { path?: string; verb?: string };
}

/**
 * kind: SubjectAccessReview (asks about spec.user), SelfSubjectAccessReview (about the caller) or
 * LocalSubjectAccessReview (SubjectAccessReview confined to the URL's namespace).
 */
export async function accessReview(
  kind: string,
  authorizer: Authorizer,
  caller: UserInfo,
  body: Obj,
  urlNamespace: string,
): Promise<Obj> {
  const spec = (body.spec ?? {}) as SarSpec;
  const ra = spec.resourceAttributes;
  const nra = spec.nonResourceAttributes;
  if (!!ra === !!nra) {
    throw invalid(kind, 'authorization.k8s.io', '', [
      {
        field: 'spec.resourceAttributes',
        reason: 'FieldValueInvalid',
        message:
          'Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified',
      },
    ]);
  }
  let user: UserInfo;
  if (kind === 'SelfSubjectAccessReview') user = caller;
  else {
    if (!spec.user && !(spec.groups ?? []).length) {
      throw invalid(kind, 'authorization.k8s.io', '', [
        {
          field: 'spec.user',
          reason: 'FieldValueInvalid',
          message: 'Invalid value: "": at least one of user or group must be specified',
        },
      ]);
    }
    user = {
      username: spec.user ?? '',
      groups: spec.groups ?? [],
      ...(spec.uid ? { uid: spec.uid } : {}),
      ...(spec.extra ? { extra: spec.extra } : {}),
    };
  }
  if (kind === 'LocalSubjectAccessReview' && ra && ra.namespace !== urlNamespace) {
    throw badRequest(`spec.resourceAttributes.namespace must match namespace: ${urlNamespace}`);
  }
  const request: AuthorizationRequest = ra
    ? {
        user,
        resource: {
          verb: ra.verb ?? '',
          group: ra.group ?? '',
          resource: ra.resource ?? '',
          ...(ra.version ? { version: ra.version } : {}),
          ...(ra.subresource ? { subresource: ra.subresource } : {}),
          ...(ra.namespace ? { namespace: ra.namespace } : {}),
          ...(ra.name ? { name: ra.name } : {}),
        },
      }
    : { user, nonResource: { verb: nra!.verb ?? '', path: nra!.path ?? '' } };
  const decision = await authorizer(request);
  const status: Obj = { allowed: decision.allowed };
  if (decision.denied) status.denied = true;
  if (decision.reason) status.reason = decision.reason;
  const metadata: Obj = { creationTimestamp: null };
  if (urlNamespace) metadata.namespace = urlNamespace;
  return { kind, apiVersion: 'authorization.k8s.io/v1', metadata, spec, status };
}

export async function tokenRequest(
  identities: Identities,
  serviceAccount: KubeObject | undefined,
  namespace: string,
  name: string,
  body: Obj,
  findBound: (kind: string, name: string) => KubeObject | undefined,
): Promise<Obj> {
  if (!serviceAccount) throw notFound({ group: '', resource: 'serviceaccounts' }, name);
  const spec = (body.spec ?? {}) as {
    audiences?: string[];
    expirationSeconds?: number;
    boundObjectRef?: { kind: string; name: string; uid?: string; apiVersion?: string };
  };
  const expirationSeconds = spec.expirationSeconds ?? 3600;
  if (expirationSeconds < 600) {
    throw invalid('TokenRequest', 'authentication.k8s.io', name, [
      {
        field: 'spec.expirationSeconds',
        reason: 'FieldValueInvalid',
        message:
          'Invalid value: ' +
          expirationSeconds +
          ': may not specify a duration less than 10 minutes',
      },
    ]);
  }
  let boundObject: { kind: 'Pod' | 'Secret'; name: string; uid: string } | undefined;
  if (spec.boundObjectRef) {
    const ref = spec.boundObjectRef;
    if (ref.kind !== 'Pod' && ref.kind !== 'Secret') {
      throw badRequest(`cannot bind token to object of kind ${ref.kind}`);
    }
    const bound = findBound(ref.kind, ref.name);
    if (!bound)
      throw notFound({ group: '', resource: ref.kind === 'Pod' ? 'pods' : 'secrets' }, ref.name);
    if (ref.uid && ref.uid !== bound.metadata.uid) {
      throw new StatusError(
        409,
        'Conflict',
        `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`,
      );
    }
    boundObject = { kind: ref.kind, name: ref.name, uid: bound.metadata.uid! };
  }
  const audiences = spec.audiences?.length ? spec.audiences : [DEFAULT_AUDIENCE];
  const { token, expiresAt } = await identities.issueServiceAccountToken({
    namespace,
    name,
    uid: serviceAccount.metadata.uid!,
    audiences,
    expirationSeconds,
    ...(boundObject ? { boundObject } : {}),
  });
  return {
    kind: 'TokenRequest',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { name, namespace, creationTimestamp: null },
    spec: { ...spec, audiences, expirationSeconds },
    status: { token, expirationTimestamp: expiresAt.toISOString().replace(/\.\d+Z$/, 'Z') },
  };
}
