// GitHub Copilot through its CLI in programmatic mode (the default, ORKA_COPILOT_MODE=cli). The
// reference drives the Copilot SDK instead: that is ORKA_COPILOT_MODE=sdk (copilot-sdk.ts). The CLI
// has no system-prompt or max-turns flag: the system prompt leads the prompt text, max turns is
// logged.
import type { Invocation, InvocationInput } from './invocation.ts';

/** The reference's Copilot default when the Task sets no timeout. */
export const COPILOT_DEFAULT_TIMEOUT_SECONDS = 20 * 60;
/** Copilot CLI's name for the shell tool. */
export const COPILOT_SHELL_TOOL = 'shell';

export function copilotPrompt(systemPrompt: string | undefined, prompt: string): string {
  return systemPrompt
    ? `<system-instructions>\n${systemPrompt}\n</system-instructions>\n\n${prompt}`
    : prompt;
}

export function copilotInvocation({ config, permissions, prompt }: InvocationInput): Invocation {
  const { agent } = config;
  const args: string[] = [];
  if (agent.model) args.push('--model', agent.model);
  args.push('--allow-all-tools', '--no-ask-user', '-s');
  if (permissions.allowedTools.length > 0) {
    args.push('--available-tools', permissions.allowedTools.join(','));
  }
  if (permissions.disallowedTools.length > 0) {
    args.push('--excluded-tools', permissions.disallowedTools.join(','));
  }
  if (!permissions.allowBash) args.push('--deny-tool', COPILOT_SHELL_TOOL);
  args.push('-p', copilotPrompt(agent.systemPrompt, prompt));
  return {
    runtime: 'copilot',
    command: agent.cliPaths.copilot,
    args,
    env: { HOME: config.paths.home },
    files: [],
    timeoutSeconds: agent.timeoutSeconds || COPILOT_DEFAULT_TIMEOUT_SECONDS,
  };
}
