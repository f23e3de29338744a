// `orka controller` (DESIGN §5, §11): reconcilers + REST API + store + the webhook certificate
// manager in one process. Kubernetes access from --kubeconfig, else KUBECONFIG, else
// ~/.kube/config, else in-cluster. On --health-port: /healthz (alive), /readyz (store readable,
// informers synced) and /metrics (Prometheus text). SIGTERM or SIGINT stops the API, the
// reconcilers and the certificate manager, closes the store and exits 0.
import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import pino from 'pino';
import {
  Authenticator,
  type ContextTokenConfig,
  ContextTokenVerifier,
  type OidcConfig,
  parseContextTokenConfig,
  parseOidcConfig,
} from '../api/auth/index.ts';
import { kubernetesTokenReviewer } from '../api/auth/token-review-k8s.ts';
import {
  type ContextTokenAuthzConfig,
  parseContextTokenAuthzConfig,
  SCOPE_CLASSES,
  type ScopeClass,
} from '../api/authz/index.ts';
import { createApiServer, kubernetesAccess } from '../api/index.ts';
import { type Hosts, splitHosts } from '../certs/authority.ts';
import { type ClientNodeAccessOptions, clientNodeCertificateAccess } from '../certs/kube-access.ts';
import { CertificateManager } from '../certs/manager.ts';
import { policyConfigFromFlags } from '../policy/chain/config.ts';
import { type CrashPoint, errorMessage, startController } from '../reconcilers/index.ts';
import { openStore } from '../store/index.ts';
import type { CommandContext } from './commands.ts';
import { type FlagValues, UsageError } from './flags.ts';
import { workerJobConfigFromFlags } from './render-job.ts';

/** Test hook: the controller SIGKILLs itself the first time it reaches this point. */
export const CRASH_ENV = 'ORKA_TEST_CRASH_AT';
const CRASH_POINTS: readonly CrashPoint[] = ['after-job-create', 'after-status-write'];

export function loadKubeConfig(flag: string, env: Record<string, string | undefined>): KubeConfig {
  const kubeConfig = new KubeConfig();
  const home = join(env.HOME || homedir(), '.kube', 'config');
  if (flag) kubeConfig.loadFromFile(flag);
  else if (env.KUBECONFIG) kubeConfig.loadFromFile(env.KUBECONFIG);
  else if (existsSync(home)) kubeConfig.loadFromFile(home);
  else kubeConfig.loadFromCluster();
  if (!kubeConfig.getCurrentCluster()) {
    throw new Error('no Kubernetes cluster: the kubeconfig has no current cluster');
  }
  return kubeConfig;
}

function crashHook(
  env: Record<string, string | undefined>,
): ((point: CrashPoint) => void) | undefined {
  const target = env[CRASH_ENV];
  if (!target) return undefined;
  if (!CRASH_POINTS.includes(target as CrashPoint)) {
    throw new UsageError(`${CRASH_ENV}: "${target}" is not one of ${CRASH_POINTS.join(', ')}`);
  }
  return (point) => {
    if (point === target) process.kill(process.pid, 'SIGKILL');
  };
}

export interface ApiAuthConfig {
  oidc: OidcConfig | null;
  contextToken: ContextTokenConfig | null;
  contextTokenAuthz: ContextTokenAuthzConfig;
}

/**
 * OIDC and context-token settings from the flags above; throws the reference's startup errors
 * (`unsupported context-token profile "<p>"`, ...), which the command turns into exit code 2.
 */
export function apiAuthFromFlags(values: FlagValues): ApiAuthConfig {
  const text = (flag: string) => String(values[flag] ?? '');
  const scopes: Partial<Record<ScopeClass, string>> = {};
  for (const [scopeClass, { flag }] of Object.entries(SCOPE_CLASSES)) {
    scopes[scopeClass as ScopeClass] = text(`context-token-${flag}-scopes`);
  }
  return {
    oidc: parseOidcConfig({
      issuer: text('oidc-issuer'),
      audience: text('oidc-audience'),
      jwksUrl: text('oidc-jwks-url'),
      namespaceClaim: text('oidc-namespace-claim'),
    }),
    contextToken: parseContextTokenConfig({
      profile: text('context-token-profile'),
      issuer: text('context-token-issuer'),
      audience: text('context-token-audience'),
      jwksUrl: text('context-token-jwks-url'),
      headers: text('context-token-headers'),
    }),
    contextTokenAuthz: parseContextTokenAuthzConfig({
      mode: text('context-token-authz-mode'),
      scopes,
    }),
  };
}

export interface CertificateSettings extends ClientNodeAccessOptions {
  hosts: Hosts;
}

/**
 * What the certificate manager keeps and where, from the flags; undefined when
 * `--webhook-cert-secret` is empty (the certificates are managed elsewhere, e.g. by cert-manager).
 */
export function certificateSettingsFromFlags(values: FlagValues): CertificateSettings | undefined {
  const secretName = String(values['webhook-cert-secret']);
  if (secretName === '') return undefined;
  const namespace = String(values['controller-namespace']);
  const service = String(values['webhook-service']);
  if (service === '') throw new UsageError('--webhook-service: must name the webhook Service');
  const labelSelector = String(values['webhook-configuration-selector']);
  if (labelSelector.trim() === '') {
    // An empty selector would inject this CA into every webhook configuration in the cluster.
    throw new UsageError('--webhook-configuration-selector: must not be empty');
  }
  return {
    namespace,
    secretName,
    labelSelector,
    hosts: splitHosts([`${service}.${namespace}.svc`, `${service}.${namespace}.svc.cluster.local`]),
  };
}

const CERTIFICATE_RETRY_FIRST_MS = 1000;
const CERTIFICATE_RETRY_MAX_MS = 60_000;

/**
 * Starts the certificate manager. The first attempt is awaited, so on a healthy cluster the Secret
 * and caBundles are in place before the controller says it is ready; a failure (RBAC, the namespace
 * missing) is logged and retried with capped backoff rather than stopping the reconcilers and the
 * API, which do not depend on it. Returns the function that stops it.
 */
async function runCertificateManager(
  manager: CertificateManager,
  log: pino.Logger,
): Promise<() => void> {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const attempt = async (delayMs: number): Promise<void> => {
    try {
      await manager.start();
    } catch (error) {
      if (stopped) return;
      log.error(
        { err: errorMessage(error), retryInMs: delayMs },
        'certificate manager failed to start; webhook certificates are not being managed',
      );
      timer = setTimeout(
        () => void attempt(Math.min(delayMs * 2, CERTIFICATE_RETRY_MAX_MS)),
        delayMs,
      );
      timer.unref();
    }
  };
  await attempt(CERTIFICATE_RETRY_FIRST_MS);
  return () => {
    stopped = true;
    clearTimeout(timer);
    manager.stop();
  };
}

function port(values: CommandContext['values'], flag: string): number {
  const value = Number(values[flag]);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new UsageError(`--${flag}: ${value} is not a port (0-65535)`);
  }
  return value;
}

function listen(server: Server, portNumber: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(portNumber, host, () => resolve(server.address() as AddressInfo));
  });
}

export async function runController(context: CommandContext): Promise<number> {
  const { values, env } = context;
  if (context.positionals.length > 0) {
    throw new UsageError(`unexpected argument "${context.positionals[0]}"`);
  }
  const log = pino(
    { name: 'orka-controller', level: env.ORKA_LOG_LEVEL || 'info' },
    pino.destination(2),
  );
  const apiPort = port(values, 'api-port');
  const healthPort = port(values, 'health-port');
  const host = String(values['bind-address']);
  const crashPoint = crashHook(env);
  const auth = apiAuthFromFlags(values);
  const certificateSettings = certificateSettingsFromFlags(values);
  const jobConfig = workerJobConfigFromFlags(values);
  const policyConfig = policyConfigFromFlags(values);
  const kubeConfig = loadKubeConfig(String(values.kubeconfig), env);
  const storePath = String(values['store-path']);
  mkdirSync(dirname(storePath), { recursive: true });
  const store = openStore(storePath);
  if (!certificateSettings) {
    log.info({}, 'webhook certificates are managed elsewhere (--webhook-cert-secret="")');
  }
  const stopCertificates = certificateSettings
    ? await runCertificateManager(
        new CertificateManager({
          access: clientNodeCertificateAccess(kubeConfig, certificateSettings),
          hosts: certificateSettings.hosts,
          logger: log.child({ name: 'certificates' }),
        }),
        log,
      )
    : () => undefined;

  const controller = await startController({
    kubeConfig,
    store,
    jobConfig,
    policyConfig,
    log,
    watchNamespace: String(values['watch-namespace']),
    maxTasksPerNamespace: policyConfig.maxTasksPerNamespace,
    ...(crashPoint ? { crashPoint } : {}),
  });

  const api = createApiServer({
    store,
    authenticator: new Authenticator({
      reviewToken: kubernetesTokenReviewer(kubeConfig),
      oidc: auth.oidc,
      contextToken: auth.contextToken,
    }),
    contextTokenVerifier: auth.contextToken ? new ContextTokenVerifier(auth.contextToken) : null,
    kube: kubernetesAccess(kubeConfig, { readinessNamespace: String(values['watch-namespace']) }),
    // Reads come from the reconcilers' informers: no apiserver round trip per GET.
    readCache: {
      sources: {
        tasks: controller.caches.tasks,
        agents: controller.caches.agents,
        namespace: String(values['watch-namespace']),
      },
    },
    config: {
      namespaces: {
        watchNamespace: String(values['watch-namespace']),
        enforceIsolation: policyConfig.enforceNamespaceIsolation,
      },
      contextTokenAuthz: auth.contextTokenAuthz,
    },
    logger: log,
  });
  await api.listen({ host, port: apiPort });
  const apiAddress = api.server.address() as AddressInfo;

  const health = createServer((request, response) => {
    if (request.url === '/metrics') {
      response
        .writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' })
        .end(controller.metrics.render());
      return;
    }
    if (request.url !== '/healthz' && request.url !== '/readyz') {
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"status":"not found"}');
      return;
    }
    const ready = request.url === '/readyz' ? store.isHealthy() && controller.isReady() : true;
    response
      .writeHead(ready ? 200 : 503, { 'content-type': 'application/json' })
      .end(JSON.stringify({ status: ready ? 'ok' : 'not ready' }));
  });
  const healthAddress = await listen(health, healthPort, host);
  log.info(
    {
      apiPort: apiAddress.port,
      healthPort: healthAddress.port,
      storePath,
      oidc: auth.oidc !== null,
      contextTokenProfile: auth.contextToken?.profile ?? '',
      contextTokenAuthzMode: auth.contextTokenAuthz.mode,
      webhookCertSecret: String(values['webhook-cert-secret']),
    },
    'controller ready',
  );

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  log.info({ signal }, 'shutting down');
  await api.close();
  await controller.stop();
  stopCertificates();
  await new Promise((resolve) => health.close(resolve));
  store.close();
  log.info({}, 'stopped');
  log.flush();
  return 0;
}
