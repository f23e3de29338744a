// The seeds' worker security table (seed 002), applied at Pod and container level so that neither
// an image default nor a missing Pod field can loosen it.
import type { V1PodSecurityContext, V1SecurityContext } from '@kubernetes/client-node';
import { WORKER_GID, WORKER_UID } from './constants.ts';

export function workerPodSecurityContext(): V1PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: WORKER_UID,
    runAsGroup: WORKER_GID,
    fsGroup: WORKER_GID,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

export function workerContainerSecurityContext(): V1SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    runAsUser: WORKER_UID,
    runAsGroup: WORKER_GID,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}
