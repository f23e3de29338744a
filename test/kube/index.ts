// The in-process Kubernetes API stand-in for tests: start one, point @kubernetes/client-node at it.
export type { AdmissionCall, ServiceReference, ServiceResolver } from './admission.ts';
export { warningHeader } from './admission.ts';
export type {
  AccessRule,
  AuthorizationDecision,
  AuthorizationRequest,
  Authorizer,
} from './authorizer.ts';
export { allowAll, forbiddenMessage, ruleAllows, ruleAuthorizer } from './authorizer.ts';
export type { DeleteOptions, PatchType, RequestScope } from './cluster.ts';
export { Cluster, GC_USER } from './cluster.ts';
export type { FailureSpec } from './faults.ts';
export type { UserInfo } from './identities.ts';
export { DEFAULT_AUDIENCE, ISSUER } from './identities.ts';
export type { KubeconfigTarget } from './kubeconfig.ts';
export { kubeconfigYaml, makeKubeConfig, writeKubeconfigFile } from './kubeconfig.ts';
export type { OrkaComponent, PolicyRule } from './rbac.ts';
export {
  COMPONENT_SERVICE_ACCOUNTS,
  componentOf,
  componentRbacAuthorizer,
  componentUser,
  componentUsername,
  policyRuleAllows,
  RELEASE_NAMESPACE,
  storedRbacAuthorizer,
} from './rbac.ts';
export type { ResourceType, Schema } from './resource-types.ts';
export type {
  KubeStandin,
  KubeStandinOptions,
  RbacAuditRecord,
  RequestRecord,
} from './server.ts';
export { RBAC_AUDIT_DIR_ENV, startKubeStandin } from './server.ts';
export type { KubeStatus } from './status.ts';
export { StatusError } from './status.ts';
export type { KubeObject, ObjectMeta, OwnerReference } from './store.ts';
export type { CertificateAuthority, ServingCertificate } from './tls.ts';
export { createCertificateAuthority, issueServingCertificate } from './tls.ts';
