// What the outer worker hands a sandbox (reference §7.6), as pure functions: the files to stage
// through the file API, the inner worker's environment, and the one shell string the command API
// runs. Token files are staged 0600 and removed when the inner worker exits.
import { posix } from 'node:path';
import type { Env } from '../config.ts';
import { WorkerConfigError } from '../errors.ts';

export const STAGED_WORKER = 'orka-agent-worker';
export const STAGED_SA_TOKEN = 'orka-sa-token';
export const STAGED_TRANSACTION_TOKEN = 'orka-transaction-token';
export const STAGED_SUBJECT_TOKEN = 'orka-context-subject-token';
export const STAGED_ASKPASS = 'orka-git-askpass';
export const ENV_FILE_PREFIX = 'orka-env-';

export interface StagedFile {
  name: string;
  content: Buffer;
  /** applied by the inner command: the file API has no modes */
  mode: 0o600 | 0o700;
}

export interface StagingInput {
  env: Env;
  appDir: string;
  depth: number;
  workerBundle: Buffer;
  serviceAccountToken: string | undefined;
  /** trimmed contents by source path; a variable whose file is missing here is an error */
  tokenFiles: ReadonlyMap<string, string>;
  askpassScript: string;
}

export interface StagingPlan {
  files: StagedFile[];
  innerEnv: Record<string, string>;
  /** staged token paths inside the sandbox, removed after the run and before retaining */
  tokenPaths: string[];
}

/** The token-file variables of reference §7.6, in staging order, with their staged names. */
export const TOKEN_FILE_VARIABLES = [
  ['ORKA_TRANSACTION_TOKEN_FILE', STAGED_TRANSACTION_TOKEN],
  ['ORKA_CONTEXT_TOKEN_SUBJECT_TOKEN_FILE', STAGED_SUBJECT_TOKEN],
] as const;

const DROPPED_FROM_INNER_ENV = ['ORKA_SA_TOKEN', 'ORKA_SA_TOKEN_PATH'];

export function planStaging(input: StagingInput): StagingPlan {
  const at = (name: string) => posix.join(input.appDir, name);
  const innerEnv: Record<string, string> = {};
  for (const [key, value] of Object.entries(input.env)) {
    if (value !== undefined && !DROPPED_FROM_INNER_ENV.includes(key)) innerEnv[key] = value;
  }
  innerEnv.ORKA_AGENT_SANDBOX_ENABLED = 'false';
  innerEnv.ORKA_AGENT_SANDBOX_DEPTH = String(input.depth + 1);

  const files: StagedFile[] = [{ name: STAGED_WORKER, content: input.workerBundle, mode: 0o700 }];
  const tokenPaths: string[] = [];
  if (input.serviceAccountToken) {
    files.push({
      name: STAGED_SA_TOKEN,
      content: Buffer.from(input.serviceAccountToken),
      mode: 0o600,
    });
    innerEnv.ORKA_SA_TOKEN_PATH = at(STAGED_SA_TOKEN);
    tokenPaths.push(at(STAGED_SA_TOKEN));
  }
  const stagedBySource = new Map<string, string>();
  for (const [variable, stagedName] of TOKEN_FILE_VARIABLES) {
    const source = input.env[variable]?.trim();
    if (!source) continue;
    const already = stagedBySource.get(source);
    if (already !== undefined) {
      innerEnv[variable] = already;
      continue;
    }
    const token = input.tokenFiles.get(source);
    if (!token) {
      throw new WorkerConfigError(`${variable} ${source}: the token file is unreadable or empty`);
    }
    files.push({ name: stagedName, content: Buffer.from(token), mode: 0o600 });
    innerEnv[variable] = at(stagedName);
    stagedBySource.set(source, at(stagedName));
    tokenPaths.push(at(stagedName));
  }
  if (input.env.GIT_TOKEN) {
    files.push({ name: STAGED_ASKPASS, content: Buffer.from(input.askpassScript), mode: 0o700 });
    innerEnv.GIT_ASKPASS = at(STAGED_ASKPASS);
  }
  return { files, innerEnv, tokenPaths };
}

export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/**
 * The inner command's argv: make the staged files executable or private, run the worker with the
 * outer's arguments, and remove the token files whatever its exit status.
 */
export function innerArgv(plan: StagingPlan, appDir: string, forwardArgs: string[]): string[] {
  const at = (name: string) => shellQuote(posix.join(appDir, name));
  const executables = plan.files.filter((file) => file.mode === 0o700).map((file) => at(file.name));
  const tokens = plan.tokenPaths.map(shellQuote).join(' ');
  let script = `chmod 0700 ${executables.join(' ')}`;
  if (plan.tokenPaths.length > 0) {
    script += ` && chmod 0600 ${tokens} && ${at(STAGED_WORKER)} "$@"; status=$?; rm -f ${tokens}; exit $status`;
  } else {
    script += ` && exec ${at(STAGED_WORKER)} "$@"`;
  }
  return ['sh', '-c', script, STAGED_WORKER, ...forwardArgs];
}

const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Sorted `export K='v'` lines; a key the shell cannot name or a NUL byte is refused. */
export function envFileText(env: Record<string, string>): string {
  const lines: string[] = [];
  for (const key of Object.keys(env).sort()) {
    const value = env[key]!;
    if (!ENV_KEY.test(key)) {
      throw new WorkerConfigError(
        `environment variable name ${JSON.stringify(key)} cannot be passed into the sandbox`,
      );
    }
    if (value.includes('\0')) {
      throw new WorkerConfigError(`environment variable ${key} contains a NUL byte`);
    }
    lines.push(`export ${key}=${shellQuote(value)}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The one shell string of the command API: source and remove the env file, then run the argv in
 * the workspace. Stdin is not supported by the API.
 */
export function commandString(envFilePath: string, workdir: string, argv: string[]): string {
  const script = [
    `env_file=${shellQuote(envFilePath)}`,
    'set -a',
    '. "$env_file"',
    'env_status=$?',
    'set +a',
    'rm -f "$env_file"',
    'if [ "$env_status" -ne 0 ]; then exit "$env_status"; fi',
    `cd ${shellQuote(workdir)} && ${argv.map(shellQuote).join(' ')}`,
  ].join('; ');
  return `sh -c ${shellQuote(script)}`;
}
