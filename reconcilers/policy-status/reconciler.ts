// The AdmissionPolicy status reconciler: an informer over the cluster's AdmissionPolicies, a work
// queue keyed by policy name, and a write of `status` through the status subresource whenever
// what self-admission finds (status.ts) differs from what the policy says. Policies created while
// the webhooks were absent are the ones that need it: their status says why they are not in force.
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import type { ExpressionCompiler } from '../../policy/admission-policy/compile.ts';
import { createExpressionCompiler } from '../../policy/admission-policy/expression-compiler.ts';
import { POLICY_GROUP, VERSION } from '../../resources/kinds.ts';
import type { AdmissionPolicy } from '../../resources/types.ts';
import { backoff, done, type ReconcileAction } from '../runtime/action.ts';
import { type Clock, kubeTime, systemClock } from '../runtime/clock.ts';
import { DEFAULT_RESYNC_MS, Informer } from '../runtime/informer.ts';
import { isConflict, isNotFound } from '../runtime/kube.ts';
import type { Logger } from '../runtime/logger.ts';
import { WorkQueue } from '../runtime/queue.ts';
import { runWorkers } from '../runtime/runner.ts';
import { desiredPolicyStatus, statusDiffers } from './status.ts';

const PLURAL = 'admissionpolicies';

export interface PolicyStatusOptions {
  log: Logger;
  clock?: Clock;
  /** the compiler the webhook uses; a fresh default one when absent */
  compiler?: ExpressionCompiler;
  /** 0 disables resync; default five minutes */
  resyncMs?: number;
  /** policies reconciled at once; default 2 */
  workers?: number;
}

export interface RunningPolicyStatusReconciler {
  informer: Informer<AdmissionPolicy>;
  queue: WorkQueue;
  /** Stops the informer and lets in-flight reconciles finish. */
  stop(): Promise<void>;
}

/** Starts watching AdmissionPolicies; resolves once the first list is cached and workers run. */
export async function startPolicyStatusReconciler(
  kubeConfig: KubeConfig,
  options: PolicyStatusOptions,
): Promise<RunningPolicyStatusReconciler> {
  const clock = options.clock ?? systemClock;
  const compiler = options.compiler ?? createExpressionCompiler();
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  const informer = new Informer<AdmissionPolicy>({
    name: PLURAL,
    kubeConfig,
    path: `/apis/${POLICY_GROUP}/${VERSION}/${PLURAL}`,
    list: () =>
      custom.listClusterCustomObject({
        group: POLICY_GROUP,
        version: VERSION,
        plural: PLURAL,
      }) as Promise<{ items: AdmissionPolicy[] }>,
    clock,
    log: options.log,
    resyncMs: options.resyncMs ?? DEFAULT_RESYNC_MS,
  });
  const queue = new WorkQueue({ clock });
  const enqueue = (policy: AdmissionPolicy) => {
    if (policy.metadata?.name) queue.add(policy.metadata.name);
  };
  informer.on({ add: enqueue, update: enqueue, resync: enqueue });

  async function reconcile(name: string): Promise<ReconcileAction> {
    const policy = informer.get(name);
    if (!policy) return done;
    const status = desiredPolicyStatus(policy, compiler, kubeTime(clock.now()));
    if (!statusDiffers(policy.status, status)) return done;
    try {
      await custom.replaceClusterCustomObjectStatus({
        group: POLICY_GROUP,
        version: VERSION,
        plural: PLURAL,
        name,
        body: { ...policy, status },
      });
    } catch (error) {
      if (isNotFound(error)) return done;
      // The cache was behind; the watch brings the newer policy and the key runs again.
      if (isConflict(error)) return backoff;
      throw error;
    }
    options.log.info(
      { policy: name, ready: status.conditions?.[0]?.status },
      'AdmissionPolicy status written',
    );
    return done;
  }

  const workers = runWorkers({
    name: 'admission-policy-status',
    queue,
    reconcile,
    workers: options.workers ?? 2,
    log: options.log,
  });
  await informer.start();
  return {
    informer,
    queue,
    async stop() {
      informer.stop();
      queue.shutDown();
      await workers;
    },
  };
}
