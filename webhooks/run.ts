// The webhook process (`orka webhook`): policies, lookups (cluster caches or none), the HTTPS
// server with TLS hot reload from the certificate folder, and a graceful close.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { readServingFiles } from '../certs/files.ts';
import { TlsReloader } from '../certs/reload.ts';
import { startClusterLookups } from './cluster.ts';
import { clientNodeEventRecorder, NO_EVENTS } from './events.ts';
import { NO_CLUSTER } from './lookups.ts';
import { WebhookMetrics } from './metrics.ts';
import { PolicyStore } from './policies.ts';
import { createWebhookServer } from './server.ts';
import { createWebhookLog } from './webhook-log.ts';
import type { PoolLink } from './workers.ts';

export interface WebhookProcessOptions {
  port: number;
  host: string;
  certDir: string;
  policyPaths: string[];
  /** controller flag values by name */
  flags: Readonly<Record<string, unknown>>;
  /** null: no Kubernetes access (agent and namespaceObject are null) */
  kubeConfig: KubeConfig | null;
  /** set when this process is one worker of `orka webhook --workers N` */
  pool?: (metrics: WebhookMetrics) => PoolLink;
  logger?: Logger;
}

export interface RunningWebhook {
  url: string;
  close(): Promise<void>;
}

export async function startWebhookProcess(options: WebhookProcessOptions): Promise<RunningWebhook> {
  // a caller's logger (orka dev, tests) is used as it is
  const log = options.logger
    ? { logger: options.logger, decisions: options.logger, close: () => undefined }
    : createWebhookLog();
  const logger = log.logger;
  const metrics = new WebhookMetrics();
  const pool = options.pool?.(metrics);
  const policies = new PolicyStore({
    flags: options.flags,
    paths: options.policyPaths,
    metrics,
    logger,
  });
  policies.watchFiles();
  const cluster = options.kubeConfig
    ? await startClusterLookups(options.kubeConfig, policies, logger)
    : undefined;
  const events = options.kubeConfig
    ? clientNodeEventRecorder(options.kubeConfig, {
        component: 'orka-webhook',
        onError: (message) => logger.warn({}, message),
      })
    : NO_EVENTS;
  const webhook = createWebhookServer({
    tls: readServingFiles(options.certDir),
    policies,
    lookups: cluster?.lookups ?? NO_CLUSTER,
    events,
    metrics,
    logger: log.decisions,
    ...(pool ? { renderMetrics: pool.renderMetrics } : {}),
  });
  const reloader = new TlsReloader(options.certDir, webhook.server, {
    onReload: () => logger.info({ certDir: options.certDir }, 'serving certificate reloaded'),
    onError: (problem) => logger.warn({ problem }, 'serving certificate not reloaded'),
  }).start();
  const address = await webhook.listen(options.port, options.host);
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `https://${host}:${address.port}`;
  logger.info({ url, custom: policies.policies.validate.custom.length }, 'webhook serving');
  pool?.ready(url);
  return {
    url,
    async close() {
      reloader.stop();
      policies.stop();
      await webhook.close();
      await cluster?.stop();
      log.close();
    },
  };
}
