// The REST API module's public surface.
export type { ApiConfig, ApiDeps } from './context.ts';
export { ApiError, type ErrorBody, errorBody, MAX_REQUEST_BYTES } from './errors.ts';
export {
  type AccessDecision,
  type KubeAccess,
  KubeError,
  type KubeObject,
  type ListOptions,
  type ObjectList,
  type PodSummary,
  type SecretToCreate,
} from './kube-access.ts';
export { type KubeClientOptions, kubernetesAccess } from './kube-client.ts';
export { type ApiServerOptions, createApiServer } from './server.ts';
