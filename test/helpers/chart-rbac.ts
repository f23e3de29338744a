// The chart's RBAC for tests that run Orka's components against the Kubernetes API stand-in: the
// ServiceAccounts, Roles, ClusterRoles and bindings `helm template` renders, cached per chart
// content in .cache/chart-rbac/ (a suite run renders once, not once per test file), applied to a
// stand-in that decides the component identities by them — a call the chart does not grant is
// refused with 403 as a real apiserver would.

import { spawnSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoreV1Api, type KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import { parseAllDocuments, stringify } from 'yaml';
import {
  componentUser,
  type KubeStandin,
  type KubeStandinOptions,
  type OrkaComponent,
  RELEASE_NAMESPACE,
  startKubeStandin,
} from '../kube/index.ts';
import { KUBE_TOOLS_PACKAGE, obtainKubeTools } from './kube-tools.ts';

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));
export const CHART_DIR = join(repositoryRoot, 'charts', 'orka');
export const CHART_RELEASE = 'orka';

/** Values under which every RBAC rule the chart can render exists (the agent-sandbox rules too). */
export const ALL_FEATURES_VALUES = { controller: { agentSandbox: { enabled: true } } };

export const RBAC_KINDS = [
  'ServiceAccount',
  'Role',
  'ClusterRole',
  'RoleBinding',
  'ClusterRoleBinding',
] as const;

export interface RenderedObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [field: string]: unknown };
  [field: string]: unknown;
}

function chartFiles(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) found.push(...chartFiles(path));
    else found.push(path);
  }
  return found;
}

/** Changes with any chart file, the values and the helm version, so a stale render is never used. */
function cacheKey(values: unknown): string {
  const hash = createHash('sha256');
  hash.update(KUBE_TOOLS_PACKAGE).update(JSON.stringify(values));
  for (const file of chartFiles(CHART_DIR)) {
    hash.update(relative(CHART_DIR, file)).update(readFileSync(file));
  }
  return hash.digest('hex').slice(0, 24);
}

function helmTemplate(values: unknown): string {
  const home = mkdtempSync(join(tmpdir(), 'orka-chart-rbac-'));
  try {
    writeFileSync(join(home, 'values.yaml'), stringify(values));
    const result = spawnSync(
      obtainKubeTools().helm,
      [
        'template',
        CHART_RELEASE,
        CHART_DIR,
        '--namespace',
        RELEASE_NAMESPACE,
        '--values',
        join(home, 'values.yaml'),
      ],
      { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: home } },
    );
    if (result.error) throw result.error;
    if (result.status !== 0) {
      throw new Error(`helm template of ${CHART_DIR} failed: ${result.stderr.trim()}`);
    }
    return result.stdout;
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/** The RBAC objects (and ServiceAccounts) the chart renders with these values. */
export function renderChartRbac(values: unknown = ALL_FEATURES_VALUES): RenderedObject[] {
  const cacheDir =
    process.env.ORKA_CHART_RBAC_CACHE || join(repositoryRoot, '.cache', 'chart-rbac');
  const cached = join(cacheDir, `${cacheKey(values)}.json`);
  if (existsSync(cached)) return JSON.parse(readFileSync(cached, 'utf8')) as RenderedObject[];
  const objects: RenderedObject[] = [];
  for (const document of parseAllDocuments(helmTemplate(values))) {
    if (document.errors.length > 0) throw new Error(`helm template output: ${document.errors[0]}`);
    const object = document.toJS() as RenderedObject | null;
    if (object && (RBAC_KINDS as readonly string[]).includes(object.kind)) objects.push(object);
  }
  mkdirSync(cacheDir, { recursive: true });
  // Written beside its final name and renamed, so a concurrent test file never reads half of it.
  const partial = `${cached}.${randomUUID()}.tmp`;
  writeFileSync(partial, JSON.stringify(objects));
  renameSync(partial, cached);
  return objects;
}

const statusOf = (error: unknown) => (error as { code?: number }).code;

/** Creates the chart's RBAC objects in the stand-in (as its admin), the release namespace first. */
export async function applyChartRbac(
  standin: KubeStandin,
  values: unknown = ALL_FEATURES_VALUES,
): Promise<void> {
  const core = standin.kubeConfig.makeApiClient(CoreV1Api);
  await core
    .createNamespace({ body: { metadata: { name: RELEASE_NAMESPACE } } })
    .catch((error: unknown) => {
      if (statusOf(error) !== 409) throw error;
    });
  const objects = KubernetesObjectApi.makeApiClient(standin.kubeConfig);
  for (const object of renderChartRbac(values)) {
    await objects.create(object as never);
  }
}

/**
 * A stand-in that decides Orka's component identities by the chart's rendered RBAC (test users
 * keep `options.authorizer`), with the chart's objects applied and a token for each component.
 */
export async function startStandinWithChartRbac(
  options: Omit<KubeStandinOptions, 'componentRbac'> = {},
  values: unknown = ALL_FEATURES_VALUES,
): Promise<KubeStandin> {
  const standin = await startKubeStandin({ ...options, componentRbac: true });
  await applyChartRbac(standin, values);
  standin.addUser(componentUser('controller'));
  standin.addUser(componentUser('webhook'));
  return standin;
}

/** A KubeConfig that authenticates as the component's ServiceAccount (the controller by default). */
export function componentKubeConfig(
  standin: KubeStandin,
  component: Exclude<OrkaComponent, 'worker'> = 'controller',
  namespace?: string,
): KubeConfig {
  return standin.kubeConfigFor(componentUser(component).username, namespace);
}

/** A kubeconfig file for the component's ServiceAccount, for a component run as a child process. */
export async function writeComponentKubeconfig(
  standin: KubeStandin,
  path: string,
  component: Exclude<OrkaComponent, 'worker'> = 'controller',
): Promise<void> {
  await standin.writeKubeconfig(path, componentUser(component).username);
}
