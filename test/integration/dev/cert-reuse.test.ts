// `orka dev` started twice against the Kubernetes API stand-in keeps its CA: the first start
// creates it in the default state folder ($XDG_STATE_HOME/orka/dev-certs) and says so on stderr,
// the second (pointed at the same folder with --cert-dir) reuses it and says so, and both register
// the same CA with the apiserver, which then calls the webhook over TLS with it.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { AdmissionregistrationV1Api } from '@kubernetes/client-node';
import { splitPemBundle } from '../../../certs/authority.ts';
import { type KubeStandin, startKubeStandin } from '../../kube/index.ts';
import { localDevArgs, startDevChild } from './child.ts';

let standin: KubeStandin;
let dir: string;
let kubeconfig: string;

before(async () => {
  standin = await startKubeStandin();
  dir = await mkdtemp(join(tmpdir(), 'orka-dev-reuse-'));
  kubeconfig = join(dir, 'kubeconfig');
  await standin.writeKubeconfig(kubeconfig, 'kubernetes-admin');
});
after(async () => {
  await standin?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** Runs `orka dev` until ready, then stops it; its stderr and the CA it registered. */
async function startAndStop(
  extraArgs: string[],
  env: Record<string, string>,
): Promise<{ stderr: string; caFingerprint: string }> {
  const dev = startDevChild([...localDevArgs(kubeconfig, dir), ...extraArgs], env);
  try {
    await dev.ready;
    const configuration = await standin.kubeConfig
      .makeApiClient(AdmissionregistrationV1Api)
      .readMutatingWebhookConfiguration({ name: 'orka-dev-mutating' });
    const bundle = Buffer.from(
      configuration.webhooks?.[0]?.clientConfig.caBundle ?? '',
      'base64',
    ).toString();
    const [first] = splitPemBundle(bundle);
    assert.ok(first, 'the configuration carries a CA');
    const stopped = await dev.stop('SIGTERM');
    assert.deepEqual(stopped, { code: 0, signal: null }, dev.stderr().slice(-2000));
    return { stderr: dev.stderr(), caFingerprint: new X509Certificate(first).fingerprint256 };
  } finally {
    await dev.stop('SIGKILL');
  }
}

test('a second start reuses the CA the first created in the state folder', async () => {
  const state = join(dir, 'state');
  const certDir = join(state, 'orka', 'dev-certs');
  const first = await startAndStop([], { XDG_STATE_HOME: state });
  assert.match(first.stderr, /dev certificates created or renewed/);
  assert.match(first.stderr, /created a CA and a serving certificate \(none exists\)/);
  for (const file of ['ca.crt', 'ca.key', 'tls.crt', 'tls.key']) {
    assert.ok(existsSync(join(certDir, file)), `${file} kept in ${certDir}`);
  }

  const second = await startAndStop(['--cert-dir', certDir], {});
  assert.match(second.stderr, /reusing the dev CA and serving certificate/);
  assert.doesNotMatch(second.stderr, /created or renewed/);
  assert.equal(second.caFingerprint, first.caFingerprint);
  assert.ok(
    second.stderr.includes(first.caFingerprint),
    'stderr names the fingerprint of the CA in use',
  );
});
