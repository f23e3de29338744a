// `orka webhook --port 9443 [--bind-address 0.0.0.0] --cert-dir DIR [--policies PATH]...`
// (DESIGN §11): serves admission until SIGTERM/SIGINT, then closes gracefully and exits 0.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { startWebhookProcess } from '../webhooks/run.ts';
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
  const running = await startWebhookProcess({
    port,
    host: values['bind-address'] as string,
    certDir,
    policyPaths: values.policies as string[],
    flags: values,
    kubeConfig: kubeConfigOf(values.kubeconfig as string, env),
  });
  stderr.write(`orka webhook serving on ${running.url}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  await running.close();
  return 0;
}
