// The Kubernetes clients the reconcilers use, and how their errors read.
import {
  ApiException,
  BatchV1Api,
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  RbacAuthorizationV1Api,
} from '@kubernetes/client-node';

export const ORKA_GROUP = 'core.orka.ai';
export const ORKA_VERSION = 'v1alpha1';

export interface KubeApis {
  kubeConfig: KubeConfig;
  core: CoreV1Api;
  batch: BatchV1Api;
  rbac: RbacAuthorizationV1Api;
  custom: CustomObjectsApi;
}

export function kubeApis(kubeConfig: KubeConfig): KubeApis {
  return {
    kubeConfig,
    core: kubeConfig.makeApiClient(CoreV1Api),
    batch: kubeConfig.makeApiClient(BatchV1Api),
    rbac: kubeConfig.makeApiClient(RbacAuthorizationV1Api),
    custom: kubeConfig.makeApiClient(CustomObjectsApi),
  };
}

/** The HTTP status of a failed API call, or undefined for other errors (network, bugs). */
export function statusCode(error: unknown): number | undefined {
  return error instanceof ApiException ? error.code : undefined;
}

export const isNotFound = (error: unknown) => statusCode(error) === 404;
export const isConflict = (error: unknown) => statusCode(error) === 409;

/** A one-line reason: the Status message the apiserver sent, else the error's own message. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiException) {
    const body = (() => {
      if (typeof error.body !== 'string') return error.body as { message?: unknown } | undefined;
      try {
        return JSON.parse(error.body) as { message?: unknown };
      } catch {
        return undefined;
      }
    })();
    if (typeof body?.message === 'string' && body.message) return body.message;
    return `HTTP ${error.code}`;
  }
  return error instanceof Error ? error.message.split('\n')[0]! : String(error);
}

/** A client error the same request cannot fix by being sent again (bad input, forbidden). */
export function isPermanent(error: unknown): boolean {
  const code = statusCode(error);
  return code !== undefined && code >= 400 && code < 500 && code !== 409 && code !== 429;
}
