// The worker Pod's volumes and the worker container's mounts, in the order of reference §6.2. The
// root filesystem is read-only; only the emptyDirs /tmp, /workspace and /home/worker are writable
// (seed 002), plus /session for the init container that fills it.
import type { V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import {
  AGENT_SECRET_DIR,
  GIT_SECRET_DIR,
  HOME_DIR,
  SECRET_FILE_MODE,
  SESSION_DIR,
  TMP_DIR,
  TRANSACTION_TOKEN_DIR,
  TRANSACTION_TOKEN_KEY,
  WORKSPACE_DIR,
} from './constants.ts';

export const VOLUME_NAMES = {
  tmp: 'tmp',
  transactionToken: 'transaction-token',
  workspace: 'workspace',
  home: 'home',
  gitCredentials: 'git-credentials',
  agentSecrets: 'agent-secrets',
  sessionData: 'session-data',
} as const;

export interface VolumeInput {
  /** Secret holding a delegated transaction token (annotation orka.ai/transaction-token-secret) */
  transactionTokenSecret: string | undefined;
  /** the effective workspace's gitSecretRef */
  gitSecret: string | undefined;
  /** the runtime credentials: the Task's secretRef, else the Agent's */
  credentialsSecret: string | undefined;
  hasSession: boolean;
}

export interface WorkerVolumes {
  volumes: V1Volume[];
  workerMounts: V1VolumeMount[];
}

function secretVolume(name: string, secretName: string): V1Volume {
  return { name, secret: { secretName, defaultMode: SECRET_FILE_MODE } };
}

export function workerVolumes(input: VolumeInput): WorkerVolumes {
  const volumes: V1Volume[] = [];
  const workerMounts: V1VolumeMount[] = [];
  const add = (volume: V1Volume, mountPath: string, readOnly: boolean) => {
    volumes.push(volume);
    workerMounts.push(
      readOnly ? { name: volume.name, mountPath, readOnly } : { name: volume.name, mountPath },
    );
  };

  add({ name: VOLUME_NAMES.tmp, emptyDir: {} }, TMP_DIR, false);
  if (input.transactionTokenSecret) {
    add(
      {
        name: VOLUME_NAMES.transactionToken,
        secret: {
          secretName: input.transactionTokenSecret,
          items: [{ key: TRANSACTION_TOKEN_KEY, path: TRANSACTION_TOKEN_KEY }],
          defaultMode: SECRET_FILE_MODE,
        },
      },
      TRANSACTION_TOKEN_DIR,
      true,
    );
  }
  add({ name: VOLUME_NAMES.workspace, emptyDir: {} }, WORKSPACE_DIR, false);
  add({ name: VOLUME_NAMES.home, emptyDir: {} }, HOME_DIR, false);
  if (input.gitSecret) {
    add(secretVolume(VOLUME_NAMES.gitCredentials, input.gitSecret), GIT_SECRET_DIR, true);
  }
  if (input.credentialsSecret) {
    add(secretVolume(VOLUME_NAMES.agentSecrets, input.credentialsSecret), AGENT_SECRET_DIR, true);
  }
  if (input.hasSession) add({ name: VOLUME_NAMES.sessionData, emptyDir: {} }, SESSION_DIR, true);
  return { volumes, workerMounts };
}

/** The session init container writes the transcript; it also needs a writable /tmp. */
export function fetchSessionMounts(): V1VolumeMount[] {
  return [
    { name: VOLUME_NAMES.tmp, mountPath: TMP_DIR },
    { name: VOLUME_NAMES.sessionData, mountPath: SESSION_DIR },
  ];
}
