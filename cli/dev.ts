// `orka dev [--host 127.0.0.1] [--webhook-port 9443] [--api-port 8080] [--controller-namespace
// orka-system] [--store-path FILE] [--cert-dir DIR]` (DESIGN §11): flags to options;
// webhooks/dev.ts does the rest.
// stdout carries exactly one line, `orka dev ready`; logs go to stderr.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { startDev } from '../webhooks/dev.ts';
import { defaultDevCertDir } from '../webhooks/dev-certs.ts';
import type { CommandContext } from './commands.ts';
import { UsageError } from './flags.ts';
import { workerJobConfigFromFlags } from './render-job.ts';

/** --kubeconfig > KUBECONFIG > ~/.kube/config > in-cluster; dev cannot run without a cluster. */
function devKubeConfig(flag: string, env: Record<string, string | undefined>): KubeConfig {
  const kubeConfig = new KubeConfig();
  const file = flag || env.KUBECONFIG || join(homedir(), '.kube', 'config');
  if (flag || env.KUBECONFIG || existsSync(file)) {
    try {
      kubeConfig.loadFromFile(file);
    } catch (error) {
      throw new Error(`kubeconfig ${file}: ${(error as Error).message}`);
    }
    if (!kubeConfig.getCurrentCluster()) throw new Error(`${file}: no current cluster`);
    return kubeConfig;
  }
  if (env.KUBERNETES_SERVICE_HOST) {
    kubeConfig.loadFromCluster();
    return kubeConfig;
  }
  throw new UsageError('no cluster: pass --kubeconfig FILE or set KUBECONFIG');
}

function port(values: CommandContext['values'], name: string): number {
  const value = values[name] as number;
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new UsageError(`--${name} must be 0-65535 (0: any free port), got ${value}`);
  }
  return value;
}

export async function runDev({
  values,
  positionals,
  env,
  stdout,
}: CommandContext): Promise<number> {
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const host = String(values.host);
  if (host === '') throw new UsageError('--host must name an address the apiserver can reach');
  const storePath = String(values['store-path']);
  if (storePath === '') throw new UsageError('--store-path FILE must not be empty');
  const logger = pino({ base: { component: 'orka-dev' } }, pino.destination(2));
  const running = await startDev({
    kubeConfig: devKubeConfig(String(values.kubeconfig), env),
    host,
    webhookPort: port(values, 'webhook-port'),
    apiPort: port(values, 'api-port'),
    storePath,
    certDir: String(values['cert-dir']) || defaultDevCertDir(env),
    policyPaths: values.policies as string[],
    flags: values,
    jobConfig: workerJobConfigFromFlags(values),
    logger,
  });
  logger.info(
    { webhookUrl: running.webhookUrl, apiUrl: running.apiUrl, actingAs: running.username },
    'orka dev running',
  );
  const stopped = new Promise<string>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  stdout.write('orka dev ready\n');
  const signal = await stopped;
  logger.info({ signal }, 'orka dev stopping');
  await running.close();
  logger.flush();
  return 0;
}
