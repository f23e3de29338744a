// The REST API module's public surface.
export type { ApiConfig, ApiDeps } from './context.ts';
export { ApiError, type ErrorBody, errorBody, MAX_REQUEST_BYTES } from './errors.ts';
export {
  type AccessDecision,
  type KubeAccess,
  KubeError,
  type KubeObject,
  type ListOptions,
  type LogFollow,
  type ObjectList,
  type PodSummary,
  type ReadOptions,
  type ResourceAccess,
  type SecretSummary,
  type SecretToCreate,
} from './kube-access.ts';
export {
  type CachedKubeAccess,
  type CachedKubeAccessOptions,
  cachedKubeAccess,
  type KubeCacheSources,
  type ObjectCacheSource,
} from './kube-cache.ts';
export { type KubeClientOptions, kubernetesAccess } from './kube-client.ts';
export { type KubeCacheOptions, type RunningKubeCache, startKubeCache } from './kube-informers.ts';
export { ApiMetrics } from './metrics.ts';
export { type ApiServerOptions, createApiServer, type ReadCacheOption } from './server.ts';
