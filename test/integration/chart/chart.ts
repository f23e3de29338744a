// Runs helm on charts/orka for the chart tests: the binaries come from the cached fetcher, values
// are written to a temporary file, and rendered documents are parsed into objects.
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { V1PodSpec } from '@kubernetes/client-node';
import { parseAllDocuments, stringify } from 'yaml';
import { type KubeTools, obtainKubeTools } from '../../helpers/kube-tools.ts';

export const CHART_DIR = fileURLToPath(new URL('../../../charts/orka', import.meta.url));
export const RELEASE = 'orka';
export const NAMESPACE = 'orka-system';

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

/** The tools, or why they could not be obtained (the tests fail in CI and say so elsewhere). */
export const kubeTools: { tools?: KubeTools; unavailable?: string } = (() => {
  try {
    return { tools: obtainKubeTools() };
  } catch (error) {
    return { unavailable: (error as Error).message };
  }
})();

export const HELM_UNAVAILABLE = kubeTools.unavailable
  ? `HELM UNAVAILABLE — the chart was NOT tested: ${kubeTools.unavailable}`
  : undefined;

export interface HelmResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function helm(args: string[], values?: unknown, env: NodeJS.ProcessEnv = {}): HelmResult {
  if (!kubeTools.tools) throw new Error(HELM_UNAVAILABLE);
  const dir = mkdtempSync(join(tmpdir(), 'orka-chart-'));
  try {
    const valuesArgs: string[] = [];
    if (values !== undefined) {
      writeFileSync(join(dir, 'values.yaml'), stringify(values));
      valuesArgs.push('--values', join(dir, 'values.yaml'));
    }
    const result = spawnSync(kubeTools.tools.helm, [...args, ...valuesArgs], {
      encoding: 'utf8',
      // helm keeps caches and config under HOME; a fresh one keeps runs independent.
      env: { PATH: process.env.PATH, HOME: dir, ...env },
    });
    if (result.error) throw result.error;
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function parseRendered(text: string): KubeObject[] {
  const objects: KubeObject[] = [];
  for (const document of parseAllDocuments(text)) {
    if (document.errors.length > 0) throw new Error(`rendered YAML: ${document.errors[0]}`);
    const object = document.toJS() as KubeObject | null;
    if (object !== null) objects.push(object);
  }
  return objects;
}

/** `helm template` of the chart with these values; throws with helm's stderr when it fails. */
export function render(values: unknown = {}, extraArgs: string[] = []): KubeObject[] {
  const result = helm(
    ['template', RELEASE, CHART_DIR, '--namespace', NAMESPACE, ...extraArgs],
    values,
  );
  if (result.status !== 0) throw new Error(`helm template failed: ${result.stderr}`);
  return parseRendered(result.stdout);
}

export function find(objects: KubeObject[], kind: string, name: string): KubeObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) {
    const present = objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ');
    throw new Error(`no ${kind} ${name} rendered; rendered: ${present}`);
  }
  return found;
}

export interface PodTemplateView {
  spec: V1PodSpec;
}

export function podTemplate(deployment: KubeObject): PodTemplateView {
  return (deployment.spec as { template: PodTemplateView }).template;
}

export function containerArgs(deployment: KubeObject): string[] {
  return podTemplate(deployment).spec.containers[0]?.args ?? [];
}

/**
 * `helm template --dry-run=server` against the cluster of `kubeconfig`, so `lookup` sees it.
 * Asynchronous: the cluster may be served by this very process (the Kubernetes API stand-in).
 */
export async function renderAgainstCluster(kubeconfig: string): Promise<KubeObject[]> {
  if (!kubeTools.tools) throw new Error(HELM_UNAVAILABLE);
  const home = mkdtempSync(join(tmpdir(), 'orka-chart-'));
  try {
    const { stdout } = await promisify(execFile)(
      kubeTools.tools.helm,
      ['template', RELEASE, CHART_DIR, '--namespace', NAMESPACE, '--dry-run=server'],
      { env: { PATH: process.env.PATH, HOME: home, KUBECONFIG: kubeconfig } },
    );
    return parseRendered(stdout);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
