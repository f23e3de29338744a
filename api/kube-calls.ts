// How client-node failures become KubeError (the apiserver's status and Status message, never the
// request), shared by the KubeAccess implementation's files.
import { ApiException } from '@kubernetes/client-node';
import { KubeError } from './kube-access.ts';

function statusOf(error: unknown): { status: number; reason: string; message: string } | null {
  if (!(error instanceof ApiException)) return null;
  let body: { reason?: unknown; message?: unknown } = {};
  try {
    body = typeof error.body === 'string' ? JSON.parse(error.body) : (error.body ?? {});
  } catch {
    body = {};
  }
  return {
    status: error.code,
    reason: typeof body.reason === 'string' ? body.reason : '',
    message: typeof body.message === 'string' ? body.message : `HTTP ${error.code}`,
  };
}

/** Rethrows any client failure as a KubeError (no request details, only the apiserver's answer). */
export function toKubeError(error: unknown): KubeError {
  const status = statusOf(error);
  if (status) return new KubeError(status.status, status.reason, status.message);
  const code = (error as { code?: unknown })?.code;
  return new KubeError(
    503,
    'ServiceUnavailable',
    `kubernetes API unreachable (${String(code ?? 'error')})`,
  );
}

/** The call's answer, null when the apiserver says 404. */
export async function orNull<T>(call: Promise<T>): Promise<T | null> {
  try {
    return await call;
  } catch (error) {
    if (statusOf(error)?.status === 404) return null;
    throw toKubeError(error);
  }
}

export async function rethrowing<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    throw toKubeError(error);
  }
}
