// Kubeconfigs that point at the stand-in and trust its CA, one bearer-token user each.
import { writeFile } from 'node:fs/promises';
import { KubeConfig } from '@kubernetes/client-node';
import { stringify } from 'yaml';

export interface KubeconfigTarget {
  url: string;
  caPem: string;
  username: string;
  token: string;
  namespace?: string;
}

const CLUSTER = 'kube-standin';

export function kubeconfigObject(t: KubeconfigTarget): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: CLUSTER,
        cluster: {
          server: t.url,
          'certificate-authority-data': Buffer.from(t.caPem).toString('base64'),
        },
      },
    ],
    users: [{ name: t.username, user: { token: t.token } }],
    contexts: [
      {
        name: `${t.username}@${CLUSTER}`,
        context: { cluster: CLUSTER, user: t.username, namespace: t.namespace ?? 'default' },
      },
    ],
    'current-context': `${t.username}@${CLUSTER}`,
    preferences: {},
  };
}

export function kubeconfigYaml(t: KubeconfigTarget): string {
  return stringify(kubeconfigObject(t));
}

export function makeKubeConfig(t: KubeconfigTarget): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfigYaml(t));
  return kc;
}

export async function writeKubeconfigFile(path: string, t: KubeconfigTarget): Promise<void> {
  await writeFile(path, kubeconfigYaml(t), { mode: 0o600 });
}
