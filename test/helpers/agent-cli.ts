// The real Claude Code CLI for tests, without making it a dependency: installed once with
// `npm install --prefix <cache>` at the version the worker image pins, and kept in
// .cache/agent-clis/ (ORKA_AGENT_CLI_CACHE overrides) for later runs. The npm package's postinstall
// (which npm does not run unless allowed) only copies the platform binary over a placeholder, so
// the platform package's binary is used directly.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { arch, platform } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));
const INSTALL_TIMEOUT_MS = 10 * 60 * 1000;

/** The version a worker image's Dockerfile pins with `ARG <arg>=`: tests run what the image ships. */
function pinnedVersion(dockerfile: string, arg: string): string {
  const text = readFileSync(join(repositoryRoot, 'images', dockerfile), 'utf8');
  const version = new RegExp(`^ARG ${arg}=(\\S+)$`, 'm').exec(text)?.[1];
  if (!version) throw new Error(`images/${dockerfile} has no ARG ${arg}`);
  return version;
}

export const pinnedClaudeCodeVersion = (): string =>
  pinnedVersion('worker-claude.Dockerfile', 'CLAUDE_CODE_VERSION');

export const pinnedCopilotCliVersion = (): string =>
  pinnedVersion('worker-copilot.Dockerfile', 'COPILOT_CLI_VERSION');

/**
 * Installs `spec` into `prefix` unless `installed` (the file the caller needs) is already there;
 * `{ skip }` says why it could not be had (no registry, the cache not writable).
 */
function installIntoCache(
  prefix: string,
  spec: string,
  installed: string,
  missing: string,
): { skip: string } | undefined {
  if (existsSync(installed)) return undefined;
  try {
    mkdirSync(prefix, { recursive: true });
  } catch (error) {
    return { skip: `cannot create the cache ${prefix}: ${(error as Error).message}` };
  }
  const install = spawnSync(
    'npm',
    [
      'install',
      '--prefix',
      prefix,
      '--no-save',
      '--no-package-lock',
      '--no-audit',
      '--no-fund',
      spec,
    ],
    { encoding: 'utf8', timeout: INSTALL_TIMEOUT_MS },
  );
  if (install.status !== 0 || !existsSync(installed)) {
    const why =
      install.error?.message ??
      (install.stderr || install.stdout || '').trim().split('\n').slice(-3).join(' / ');
    return {
      skip: `could not install ${spec} into ${prefix}: ${why || `exit ${install.status}, ${missing}`}`,
    };
  }
  return undefined;
}

const cacheFolder = (env: NodeJS.ProcessEnv, name: string) =>
  join(env.ORKA_AGENT_CLI_CACHE || join(repositoryRoot, '.cache', 'agent-clis'), name);

function platformPackage(): string | undefined {
  const cpu = { x64: 'x64', arm64: 'arm64' }[arch()];
  if (!cpu || !['linux', 'darwin'].includes(platform())) return undefined;
  const header = (process.report.getReport() as { header?: { glibcVersionRuntime?: string } })
    .header;
  const musl = platform() === 'linux' && !header?.glibcVersionRuntime;
  return `@anthropic-ai/claude-code-${platform()}-${cpu}${musl ? '-musl' : ''}`;
}

export type AgentCli = { path: string; version: string } | { skip: string };

/**
 * The `claude` binary, installing it into the cache when missing; `{ skip }` says why it cannot
 * be had on this machine (no registry, an unsupported platform).
 */
export function claudeCodeCli(env: NodeJS.ProcessEnv = process.env): AgentCli {
  const version = pinnedClaudeCodeVersion();
  const pkg = platformPackage();
  if (!pkg) return { skip: `Claude Code ships no binary for ${platform()}-${arch()}` };
  const prefix = cacheFolder(env, `claude-code-${version}`);
  const binary = join(prefix, 'node_modules', pkg, 'claude');
  const failed = installIntoCache(
    prefix,
    `@anthropic-ai/claude-code@${version}`,
    binary,
    `no ${pkg} binary`,
  );
  return failed ?? { path: binary, version };
}

/**
 * The Copilot CLI's npm entry (`npm-loader.js`, what the image's `copilot` links to), installing
 * the pinned version into the cache when missing. npm installs the platform binary it starts as an
 * optional dependency; no install script is involved.
 */
export function copilotCli(env: NodeJS.ProcessEnv = process.env): AgentCli {
  const version = pinnedCopilotCliVersion();
  const prefix = cacheFolder(env, `copilot-${version}`);
  const loader = join(prefix, 'node_modules', '@github', 'copilot', 'npm-loader.js');
  const failed = installIntoCache(prefix, `@github/copilot@${version}`, loader, 'no npm-loader.js');
  return failed ?? { path: loader, version };
}
