// `orka worker`, `orka worker fetch-session` and `orka worker delegate`: the programs of the worker
// Pod (DESIGN §8). All decisions are the worker module's; this file only hands it the flags and
// streams. Each imports only its own program: the init container and `delegate` run in every Pod
// and need neither the runtimes nor the sandbox's Kubernetes client that `runWorker` brings.
import type { CommandContext } from './commands.ts';

export async function runWorkerCommand(context: CommandContext): Promise<number> {
  const { runWorker } = await import('../worker/run.ts');
  return runWorker(String(context.values.runtime ?? ''), {
    stdout: context.stdout,
    stderr: context.stderr,
    env: context.env,
  });
}

export async function runFetchSessionCommand(context: CommandContext): Promise<number> {
  const { fetchSession } = await import('../worker/fetch-session.ts');
  return fetchSession({ stderr: context.stderr, env: context.env });
}

export async function runDelegateCommand(context: CommandContext): Promise<number> {
  const { runDelegate } = await import('../worker/delegate-command.ts');
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
