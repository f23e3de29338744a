// The in-cluster certificate keeper (run by the controller): keeps CA + serving certificate in a
// Secret (created when missing, reused while valid), renews them per rotation.ts, and injects the
// CA bundle as `caBundle` into every webhook configuration it owns — again whenever one changes
// (a Helm upgrade resets caBundle) and on a periodic resync.
import type { Hosts } from './authority.ts';
import {
  DEFAULT_ROTATION_POLICY,
  type RotationPolicy,
  rotateCertificates,
  type StoredCertificates,
} from './rotation.ts';

export interface StoredSecret {
  certificates: StoredCertificates | undefined;
  /** for optimistic concurrency on replace; undefined when the Secret does not exist */
  resourceVersion: string | undefined;
}

export type WebhookConfigurationKind =
  | 'MutatingWebhookConfiguration'
  | 'ValidatingWebhookConfiguration';

export interface OwnedWebhookConfiguration {
  kind: WebhookConfigurationKind;
  name: string;
  /** the caBundle (base64) of each of its webhooks, in order */
  caBundles: (string | undefined)[];
}

/** The Kubernetes calls the manager makes; certs/kube-access.ts implements them with client-node. */
export interface CertificateKubeAccess {
  readSecret(): Promise<StoredSecret>;
  /** creates (resourceVersion undefined) or replaces; throws SecretConflictError on a lost race */
  writeSecret(certificates: StoredCertificates, resourceVersion: string | undefined): Promise<void>;
  /** the webhook configurations this manager owns (selected by label) */
  listWebhookConfigurations(): Promise<OwnedWebhookConfiguration[]>;
  setCaBundle(configuration: OwnedWebhookConfiguration, caBundle: string): Promise<void>;
  /** calls `onChange` whenever an owned configuration is added or modified; returns a stop function */
  watchWebhookConfigurations(onChange: () => void): Promise<() => void>;
}

export class SecretConflictError extends Error {
  override name = 'SecretConflictError';
}

export interface ManagerLogger {
  info(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

export interface CertificateManagerOptions {
  access: CertificateKubeAccess;
  hosts: Hosts;
  policy?: RotationPolicy;
  now?: () => Date;
  /**
   * after a new CA is injected, how long clients (the apiserver, webhook pods reading the Secret)
   * get to pick up the bundle before a leaf signed by the new CA is served; default 60 s
   */
  propagationDelayMs?: number;
  /** re-check certificates and caBundles at least this often; default 10 minutes */
  resyncIntervalMs?: number;
  logger?: ManagerLogger;
}

const MAX_CONFLICT_RETRIES = 5;
const MAX_TIMER_MS = 2 ** 31 - 1;

export class CertificateManager {
  private stored: StoredCertificates | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopWatch: (() => void) | undefined;
  private running: Promise<void> = Promise.resolve();
  private nextRenewal: Date | undefined;

  constructor(private readonly options: CertificateManagerOptions) {}

  /** The certificates as last stored; undefined before the first reconcile. */
  get certificates(): StoredCertificates | undefined {
    return this.stored;
  }

  /** Base64 of the CA bundle, as webhook configurations carry it. */
  get caBundle(): string | undefined {
    return this.stored && Buffer.from(this.stored.caBundle).toString('base64');
  }

  /** One round: renew what is due, store it, inject the bundle. */
  reconcile(): Promise<StoredCertificates> {
    const pass = this.running.then(() => this.reconcileOnce());
    this.running = pass.then(
      () => undefined,
      () => undefined,
    );
    return pass;
  }

  private async reconcileOnce(): Promise<StoredCertificates> {
    const now = this.options.now ?? (() => new Date());
    for (let attempt = 0; ; attempt++) {
      const secret = await this.options.access.readSecret();
      const round = await rotateCertificates(
        secret.certificates,
        this.options.hosts,
        now(),
        this.options.policy ?? DEFAULT_ROTATION_POLICY,
      );
      try {
        if (round.changes.length > 0) {
          await this.options.access.writeSecret(round.certificates, secret.resourceVersion);
          this.options.logger?.info({ changes: round.changes }, 'certificates updated');
        }
      } catch (error) {
        if (!(error instanceof SecretConflictError) || attempt >= MAX_CONFLICT_RETRIES) throw error;
        continue;
      }
      this.stored = round.certificates;
      this.nextRenewal = round.pending
        ? new Date(now().getTime() + (this.options.propagationDelayMs ?? 60_000))
        : round.nextRenewal;
      await this.injectCaBundle();
      return round.certificates;
    }
  }

  /** Sets caBundle on every owned webhook whose bundle differs; returns how many were updated. */
  async injectCaBundle(): Promise<number> {
    const caBundle = this.caBundle;
    if (caBundle === undefined) return 0;
    let updated = 0;
    for (const configuration of await this.options.access.listWebhookConfigurations()) {
      if (configuration.caBundles.every((current) => current === caBundle)) continue;
      await this.options.access.setCaBundle(configuration, caBundle);
      updated++;
      this.options.logger?.info(
        { kind: configuration.kind, name: configuration.name },
        'caBundle injected',
      );
    }
    return updated;
  }

  /** Reconciles now, then on every resync, at the next renewal, and when an owned configuration changes. */
  async start(): Promise<void> {
    await this.reconcile();
    this.stopWatch = await this.options.access.watchWebhookConfigurations(() => {
      this.running = this.running.then(() =>
        this.injectCaBundle().then(() => undefined, this.fail),
      );
    });
    this.schedule();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.stopWatch?.();
    this.stopWatch = undefined;
  }

  private readonly fail = (error: unknown) => {
    this.options.logger?.error({ error: (error as Error).message }, 'certificate reconcile failed');
  };

  private schedule(): void {
    const resync = this.options.resyncIntervalMs ?? 10 * 60 * 1000;
    const now = (this.options.now ?? (() => new Date()))().getTime();
    const untilRenewal = this.nextRenewal ? this.nextRenewal.getTime() - now : resync;
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, Math.min(resync, untilRenewal)));
    this.timer = setTimeout(() => {
      this.reconcile()
        .then(() => undefined, this.fail)
        .finally(() => {
          if (this.timer !== undefined) this.schedule();
        });
    }, delay);
    this.timer.unref();
  }
}
