// `orka worker` and `orka worker fetch-session`: the programs of the worker Pod (DESIGN §8). All
// decisions are the worker module's; this file only hands it the flags and streams.
import { runDelegate } from '../worker/delegate-command.ts';
import { fetchSession } from '../worker/fetch-session.ts';
import { runWorker } from '../worker/run.ts';
import type { CommandContext } from './commands.ts';

export function runWorkerCommand(context: CommandContext): Promise<number> {
  return runWorker(String(context.values.runtime ?? ''), {
    stdout: context.stdout,
    stderr: context.stderr,
    env: context.env,
  });
}

export function runFetchSessionCommand(context: CommandContext): Promise<number> {
  return fetchSession({ stderr: context.stderr, env: context.env });
}

export function runDelegateCommand(context: CommandContext): Promise<number> {
  return runDelegate(
    {
      agent: String(context.values.agent ?? ''),
      prompt: context.positionals.join(' '),
      name: String(context.values.name ?? ''),
      file: String(context.values.file ?? ''),
      output: context.values.output === 'json' ? 'json' : 'name',
    },
    { stdout: context.stdout, stderr: context.stderr, env: context.env },
  );
}
