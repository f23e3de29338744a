// `orka controller` (DESIGN §5, §11): reconcilers + REST API + store in one process. Kubernetes
// access from --kubeconfig, else KUBECONFIG, else ~/.kube/config, else in-cluster. Probes on
// --health-port: /healthz (alive) and /readyz (store readable, informers synced). SIGTERM or
// SIGINT stops the API and the reconcilers, closes the store and exits 0.
import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import pino from 'pino';
import { Authenticator, parseOidcConfig } from '../api/auth/index.ts';
import { kubernetesTokenReviewer } from '../api/auth/token-review-k8s.ts';
import { parseContextTokenAuthzConfig } from '../api/authz/index.ts';
import { createApiServer, kubernetesAccess } from '../api/index.ts';
import { policyConfigFromFlags } from '../policy/chain/config.ts';
import { type CrashPoint, startController } from '../reconcilers/index.ts';
import { openStore } from '../store/index.ts';
import type { CommandContext } from './commands.ts';
import { UsageError } from './flags.ts';
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
  const jobConfig = workerJobConfigFromFlags(values);
  const policyConfig = policyConfigFromFlags(values);
  const kubeConfig = loadKubeConfig(String(values.kubeconfig), env);
  const storePath = String(values['store-path']);
  mkdirSync(dirname(storePath), { recursive: true });
  const store = openStore(storePath);

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
      oidc: parseOidcConfig({
        issuer: String(values['oidc-issuer']),
        audience: String(values['oidc-audience']),
        jwksUrl: String(values['oidc-jwks-url']),
        namespaceClaim: String(values['oidc-namespace-claim']),
      }),
    }),
    kube: kubernetesAccess(kubeConfig, { readinessNamespace: String(values['watch-namespace']) }),
    config: {
      namespaces: {
        watchNamespace: String(values['watch-namespace']),
        enforceIsolation: policyConfig.enforceNamespaceIsolation,
      },
      contextTokenAuthz: parseContextTokenAuthzConfig({}),
    },
    logger: log,
  });
  await api.listen({ host, port: apiPort });
  const apiAddress = api.server.address() as AddressInfo;

  const health = createServer((request, response) => {
    const ready = request.url === '/readyz' ? store.isHealthy() && controller.isReady() : true;
    if (request.url !== '/healthz' && request.url !== '/readyz') {
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"status":"not found"}');
      return;
    }
    response
      .writeHead(ready ? 200 : 503, { 'content-type': 'application/json' })
      .end(JSON.stringify({ status: ready ? 'ok' : 'not ready' }));
  });
  const healthAddress = await listen(health, healthPort, host);
  log.info(
    { apiPort: apiAddress.port, healthPort: healthAddress.port, storePath },
    'controller ready',
  );

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  log.info({ signal }, 'shutting down');
  await api.close();
  await controller.stop();
  await new Promise((resolve) => health.close(resolve));
  store.close();
  log.info({}, 'stopped');
  log.flush();
  return 0;
}
