// Kubernetes Events about Orka objects (core/v1, as `kubectl describe` shows them). Recording is
// best effort: a failed Event is logged, never fails a reconcile.
import { randomBytes } from 'node:crypto';
import type { CoreV1Api } from '@kubernetes/client-node';
import { type Clock, systemClock } from './clock.ts';
import { errorMessage } from './kube.ts';
import type { Logger } from './logger.ts';

export const EVENT_SOURCE = 'orka-controller';

export type EventType = 'Normal' | 'Warning';

/** The object an Event is about. */
export interface EventSubject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; uid?: string; resourceVersion?: string };
}

export interface EventRecorder {
  record(object: EventSubject, type: EventType, reason: string, message: string): Promise<void>;
}

export function eventRecorder(
  core: CoreV1Api,
  log: Logger,
  clock: Clock = systemClock,
): EventRecorder {
  return {
    async record(object, type, reason, message) {
      const namespace = object.metadata?.namespace || 'default';
      const name = object.metadata?.name ?? '';
      const time = new Date(clock.now()).toISOString();
      try {
        await core.createNamespacedEvent({
          namespace,
          body: {
            metadata: { name: `${name}.${randomBytes(8).toString('hex')}`, namespace },
            involvedObject: {
              apiVersion: object.apiVersion,
              kind: object.kind,
              name,
              namespace,
              uid: object.metadata?.uid,
              resourceVersion: object.metadata?.resourceVersion,
            },
            type,
            reason,
            message,
            source: { component: EVENT_SOURCE },
            reportingComponent: EVENT_SOURCE,
            firstTimestamp: new Date(time),
            lastTimestamp: new Date(time),
            count: 1,
          },
        });
      } catch (error) {
        log.warn(
          { object: `${namespace}/${name}`, reason, err: errorMessage(error) },
          'could not record event',
        );
      }
    },
  };
}
