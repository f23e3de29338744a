// Claude Code (reference §7.2, DESIGN §12 X5): the system prompt is appended, never replacing the
// CLI's own, which carries its tool instructions.
import type { Invocation, InvocationInput } from './invocation.ts';

export function claudeInvocation({ config, permissions, prompt }: InvocationInput): Invocation {
  const { agent } = config;
  const args = ['--print', '--verbose'];
  if (agent.model) args.push('--model', agent.model);
  if (agent.systemPrompt) args.push('--append-system-prompt', agent.systemPrompt);
  args.push('--max-turns', String(permissions.maxTurns));
  if (permissions.allowBash) args.push('--dangerously-skip-permissions');
  for (const tool of permissions.allowedTools) args.push('--allowedTools', tool);
  for (const tool of permissions.disallowedTools) args.push('--disallowedTools', tool);
  args.push('-p', prompt);
  return {
    runtime: 'claude',
    command: agent.cliPaths.claude,
    args,
    env: { HOME: config.paths.home },
    files: [],
    timeoutSeconds: agent.timeoutSeconds,
  };
}
