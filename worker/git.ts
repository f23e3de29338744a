// The git workspace (reference §7.3 step 5, §7.4, §7.5): clone a branch or a ref, apply the prior
// Task's diff, and at the end collect the diff and push it. Every command runs with argv free of
// credentials; authentication comes from the env (worker/credentials.ts).
import { execFile } from 'node:child_process';
import { appendFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WorkerRunError } from './errors.ts';
import type { Logger } from './log.ts';

const MAX_GIT_OUTPUT_BYTES = 256 * 1024 * 1024;
/** Paths the worker itself puts in the checkout; never part of the agent's diff. */
export const ARTIFACTS_LINK = '.orka-artifacts';
export const COMMIT_MESSAGE = 'feat: changes from orka agent';
export const COMMIT_AUTHOR = { name: 'Orka AI', email: 'orka@ai' };
/** The remote name the worker adds for a fork (DESIGN §12 X11). */
export const FORK_REMOTE = 'orka-fork';

export class Git {
  constructor(
    private readonly cwd: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly log: Logger,
  ) {}

  run(args: string[], cwd = this.cwd): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(
        'git',
        args,
        { cwd, env: this.env, maxBuffer: MAX_GIT_OUTPUT_BYTES, encoding: 'utf8' },
        (error, stdout, stderr) => {
          if (!error) return resolve(stdout);
          const detail = (stderr || stdout).trim() || error.message;
          reject(new WorkerRunError(`git ${args[0]} failed: ${detail}`));
        },
      );
    });
  }

  /** Whether the command exits 0; for commands whose status is the answer. */
  succeeds(args: string[]): Promise<boolean> {
    return this.run(args).then(
      () => true,
      () => false,
    );
  }

  async tryRun(args: string[]): Promise<boolean> {
    try {
      await this.run(args);
      return true;
    } catch (error) {
      this.log.info((error as Error).message);
      return false;
    }
  }

  head(): Promise<string> {
    return this.run(['rev-parse', 'HEAD']).then((sha) => sha.trim());
  }
}

export interface CloneSpec {
  repo: string;
  branch: string | undefined;
  ref: string | undefined;
}

/** Clones into `workspace` (which must be empty) and checks out the ref if one is given. */
export async function cloneWorkspace(git: Git, workspace: string, spec: CloneSpec): Promise<void> {
  await mkdir(workspace, { recursive: true });
  const args = ['clone'];
  if (spec.branch) args.push('--branch', spec.branch);
  args.push('--single-branch');
  // a ref may be anywhere in history: a shallow clone would not have it
  if (!spec.ref) args.push('--depth=1');
  args.push('--', spec.repo, workspace);
  await git.run(args, join(workspace, '..'));
  await excludeWorkerPaths(workspace);
  if (!spec.ref) return;

  const ref = spec.ref;
  const fetched = await git.tryRun(['fetch', 'origin', ref]);
  if (!fetched) {
    await git.tryRun(['fetch', 'origin', '+refs/heads/*:refs/remotes/origin/*', '--tags']);
  }
  // FETCH_HEAD is the ref only when the ref itself was fetched
  const targets = fetched ? [ref, 'FETCH_HEAD', `origin/${ref}`] : [ref, `origin/${ref}`];
  for (const target of targets) {
    if (await git.tryRun(['checkout', '--detach', target])) return;
  }
  throw new WorkerRunError(
    `git checkout ref failed: "${ref}" is not a commit, tag or branch of the repository`,
  );
}

/** Keeps the worker's own files out of `git add -A` without touching the repository's .gitignore. */
async function excludeWorkerPaths(workspace: string): Promise<void> {
  const infoDir = join(workspace, '.git', 'info');
  await mkdir(infoDir, { recursive: true });
  await appendFile(join(infoDir, 'exclude'), `\n/${ARTIFACTS_LINK}\n`);
}

/**
 * Applies a diff to the working tree (reference §7.4): `git apply --check` first, so a diff that
 * does not fit changes nothing.
 */
export async function applyDiff(git: Git, diff: string, patchPath: string): Promise<void> {
  await writeFile(patchPath, diff, { mode: 0o600 });
  try {
    try {
      await git.run(['apply', '--check', patchPath]);
    } catch (error) {
      throw new WorkerRunError(
        `git apply --check failed: the prior task's diff does not apply: ${(error as Error).message}`,
      );
    }
    await git.run(['apply', patchPath]);
  } finally {
    await rm(patchPath, { force: true });
  }
}

export interface WorkspaceChanges {
  baseSHA: string;
  diff: string;
  files: string[];
}

/**
 * Stages everything and reads the diff against the checkout the agent started from (reference
 * §7.5), so commits the agent made itself are part of it too.
 */
export async function collectChanges(git: Git, baseSHA: string): Promise<WorkspaceChanges> {
  await git.run(['add', '-A']);
  const diff = await git.run(['diff', '--cached', '--binary', '--full-index', baseSHA]);
  const names = await git.run(['diff', '--cached', '--name-only', '-z', baseSHA]);
  return { baseSHA, diff, files: names.split('\0').filter((name) => name !== '') };
}

export interface PushSpec {
  branch: string;
  /** the fork to push to instead of origin (DESIGN §12 X11) */
  forkRepo: string | undefined;
}

/** Commits the staged changes on `branch` and pushes it; returns the new HEAD. */
export async function commitAndPush(git: Git, spec: PushSpec): Promise<string> {
  const author = [
    '-c',
    `user.name=${COMMIT_AUTHOR.name}`,
    '-c',
    `user.email=${COMMIT_AUTHOR.email}`,
  ];
  // the agent may have committed everything itself
  if (!(await git.succeeds(['diff', '--cached', '--quiet']))) {
    await git.run([...author, 'commit', '-q', '-m', COMMIT_MESSAGE]);
  }
  await git.run(['checkout', '-q', '-B', spec.branch]);
  let remote = 'origin';
  if (spec.forkRepo) {
    await git.run(['remote', 'remove', FORK_REMOTE]).catch(() => undefined);
    await git.run(['remote', 'add', FORK_REMOTE, spec.forkRepo]);
    remote = FORK_REMOTE;
  }
  await git.run(['push', '-u', remote, `refs/heads/${spec.branch}:refs/heads/${spec.branch}`]);
  const head = await git.head();
  const listed = await git.run(['ls-remote', '--heads', remote, `refs/heads/${spec.branch}`]);
  if (!listed.startsWith(head)) {
    throw new WorkerRunError(`the pushed branch ${spec.branch} does not show ${head} on ${remote}`);
  }
  return head;
}
