// `orka webhook --port 9443 [--bind-address 0.0.0.0] --cert-dir DIR [--policies PATH]...`
// (DESIGN §11): serves admission until SIGTERM/SIGINT, then closes gracefully and exits 0.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { startWebhookProcess } from '../webhooks/run.ts';
import { isPoolWorker, joinPool, leavePool, superviseWorkers } from '../webhooks/workers.ts';
import type { CommandContext } from './commands.ts';
import { UsageError } from './flags.ts';

/** --kubeconfig > KUBECONFIG > ~/.kube/config > in-cluster; null when none is there. */
function kubeConfigOf(flag: string, env: Record<string, string | undefined>): KubeConfig | null {
  const kubeConfig = new KubeConfig();
  const file = flag || env.KUBECONFIG || join(homedir(), '.kube', 'config');
  if (flag || env.KUBECONFIG || existsSync(file)) {
    kubeConfig.loadFromFile(file);
    return kubeConfig;
  }
  if (env.KUBERNETES_SERVICE_HOST) {
    kubeConfig.loadFromCluster();
    return kubeConfig;
  }
  return null;
}

export async function runWebhook({
  values,
  positionals,
  env,
  stderr,
}: CommandContext): Promise<number> {
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const certDir = values['cert-dir'] as string;
  if (certDir === '') throw new UsageError('--cert-dir DIR is required (tls.crt and tls.key)');
  const port = values.port as number;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--port must be 0-65535, got ${port}`);
  }
  const workers = values.workers as number;
  if (!Number.isInteger(workers) || workers < 1 || workers > 64) {
    throw new UsageError(`--workers must be 1-64, got ${workers}`);
  }
  if (workers > 1 && !isPoolWorker()) return superviseWorkers({ workers, stderr });
  if (!isPoolWorker()) return serve(values, env, stderr);
  try {
    return await serve(values, env, stderr);
  } finally {
    leavePool();
  }
}

async function serve(
  values: CommandContext['values'],
  env: CommandContext['env'],
  stderr: CommandContext['stderr'],
): Promise<number> {
  const running = await startWebhookProcess({
    port: values.port as number,
    host: values['bind-address'] as string,
    certDir: values['cert-dir'] as string,
    policyPaths: values.policies as string[],
    flags: values,
    kubeConfig: kubeConfigOf(values.kubeconfig as string, env),
    ...(isPoolWorker() ? { pool: (metrics) => joinPool(() => metrics.snapshot()) } : {}),
  });
  if (!isPoolWorker()) stderr.write(`orka webhook serving on ${running.url}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  await running.close();
  return 0;
}
