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

/** The version images/worker-claude.Dockerfile installs: the test runs what the image ships. */
export function pinnedClaudeCodeVersion(): string {
  const dockerfile = readFileSync(
    join(repositoryRoot, 'images', 'worker-claude.Dockerfile'),
    'utf8',
  );
  const version = /^ARG CLAUDE_CODE_VERSION=(\S+)$/m.exec(dockerfile)?.[1];
  if (!version) throw new Error('images/worker-claude.Dockerfile has no ARG CLAUDE_CODE_VERSION');
  return version;
}

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
  const prefix = join(
    env.ORKA_AGENT_CLI_CACHE || join(repositoryRoot, '.cache', 'agent-clis'),
    `claude-code-${version}`,
  );
  const binary = join(prefix, 'node_modules', pkg, 'claude');
  if (existsSync(binary)) return { path: binary, version };
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
      `@anthropic-ai/claude-code@${version}`,
    ],
    { encoding: 'utf8', timeout: INSTALL_TIMEOUT_MS },
  );
  if (install.status !== 0 || !existsSync(binary)) {
    const why =
      install.error?.message ??
      (install.stderr || install.stdout || '').trim().split('\n').slice(-3).join(' / ');
    return {
      skip: `could not install @anthropic-ai/claude-code@${version} into ${prefix}: ${why || `exit ${install.status}, no ${pkg} binary`}`,
    };
  }
  return { path: binary, version };
}

/** The version images/worker-copilot.Dockerfile installs: the test runs what the image ships. */
export function pinnedCopilotCliVersion(): string {
  const dockerfile = readFileSync(
    join(repositoryRoot, 'images', 'worker-copilot.Dockerfile'),
    'utf8',
  );
  const version = /^ARG COPILOT_CLI_VERSION=(\S+)$/m.exec(dockerfile)?.[1];
  if (!version) throw new Error('images/worker-copilot.Dockerfile has no ARG COPILOT_CLI_VERSION');
  return version;
}

/**
 * The Copilot CLI's npm entry (`npm-loader.js`, what the image's `copilot` links to), installing
 * the pinned version into the cache when missing. npm installs the platform binary it starts as an
 * optional dependency; no install script is involved.
 */
export function copilotCli(env: NodeJS.ProcessEnv = process.env): AgentCli {
  const version = pinnedCopilotCliVersion();
  const prefix = join(
    env.ORKA_AGENT_CLI_CACHE || join(repositoryRoot, '.cache', 'agent-clis'),
    `copilot-${version}`,
  );
  const loader = join(prefix, 'node_modules', '@github', 'copilot', 'npm-loader.js');
  if (existsSync(loader)) return { path: loader, version };
  try {
    mkdirSync(prefix, { recursive: true });
  } catch (error) {
    return { skip: `cannot create the cache ${prefix}: ${(error as Error).message}` };
  }
  const spec = `@github/copilot@${version}`;
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
  if (install.status !== 0 || !existsSync(loader)) {
    const why =
      install.error?.message ??
      (install.stderr || install.stdout || '').trim().split('\n').slice(-3).join(' / ');
    return {
      skip: `could not install ${spec} into ${prefix}: ${why || `exit ${install.status}, no npm-loader.js`}`,
    };
  }
  return { path: loader, version };
}
