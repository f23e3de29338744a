// The caller's own RBAC, asked with a SubjectAccessReview before the API writes or reads with the
// controller's credentials (DESIGN §7): the API never lets anyone do what kubectl would not.
import type { FastifyRequest } from 'fastify';
import { type ApiDeps, callerOf, logSecurityEvent } from './context.ts';
import { ApiError } from './errors.ts';
import type { ResourceAccess } from './kube-access.ts';

/** 403 naming the caller, verb, resource and namespace unless RBAC allows it; logged. */
export async function requireRbac(
  deps: ApiDeps,
  request: FastifyRequest,
  namespace: string,
  access: ResourceAccess,
): Promise<void> {
  const identity = callerOf(request);
  const decision = await deps.kube.reviewAccess(identity, namespace, access);
  if (decision.allowed) return;
  logSecurityEvent(deps.log, {
    level: 'warn',
    msg: 'request denied by RBAC',
    fields: {
      username: identity.username,
      namespace,
      verb: access.verb,
      resource: access.resource,
      reason: decision.reason,
      ip: request.ip,
    },
  });
  throw new ApiError(
    403,
    `user "${identity.username}" cannot ${access.verb} ${access.resource} in namespace "${namespace}"`,
  );
}
