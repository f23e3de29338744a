// Codex CLI (reference §7.2). The prompt goes on stdin; the system prompt and the permission
// guidance go to an instructions file, because the CLI has no flags for tool lists or turns.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { posix } from 'node:path';
import { WorkerRunError } from '../errors.ts';
import type { Permissions } from '../permissions.ts';
import type { Invocation, InvocationInput } from './invocation.ts';

export const CODEX_LAST_MESSAGE_FILE = 'orka-codex-last-message.txt';
export const CODEX_INSTRUCTIONS_FILE = 'orka-codex-instructions.md';
export const CODEX_WITHOUT_BASH =
  'codex runtime requires allowBash=true because the Codex CLI cannot disable shell execution';

/** Fails before anything is cloned or started (DESIGN: earlier than the reference's X9). */
export function assertCodexRunnable(permissions: Permissions): void {
  if (!permissions.allowBash) throw new WorkerRunError(CODEX_WITHOUT_BASH);
}

const normaliseTool = (tool: string) => tool.toLowerCase().replace(/[-_ ]/g, '');

/** `disabled` when web search is disallowed or left out of a non-empty allowlist. */
export function webSearchSetting(permissions: Permissions): 'live' | 'disabled' | undefined {
  if (permissions.disallowedTools.some((tool) => normaliseTool(tool) === 'websearch')) {
    return 'disabled';
  }
  if (permissions.allowedTools.length === 0) return undefined;
  return permissions.allowedTools.some((tool) => normaliseTool(tool) === 'websearch')
    ? 'live'
    : 'disabled';
}

export function codexInstructions(systemPrompt: string | undefined, permissions: Permissions) {
  const lines = ['Additional runtime guidance:'];
  lines.push(`- Try to complete this task within ${permissions.maxTurns} turns.`);
  if (permissions.allowedTools.length > 0) {
    lines.push(
      `- Respect this requested tool allowlist when possible: ${permissions.allowedTools.join(', ')}.`,
    );
  }
  if (permissions.disallowedTools.length > 0) {
    lines.push(`- Do not use these tools: ${permissions.disallowedTools.join(', ')}.`);
  }
  const webSearch = webSearchSetting(permissions);
  if (webSearch === 'disabled') lines.push('- Web search is not available for this task.');
  if (webSearch === 'live') lines.push('- Web search is available for this task.');
  const guidance = lines.join('\n');
  return systemPrompt ? `${systemPrompt}\n\n${guidance}\n` : `${guidance}\n`;
}

export function codexInvocation(
  { config, permissions, prompt }: InvocationInput,
  bypassSandbox: boolean,
): Invocation {
  const { agent, paths } = config;
  const resultFile = posix.join(paths.tmp, CODEX_LAST_MESSAGE_FILE);
  const instructionsFile = posix.join(paths.tmp, CODEX_INSTRUCTIONS_FILE);
  const args = ['exec', '--skip-git-repo-check', '--ephemeral', '--color', 'never'];
  args.push('--output-last-message', resultFile);
  args.push('--config', 'approval_policy=never');
  args.push('--config', `model_auto_compact_token_limit=${agent.codex.autoCompactTokenLimit}`);
  if (bypassSandbox) args.push('--dangerously-bypass-approvals-and-sandbox');
  else args.push('--sandbox', agent.codex.sandboxMode);
  if (agent.model) args.push('--model', agent.model);
  args.push('--config', `model_instructions_file=${instructionsFile}`);
  if (agent.codex.openaiBaseUrl) {
    args.push('--config', `openai_base_url=${agent.codex.openaiBaseUrl}`);
  }
  if (!bypassSandbox && agent.codex.sandboxMode === 'workspace-write') {
    args.push('--config', 'sandbox_workspace_write.network_access=true');
  }
  const webSearch = webSearchSetting(permissions);
  if (webSearch) args.push('--config', `web_search=${webSearch}`);
  args.push('-');

  const env: Record<string, string> = { HOME: paths.home };
  return {
    runtime: 'codex',
    command: agent.cliPaths.codex,
    args,
    stdin: prompt,
    env,
    files: [
      { path: instructionsFile, content: codexInstructions(agent.systemPrompt, permissions) },
    ],
    resultFile,
    timeoutSeconds: agent.timeoutSeconds,
  };
}

/** The Codex CLI reads CODEX_API_KEY; Agent Secrets usually carry OPENAI_API_KEY. */
export function codexApiKeyEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  return !env.CODEX_API_KEY && env.OPENAI_API_KEY ? { CODEX_API_KEY: env.OPENAI_API_KEY } : {};
}

const NAMESPACE_DENIED =
  /(bwrap|unshare)[^\n]*(Operation not permitted|Permission denied|No permissions to create new namespace|Creating new namespace failed)/i;

/** The Codex sandbox (bubblewrap) failed because the node forbids user namespaces. */
export function namespaceDenied(output: string): boolean {
  return NAMESPACE_DENIED.test(output);
}

/**
 * Whether the Codex sandbox cannot work here, decided before the first run (reference §7.2):
 * user namespaces switched off, or `unshare -Ur true` refused.
 */
export async function userNamespacesUnavailable(): Promise<boolean> {
  for (const path of [
    '/proc/sys/kernel/unprivileged_userns_clone',
    '/proc/sys/user/max_user_namespaces',
  ]) {
    const value = await readFile(path, 'utf8').catch(() => undefined);
    if (value?.trim() === '0') return true;
  }
  return new Promise((resolve) => {
    execFile('unshare', ['-Ur', 'true'], (error, _stdout, stderr) => {
      resolve(error !== null && /permitted|permission/i.test(`${stderr} ${error.message}`));
    });
  });
}
