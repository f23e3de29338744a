// Internal endpoints bind a worker to its own Task (DESIGN §7, X12): the ServiceAccount token's
// pod claim (TokenReview `user.extra`) must name a Pod that the Task's current Job owns. The API
// looks the Pod up by the claimed name; this function only decides.
import {
  type Identity,
  POD_NAME_EXTRA,
  POD_UID_EXTRA,
  parseServiceAccountUsername,
} from '../auth/identity.ts';
import { type SecurityEvent, workerBindingEvent } from './security-events.ts';

export interface PodFacts {
  name: string;
  namespace: string;
  uid: string;
  serviceAccountName: string;
  ownerReferences: { apiVersion?: string; kind?: string; name?: string; controller?: boolean }[];
}

export interface TaskFacts {
  name: string;
  namespace: string;
  /** `status.jobName` */
  jobName: string;
}

export type BindingResult =
  | { ok: true }
  | { ok: false; status: 403; message: string; reason: string; event: SecurityEvent };

function firstExtra(identity: Identity, key: string): string {
  return identity.extra[key]?.[0] ?? '';
}

/** The Pod name the token was bound to, or "" (the API then refuses without looking anything up). */
export function claimedPodName(identity: Identity): string {
  return identity.authType === 'serviceAccount' ? firstExtra(identity, POD_NAME_EXTRA) : '';
}

export function verifyWorkerBinding(
  identity: Identity,
  task: TaskFacts,
  pod: PodFacts | null,
  ip: string,
): BindingResult {
  const deny = (reason: string): BindingResult => ({
    ok: false,
    status: 403,
    message: 'cross-namespace access denied',
    reason,
    event: workerBindingEvent(identity, `${task.namespace}/${task.name}`, reason, ip),
  });
  if (identity.authType !== 'serviceAccount') return deny('not a ServiceAccount token');
  const serviceAccount = parseServiceAccountUsername(identity.username);
  if (serviceAccount === null) return deny('not a ServiceAccount token');
  if (serviceAccount.namespace !== task.namespace)
    return deny('ServiceAccount of another namespace');
  const podName = claimedPodName(identity);
  if (podName === '') return deny('token is not bound to a pod');
  if (pod === null || pod.name !== podName) return deny(`pod "${podName}" not found`);
  if (pod.namespace !== task.namespace) return deny('pod in another namespace');
  const podUid = firstExtra(identity, POD_UID_EXTRA);
  if (podUid !== '' && podUid !== pod.uid)
    return deny('pod was replaced since the token was issued');
  if (pod.serviceAccountName !== serviceAccount.name) {
    return deny('pod runs as another ServiceAccount');
  }
  if (task.jobName === '') return deny('task has no job');
  const ownedByJob = pod.ownerReferences.some(
    (owner) =>
      owner.kind === 'Job' &&
      owner.apiVersion === 'batch/v1' &&
      owner.name === task.jobName &&
      owner.controller === true,
  );
  if (!ownedByJob) return deny(`pod is not owned by job "${task.jobName}"`);
  return { ok: true };
}
