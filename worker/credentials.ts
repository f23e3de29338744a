// Git credentials for private repositories (reference §7.3 step 2). The token is read from the
// mounted gitSecretRef and handed to git only through the environment of its processes and an
// askpass helper that prints it on request: never in argv, remote URLs, `.git/config` or logs.
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { GIT_SECRET_DIR, SECRETS_DIR } from '../reconcilers/job/constants.ts';
import { readSmallFile } from './redact.ts';

/** Keys of the git Secret that may hold the token, in order of preference. */
export const GIT_TOKEN_KEYS = ['token', 'password', 'GITHUB_TOKEN'] as const;
export const GIT_USERNAME_KEY = 'username';
/** What GitHub and most hosts accept as the user name of a token. */
export const DEFAULT_GIT_USERNAME = 'x-access-token';
export const ASKPASS_FILE = 'orka-git-askpass';

// git asks "Username for '<url>': " then "Password for '<url>': "; the values come from the env.
export const ASKPASS_SCRIPT = `#!/bin/sh
case "$1" in
  Username*) printf '%s\\n' "\${GIT_USERNAME:-${DEFAULT_GIT_USERNAME}}" ;;
  *) printf '%s\\n' "$GIT_TOKEN" ;;
esac
`;

export interface GitCredentials {
  token: string;
  username: string | undefined;
}

export function gitSecretDir(secretsDir: string): string {
  return join(secretsDir, relative(SECRETS_DIR, GIT_SECRET_DIR));
}

export async function readGitCredentials(secretsDir: string): Promise<GitCredentials | undefined> {
  const dir = gitSecretDir(secretsDir);
  for (const key of GIT_TOKEN_KEYS) {
    const token = (await readSmallFile(join(dir, key)))?.trim();
    if (token) {
      const username = (await readSmallFile(join(dir, GIT_USERNAME_KEY)))?.trim() || undefined;
      return { token, username };
    }
  }
  return undefined;
}

/**
 * The env that lets git (the worker's and the agent's) authenticate: the token in GIT_TOKEN and
 * GITHUB_TOKEN (Copilot's CLI reads the latter), the askpass helper, and no terminal prompt.
 */
export async function gitCredentialEnv(
  credentials: GitCredentials | undefined,
  tmpDir: string,
): Promise<Record<string, string>> {
  const env: Record<string, string> = { GIT_TERMINAL_PROMPT: '0' };
  if (!credentials) return env;
  await mkdir(tmpDir, { recursive: true });
  const askpass = join(tmpDir, ASKPASS_FILE);
  await writeFile(askpass, ASKPASS_SCRIPT, { mode: 0o700 });
  env.GIT_ASKPASS = askpass;
  env.GIT_TOKEN = credentials.token;
  env.GITHUB_TOKEN = credentials.token;
  if (credentials.username) env.GIT_USERNAME = credentials.username;
  return env;
}
