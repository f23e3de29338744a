// Entry point of the `orka` command: finds the command, parses its flags, runs it, maps errors to
// exit codes (0 success, 1 denied or failed, 2 usage or runtime error).
import { type Command, commands } from './commands.ts';
import { parseCommandLine, UsageError, usage } from './flags.ts';

interface Streams {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: Record<string, string | undefined>;
}

function findCommand(argv: readonly string[]): Command | undefined {
  const longestFirst = [...commands].sort((a, b) => b.path.length - a.path.length);
  return longestFirst.find((command) => command.path.every((word, i) => argv[i] === word));
}

function overview(): string {
  const lines = ['usage: orka <command> [flags]', '', 'commands:'];
  for (const command of commands) lines.push(`  ${command.path.join(' ')}  ${command.summary}`);
  return lines.join('\n');
}

export async function main(
  argv: readonly string[],
  streams: Streams = { stdout: process.stdout, stderr: process.stderr, env: process.env },
): Promise<number> {
  if (argv.length === 1 && (argv[0] === '--help' || argv[0] === '-h')) {
    streams.stdout.write(`${overview()}\n`);
    return 0;
  }
  const command = findCommand(argv);
  if (!command) {
    streams.stderr.write(
      `${argv.length ? `orka: unknown command "${argv.join(' ')}"\n` : ''}${overview()}\n`,
    );
    return 2;
  }
  const name = command.path.join(' ');
  const rest = argv.slice(command.path.length);
  if (rest.includes('--help') || rest.includes('-h')) {
    streams.stdout.write(`${usage(name, command.summary, command.flags)}\n`);
    return 0;
  }
  try {
    const { values, positionals } = parseCommandLine(command.flags, rest, streams.env);
    if (!command.run) {
      streams.stderr.write(`orka ${name}: not implemented yet\n`);
      return 2;
    }
    return await command.run({ values, positionals, ...streams });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const hint = error instanceof UsageError ? ` (see orka ${name} --help)` : '';
    streams.stderr.write(`orka ${name}: ${message}${hint}\n`);
    return 2;
  }
}
