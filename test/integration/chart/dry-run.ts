// The chart applied with `kubectl apply --server-side --dry-run=server` (issue #8): the same code
// runs against the Kubernetes API stand-in on every suite run (dry-run.test.ts) and against a real
// cluster in test/e2e/chart-dry-run.test.ts. kubectl runs asynchronously: the stand-in may be
// served by this very process.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { HELM_UNAVAILABLE, type KubeObject, kubeTools, RELEASE, render } from './chart.ts';

/** Values whose rendering the dry-run covers: the default and each feature that adds objects. */
export const DRY_RUN_SCENARIOS: ReadonlyArray<{ name: string; values: Record<string, unknown> }> = [
  { name: 'default values', values: {} },
  {
    name: 'sandbox',
    values: { controller: { agentSandbox: { enabled: true, defaultTemplate: 'coding' } } },
  },
  {
    name: 'isolation',
    values: { controller: { enforceNamespaceIsolation: true, maxTasksPerNamespace: 5 } },
  },
  {
    name: 'OIDC',
    values: { controller: { oidc: { issuer: 'https://idp.example.com', audience: 'orka' } } },
  },
  {
    name: 'persistence, worker egress policy and worker Pod security',
    values: {
      store: { persistence: { enabled: true } },
      networkPolicy: { workerEgress: { enabled: true } },
      workerPodSecurity: { enabled: true },
    },
  },
];

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** kubectl with this kubeconfig and a private HOME (its discovery cache lives there). */
export async function kubectl(kubeconfig: string, args: string[]): Promise<KubectlResult> {
  if (!kubeTools.tools) throw new Error(HELM_UNAVAILABLE);
  const home = mkdtempSync(join(tmpdir(), 'orka-kubectl-'));
  try {
    return await new Promise((resolve, reject) => {
      execFile(
        kubeTools.tools!.kubectl,
        args,
        { env: { PATH: process.env.PATH, HOME: home, KUBECONFIG: kubeconfig } },
        (error, stdout, stderr) => {
          if (error && typeof error.code !== 'number') reject(error);
          else resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
        },
      );
    });
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/** `helm template --include-crds` into `namespace`: everything `helm install` would create. */
export function renderForInstall(values: Record<string, unknown>, namespace: string): KubeObject[] {
  return render(values, ['--include-crds', '--namespace', namespace]);
}

/**
 * Server-side apply in dry-run mode: the apiserver runs defaulting, validation and admission and
 * stores nothing. --force-conflicts: on a cluster where Orka is installed, fields another manager
 * (helm) owns must not read as a refusal; dry-run changes nothing either way.
 */
export async function serverDryRunApply(
  kubeconfig: string,
  objects: readonly KubeObject[],
): Promise<KubectlResult> {
  const dir = mkdtempSync(join(tmpdir(), 'orka-dry-run-'));
  try {
    const file = join(dir, 'manifests.yaml');
    writeFileSync(file, objects.map((object) => stringify(object)).join('---\n'));
    return await kubectl(kubeconfig, [
      'apply',
      '--server-side',
      '--dry-run=server',
      '--force-conflicts',
      '--field-manager=orka-chart-dry-run',
      '-f',
      file,
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** How kubectl names an object in its output: `deployment.apps/orka-controller`. */
export function kubectlName(object: KubeObject): string {
  const group = object.apiVersion.includes('/') ? object.apiVersion.split('/')[0] : '';
  return `${object.kind.toLowerCase()}${group ? `.${group}` : ''}/${object.metadata.name}`;
}

/** The objects the output does not report as applied in dry-run, by kubectl name. */
export function notReportedApplied(output: string, objects: readonly KubeObject[]): string[] {
  const lines = new Set(output.split('\n').map((line) => line.trim()));
  return objects
    .map(kubectlName)
    .filter((name) => !lines.has(`${name} serverside-applied (server dry run)`));
}

export const BROKEN_NAME = `${RELEASE}-dry-run-broken`;

/**
 * The rendered ValidatingWebhookConfiguration with `sideEffects: Some` (not allowed in
 * admissionregistration/v1), renamed: any apiserver that really validates refuses it.
 */
export function brokenWebhookConfiguration(objects: readonly KubeObject[]): KubeObject {
  const rendered = objects.find((object) => object.kind === 'ValidatingWebhookConfiguration');
  if (!rendered) throw new Error('the chart rendered no ValidatingWebhookConfiguration');
  const broken = structuredClone(rendered) as KubeObject & {
    webhooks: Array<{ sideEffects: string }>;
  };
  broken.metadata = { name: BROKEN_NAME };
  for (const webhook of broken.webhooks) webhook.sideEffects = 'Some';
  return broken;
}

export const BROKEN_REFUSAL = /webhooks\[0\]\.sideEffects: Unsupported value: "Some"/;

/**
 * A namespace for the namespaced objects, created for real (dry-run needs it to exist) by a
 * server-side apply: its YAML body is one the stand-in reads too (it speaks no protobuf).
 */
export async function createNamespace(kubeconfig: string, name: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'orka-namespace-'));
  try {
    const file = join(dir, 'namespace.yaml');
    writeFileSync(file, stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }));
    const result = await kubectl(kubeconfig, ['apply', '--server-side', '-f', file]);
    if (result.code !== 0) throw new Error(`creating namespace ${name}: ${result.stderr}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function deleteNamespace(kubeconfig: string, name: string): Promise<void> {
  const result = await kubectl(kubeconfig, ['delete', 'namespace', name, '--wait=false']);
  if (result.code !== 0) throw new Error(`kubectl delete namespace ${name}: ${result.stderr}`);
}
