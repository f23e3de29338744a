// `orka dev` (DESIGN §11): everything in one process against a cluster. Namespace and CRDs first
// (the webhook's and the controller's informers need them), stale dev configurations removed, the
// CA and serving certificate for HOST reused from the cert folder (renewed when due,
// dev-certs.ts), webhook + controller + API started, the dev configurations registered with `url`
// and the CA, then a dry-run self-probe repeated until the apiserver has called the webhook for
// it: only then is the process ready. close() removes the configurations first, so the cluster
// never points at a webhook that is gone.
import { type AddressInfo, isIP } from 'node:net';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { Authenticator, parseOidcConfig } from '../api/auth/index.ts';
import { kubernetesTokenReviewer } from '../api/auth/token-review-k8s.ts';
import { parseContextTokenAuthzConfig } from '../api/authz/index.ts';
import { createApiServer, kubernetesAccess } from '../api/index.ts';
import { policyConfigFromFlags } from '../policy/chain/config.ts';
import { startController } from '../reconcilers/index.ts';
import type { WorkerJobConfig } from '../reconcilers/job/index.ts';
import { buildCrd, crdName } from '../resources/crd.ts';
import { KINDS } from '../resources/kinds.ts';
import { openStore } from '../store/index.ts';
import { ensureDevCertificates } from './dev-certs.ts';
import { DevCluster, devWebhookConfigurations } from './dev-cluster.ts';
import { startWebhookProcess } from './run.ts';

export interface DevOptions {
  kubeConfig: KubeConfig;
  /** the address the webhook and the API listen on, and the apiserver calls */
  host: string;
  webhookPort: number;
  apiPort: number;
  storePath: string;
  /** the folder keeping the CA and serving certificate between runs (webhooks/dev-certs.ts) */
  certDir: string;
  policyPaths: string[];
  /** admission and controller flag values by name */
  flags: Readonly<Record<string, unknown>>;
  /** the Job builder's configuration; its controllerUrl is replaced by http://HOST:API-PORT */
  jobConfig: WorkerJobConfig;
  logger: Logger;
  /** how long the CRDs may take to become Established (default 60 s) */
  establishTimeoutMs?: number;
  /** how long the apiserver may take to call the webhook for the probe (default 60 s) */
  probeTimeoutMs?: number;
}

export interface RunningDev {
  webhookUrl: string;
  apiUrl: string;
  /** the identity the controller and API act as */
  username: string | undefined;
  close(): Promise<void>;
}

const PROBE_DECISION = 'admission decision';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const urlHost = (host: string) => (isIP(host) === 6 ? `[${host}]` : host);

/**
 * The controller and the API act as the kubeconfig's user, so unless trusted users were given,
 * that user is the trusted provenance writer (as the controller's ServiceAccount is in a cluster).
 */
function devFlags(
  flags: Readonly<Record<string, unknown>>,
  username: string | undefined,
): Record<string, unknown> {
  const trusted = flags['task-provenance-admission-trusted-users'];
  if (!username || (Array.isArray(trusted) && trusted.length > 0)) return { ...flags };
  return { ...flags, 'task-provenance-admission-trusted-users': [username] };
}

/** Cleanup steps run in reverse order of start; each failure is logged, none stops the rest. */
class Teardown {
  private readonly steps: Array<{ what: string; run: () => Promise<void> | void }> = [];
  constructor(private readonly logger: Logger) {}
  add(what: string, run: () => Promise<void> | void) {
    this.steps.push({ what, run });
  }
  async run() {
    for (const step of this.steps.splice(0).reverse()) {
      try {
        await step.run();
      } catch (error) {
        this.logger.warn({ step: step.what, error: (error as Error).message }, 'cleanup failed');
      }
    }
  }
}

export async function startDev(options: DevOptions): Promise<RunningDev> {
  const { logger, kubeConfig } = options;
  const cluster = new DevCluster(kubeConfig);
  const teardown = new Teardown(logger);
  const namespace = String(options.flags['controller-namespace'] ?? 'orka-system');
  try {
    if (await cluster.ensureNamespace(namespace))
      logger.info({ namespace }, 'controller namespace created');
    await cluster.applyCrds(KINDS.map((kind) => buildCrd(kind)));
    await cluster.waitEstablished(
      KINDS.map((kind) => crdName(kind)),
      options.establishTimeoutMs ?? 60_000,
    );
    logger.info({ crds: KINDS.map((kind) => crdName(kind)) }, 'CRDs established');
    const stale = await cluster.removeConfigurations();
    if (stale.length > 0)
      logger.info({ removed: stale }, 'stale dev webhook configurations removed');

    const username = await cluster.username();
    const flags = devFlags(options.flags, username);
    if (!username) {
      logger.warn({}, 'SelfSubjectReview unavailable: provenance trusts only the configured users');
    }

    const { certDir } = options;
    const dev = await ensureDevCertificates(certDir, options.host);
    if (dev.changes.length === 0) {
      logger.info(
        { certDir, caFingerprint: dev.caFingerprint },
        'reusing the dev CA and serving certificate',
      );
    } else {
      logger.info(
        { certDir, caFingerprint: dev.caFingerprint, changes: dev.changes },
        'dev certificates created or renewed',
      );
    }

    const seen = new Set<string>();
    const webhookLogger = logger.child({ component: 'orka-webhook' });
    const webhook = await startWebhookProcess({
      port: options.webhookPort,
      host: options.host,
      certDir,
      policyPaths: options.policyPaths,
      flags,
      kubeConfig,
      logger: observingDecisions(webhookLogger, seen),
    });
    teardown.add('webhook', () => webhook.close());
    // Port 0 picks a free port; URLs name the bound ports and the configured host (the SAN).
    const webhookUrl = `https://${urlHost(options.host)}:${new URL(webhook.url).port}`;

    const store = openStore(options.storePath);
    teardown.add('store', () => store.close());
    const api = createApiServer({
      store,
      authenticator: new Authenticator({
        reviewToken: kubernetesTokenReviewer(kubeConfig),
        oidc: parseOidcConfig({
          issuer: String(flags['oidc-issuer'] ?? ''),
          audience: String(flags['oidc-audience'] ?? ''),
          jwksUrl: String(flags['oidc-jwks-url'] ?? ''),
          namespaceClaim: String(flags['oidc-namespace-claim'] ?? ''),
        }),
      }),
      kube: kubernetesAccess(kubeConfig),
      readCache: { kubeConfig, watchNamespace: String(flags['watch-namespace'] ?? '') },
      config: {
        namespaces: {
          watchNamespace: String(flags['watch-namespace'] ?? ''),
          enforceIsolation: flags['enforce-namespace-isolation'] === true,
        },
        contextTokenAuthz: parseContextTokenAuthzConfig({}),
      },
      logger: logger.child({ component: 'orka-api' }),
    });
    await api.listen({ host: options.host, port: options.apiPort });
    teardown.add('API', () => api.close());
    const apiUrl = `http://${urlHost(options.host)}:${(api.server.address() as AddressInfo).port}`;

    const controller = await startController({
      kubeConfig,
      store,
      jobConfig: { ...options.jobConfig, controllerUrl: apiUrl },
      policyConfig: policyConfigFromFlags(flags),
      log: logger.child({ component: 'orka-controller' }),
      watchNamespace: String(flags['watch-namespace'] ?? ''),
      maxTasksPerNamespace: Number(flags['max-tasks-per-namespace'] ?? 0),
    });
    teardown.add('controller', () => controller.stop());

    await cluster.registerConfigurations(
      devWebhookConfigurations(webhookUrl, dev.certificates.caBundle),
    );
    teardown.add('webhook configurations', async () => {
      const removed = await cluster.removeConfigurations();
      logger.info({ removed }, 'dev webhook configurations removed');
    });
    logger.info({ webhookUrl }, 'dev webhook configurations registered');

    await probeUntilCalled(cluster, namespace, seen, options.probeTimeoutMs ?? 60_000, logger);
    return { webhookUrl, apiUrl, username, close: () => teardown.run() };
  } catch (error) {
    await teardown.run();
    throw error;
  }
}

/** The logger, noting the name of every object the webhook decided on. */
function observingDecisions(logger: Logger, seen: Set<string>): Logger {
  const info = (fields: unknown, message?: unknown, ...rest: unknown[]) => {
    if (message === PROBE_DECISION && typeof fields === 'object' && fields !== null) {
      const name = (fields as { name?: unknown }).name;
      if (typeof name === 'string') seen.add(name);
    }
    (logger.info as (...args: unknown[]) => void)(fields, message, ...rest);
  };
  return new Proxy(logger, {
    get(target, property) {
      if (property === 'info') return info;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/**
 * A real apiserver picks up a new webhook configuration a moment after it is written, so a
 * dry-run Task is sent until one of them reaches the webhook (each probe has its own name).
 */
async function probeUntilCalled(
  cluster: DevCluster,
  namespace: string,
  seen: ReadonlySet<string>,
  timeoutMs: number,
  logger: Logger,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    const name = `orka-dev-probe-${process.pid}-${attempt}`;
    const answer = await cluster.dryRunTask(namespace, {
      apiVersion: 'core.orka.ai/v1alpha1',
      kind: 'Task',
      metadata: { name, namespace },
      spec: { type: 'agent', agentRef: { name: 'orka-dev-probe' }, prompt: 'orka dev self-probe' },
    });
    if (seen.has(name)) {
      if (answer.status >= 300) {
        logger.warn(
          { status: answer.status, message: answer.body.message },
          'the self-probe reached the webhook but was refused',
        );
      }
      logger.info({ attempt }, 'self-probe reached the webhook');
      return;
    }
    if (Date.now() > deadline) {
      const why = typeof answer.body.message === 'string' ? `: ${answer.body.message}` : '';
      throw new Error(
        `the apiserver did not call the webhook within ${timeoutMs} ms (last probe HTTP ${answer.status}${why}); is ${namespace} reachable and the host address reachable from the apiserver?`,
      );
    }
    await sleep(250);
  }
}
