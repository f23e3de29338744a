// Warn and Audit outcomes are recorded as Events on the object (DESIGN §4) so a team rolling a
// policy out can see what it would have refused; never for dry-run requests (the webhooks declare
// sideEffects: NoneOnDryRun). Recording never delays or fails an admission.
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';

export interface EventSubject {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string;
  uid?: string;
}

export interface PolicyEvent {
  subject: EventSubject;
  reason: 'PolicyWarning' | 'PolicyAudit';
  message: string;
}

export interface EventRecorder {
  record(event: PolicyEvent): void;
}

export const NO_EVENTS: EventRecorder = { record: () => undefined };

const MAX_MESSAGE = 1024;

export function clientNodeEventRecorder(
  kubeConfig: KubeConfig,
  options: { component: string; onError?: (message: string) => void },
): EventRecorder {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  return {
    record({ subject, reason, message }) {
      // Cluster-scoped objects (AdmissionPolicies) get their Events in `default`, as kubectl shows them.
      const namespace = subject.namespace || 'default';
      const now = new Date();
      core
        .createNamespacedEvent({
          namespace,
          body: {
            metadata: { generateName: `${subject.name || 'object'}.`, namespace },
            involvedObject: {
              apiVersion: subject.apiVersion,
              kind: subject.kind,
              name: subject.name,
              ...(subject.namespace ? { namespace: subject.namespace } : {}),
              ...(subject.uid ? { uid: subject.uid } : {}),
            },
            reason,
            message: message.slice(0, MAX_MESSAGE),
            type: 'Warning',
            source: { component: options.component },
            firstTimestamp: now,
            lastTimestamp: now,
            count: 1,
          },
        })
        .catch((error: unknown) =>
          options.onError?.(`recording ${reason} Event failed: ${(error as Error).message}`),
        );
    },
  };
}
