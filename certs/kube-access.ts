// CertificateKubeAccess over @kubernetes/client-node: the Secret in the controller namespace and the
// webhook configurations selected by a label. Configurations are replaced whole with their
// resourceVersion, so a concurrent change (a Helm upgrade) is re-read rather than overwritten.
import {
  AdmissionregistrationV1Api,
  ApiException,
  CoreV1Api,
  type KubeConfig,
  type V1MutatingWebhookConfiguration,
  type V1ValidatingWebhookConfiguration,
  Watch,
} from '@kubernetes/client-node';
import { CA_CERT_FILE, CA_KEY_FILE, TLS_CERT_FILE, TLS_KEY_FILE } from './files.ts';
import {
  type CertificateKubeAccess,
  type OwnedWebhookConfiguration,
  SecretConflictError,
  type StoredSecret,
} from './manager.ts';
import type { StoredCertificates } from './rotation.ts';

export interface ClientNodeAccessOptions {
  namespace: string;
  secretName: string;
  /** label selector of the webhook configurations to inject, e.g. `app.kubernetes.io/name=orka` */
  labelSelector: string;
}

type AnyConfiguration = V1MutatingWebhookConfiguration | V1ValidatingWebhookConfiguration;

const MUTATING_PATH = '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations';
const VALIDATING_PATH = '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations';
const WATCH_RESTART_MS = 5000;

const decode = (value: string | undefined) =>
  value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf8');
const encode = (value: string) => Buffer.from(value).toString('base64');

const isStatus = (error: unknown, code: number) =>
  error instanceof ApiException && error.code === code;

function certificatesOf(data: Record<string, string> | undefined): StoredCertificates | undefined {
  const caBundle = decode(data?.[CA_CERT_FILE]);
  const caKey = decode(data?.[CA_KEY_FILE]);
  const cert = decode(data?.[TLS_CERT_FILE]);
  const key = decode(data?.[TLS_KEY_FILE]);
  if (!caBundle || !caKey || !cert || !key) return undefined;
  return { caBundle, caKey, cert, key };
}

export function clientNodeCertificateAccess(
  kubeConfig: KubeConfig,
  options: ClientNodeAccessOptions,
): CertificateKubeAccess {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const admission = kubeConfig.makeApiClient(AdmissionregistrationV1Api);
  const { namespace, secretName: name, labelSelector } = options;

  const owned = (kind: OwnedWebhookConfiguration['kind'], items: AnyConfiguration[]) =>
    items.map((item) => ({
      kind,
      name: item.metadata?.name ?? '',
      caBundles: (item.webhooks ?? []).map((webhook) => webhook.clientConfig.caBundle),
    }));

  return {
    async readSecret(): Promise<StoredSecret> {
      try {
        const secret = await core.readNamespacedSecret({ name, namespace });
        return {
          certificates: certificatesOf(secret.data),
          resourceVersion: secret.metadata?.resourceVersion,
        };
      } catch (error) {
        if (isStatus(error, 404)) return { certificates: undefined, resourceVersion: undefined };
        throw error;
      }
    },

    async writeSecret(certificates, resourceVersion) {
      const body = {
        apiVersion: 'v1',
        kind: 'Secret',
        type: 'kubernetes.io/tls',
        metadata: {
          name,
          namespace,
          ...(resourceVersion ? { resourceVersion } : {}),
          labels: { 'app.kubernetes.io/managed-by': 'orka' },
        },
        data: {
          [CA_CERT_FILE]: encode(certificates.caBundle),
          [CA_KEY_FILE]: encode(certificates.caKey),
          [TLS_CERT_FILE]: encode(certificates.cert),
          [TLS_KEY_FILE]: encode(certificates.key),
        },
      };
      try {
        if (resourceVersion === undefined) await core.createNamespacedSecret({ namespace, body });
        else await core.replaceNamespacedSecret({ name, namespace, body });
      } catch (error) {
        if (isStatus(error, 409))
          throw new SecretConflictError(`Secret ${namespace}/${name} changed`);
        throw error;
      }
    },

    async listWebhookConfigurations() {
      const [mutating, validating] = await Promise.all([
        admission.listMutatingWebhookConfiguration({ labelSelector }),
        admission.listValidatingWebhookConfiguration({ labelSelector }),
      ]);
      return [
        ...owned('MutatingWebhookConfiguration', mutating.items),
        ...owned('ValidatingWebhookConfiguration', validating.items),
      ];
    },

    async setCaBundle(configuration, caBundle) {
      const mutating = configuration.kind === 'MutatingWebhookConfiguration';
      const current: AnyConfiguration = mutating
        ? await admission.readMutatingWebhookConfiguration({ name: configuration.name })
        : await admission.readValidatingWebhookConfiguration({ name: configuration.name });
      for (const webhook of current.webhooks ?? []) webhook.clientConfig.caBundle = caBundle;
      if (mutating) {
        await admission.replaceMutatingWebhookConfiguration({
          name: configuration.name,
          body: current as V1MutatingWebhookConfiguration,
        });
      } else {
        await admission.replaceValidatingWebhookConfiguration({
          name: configuration.name,
          body: current as V1ValidatingWebhookConfiguration,
        });
      }
    },

    async watchWebhookConfigurations(onChange) {
      const watch = new Watch(kubeConfig);
      const controllers = new Set<AbortController>();
      let stopped = false;
      const follow = async (path: string): Promise<void> => {
        if (stopped) return;
        const restart = () => {
          if (!stopped) setTimeout(() => void follow(path), WATCH_RESTART_MS).unref();
        };
        try {
          const controller = await watch.watch(
            path,
            { labelSelector },
            (phase) => {
              if (phase === 'ADDED' || phase === 'MODIFIED') onChange();
            },
            () => {
              controllers.delete(controller);
              restart();
            },
          );
          controllers.add(controller);
        } catch {
          restart();
        }
      };
      await Promise.all([follow(MUTATING_PATH), follow(VALIDATING_PATH)]);
      return () => {
        stopped = true;
        for (const controller of controllers) controller.abort();
      };
    },
  };
}
