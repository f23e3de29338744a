// The git workspace on real repositories: branch, tag and SHA checkouts, subPath, the prior
// Task's diff applied and refused, and pushes to a branch of origin and of a fork.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  git,
  makeRemote,
  podDirs,
  podEnv,
  RecordingServer,
  runOrka,
  standInRuns,
} from './helpers.ts';

const server = new RecordingServer();
let url = '';
/** the stored result each prior Task name answers with */
const priorResults = new Map<string, string>();
before(async () => {
  server.reply = (request) => {
    const prior = /^\/api\/v1\/tasks\/([^/]+)\/result\?namespace=team-a$/.exec(request.url);
    if (request.method === 'GET' && prior) {
      const stored = priorResults.get(prior[1]!);
      return stored === undefined
        ? { status: 404, body: '{"error":{"code":404,"message":"result not found"}}' }
        : {
            status: 200,
            body: JSON.stringify({ result: stored }),
            contentType: 'application/json',
          };
    }
    return { status: 204 };
  };
  url = await server.start();
});
after(() => server.stop());

interface Structured {
  version: number;
  summary: string;
  baseSHA: string;
  headSHA: string;
  diff?: string;
  files?: string[];
  pushBranch?: string;
  pushError?: string;
}

function lastResult(): Structured {
  const posted = server.posted('/internal/v1/results/team-a/task-1');
  return JSON.parse(posted[posted.length - 1]!.body.toString()) as Structured;
}

describe('checkout', () => {
  const rows = [
    { name: 'default branch, shallow', env: {}, head: 'main2', shallow: true },
    { name: 'a branch', env: { ORKA_GIT_BRANCH: 'feature' }, head: 'feature1', shallow: true },
    { name: 'a tag as ref', env: { ORKA_GIT_REF: 'v1.0.0' }, head: 'main1', shallow: false },
    { name: 'a SHA as ref', env: { ORKA_GIT_REF: 'main1' }, head: 'main1', shallow: false },
    {
      name: 'a SHA on another branch',
      env: { ORKA_GIT_REF: 'feature1' },
      head: 'feature1',
      shallow: false,
    },
  ];
  for (const row of rows) {
    test(row.name, async () => {
      const dirs = podDirs();
      const remote = makeRemote(dirs.root);
      const env: Record<string, string> = { ORKA_GIT_REPO: remote.url };
      for (const [key, value] of Object.entries(row.env)) {
        env[key] = key === 'ORKA_GIT_REF' && remote.commits[value] ? remote.commits[value] : value;
      }
      const run = await runOrka(['worker', '--runtime', 'claude'], podEnv(dirs, url, env));
      assert.equal(run.code, 0, run.stderr);
      assert.equal(git(dirs.workspace, 'rev-parse', 'HEAD'), remote.commits[row.head]);
      assert.equal(
        git(dirs.workspace, 'rev-parse', '--is-shallow-repository'),
        String(row.shallow),
      );
      const result = lastResult();
      assert.equal(result.baseSHA, remote.commits[row.head]);
      assert.equal(result.headSHA, remote.commits[row.head]);
      assert.equal(result.diff, undefined, 'no changes, no diff');
    });
  }

  test('an unknown ref fails the run with the reason', async () => {
    const dirs = podDirs();
    const remote = makeRemote(dirs.root);
    const env = podEnv(dirs, url, { ORKA_GIT_REPO: remote.url, ORKA_GIT_REF: 'v9.9.9' });
    const run = await runOrka(['worker', '--runtime', 'claude'], env);
    assert.equal(run.code, 1);
    assert.deepEqual(standInRuns(dirs), []);
    const posted = server.posted('/internal/v1/results/team-a/task-1');
    assert.match(
      posted[posted.length - 1]!.body.toString(),
      /^Error: git checkout ref failed: "v9.9.9" is not a commit, tag or branch/,
    );
  });

  test('subPath is the runtime working directory; the diff covers the whole repository', async () => {
    const dirs = podDirs();
    const remote = makeRemote(dirs.root);
    const env = podEnv(dirs, url, {
      ORKA_GIT_REPO: remote.url,
      ORKA_WORKSPACE_SUBPATH: './services/api/',
      STANDIN_WRITE: 'app.txt=version 3\n',
      STANDIN_OUTPUT: 'bumped the version',
    });
    const run = await runOrka(['worker', '--runtime', 'claude'], env);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(standInRuns(dirs)[0]!.cwd, join(dirs.workspace, 'services', 'api'));
    const result = lastResult();
    assert.equal(result.summary, 'bumped the version');
    assert.deepEqual(result.files, ['services/api/app.txt']);
    assert.match(result.diff!, /^-version 2$/m);
    assert.match(result.diff!, /^\+version 3$/m);
  });

  test('a subPath that climbs out of the checkout is a config error', async () => {
    const dirs = podDirs();
    const env = podEnv(dirs, url, {
      ORKA_GIT_REPO: 'file:///nowhere',
      ORKA_WORKSPACE_SUBPATH: 'a/../../etc',
    });
    const run = await runOrka(['worker', '--runtime', 'claude'], env);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /ORKA_WORKSPACE_SUBPATH "a\/..\/..\/etc" contains path traversal/);
  });
});

describe('prior task diff', () => {
  function diffOf(remoteUrl: string, root: string, edit: (dir: string) => void): string {
    const scratch = join(root, `scratch-${Math.random().toString(16).slice(2)}`);
    execFileSync('git', ['clone', '-q', remoteUrl, scratch]);
    edit(scratch);
    git(scratch, 'add', '-A');
    return execFileSync('git', ['diff', '--cached', '--binary', '--full-index'], {
      cwd: scratch,
      encoding: 'utf8',
    });
  }

  test('is applied to the checkout before the runtime starts', async () => {
    const dirs = podDirs();
    const remote = makeRemote(dirs.root);
    const diff = diffOf(remote.url, dirs.root, (dir) => {
      execFileSync('sh', ['-c', 'echo "from the prior task" > prior.txt'], { cwd: dir });
    });
    priorResults.set(
      'prior-ok',
      JSON.stringify({ version: 1, summary: 'x', baseSHA: remote.commits.main2, diff }),
    );
    const env = podEnv(dirs, url, { ORKA_GIT_REPO: remote.url, ORKA_PRIOR_TASK: 'prior-ok' });
    const run = await runOrka(['worker', '--runtime', 'claude'], env);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(readFileSync(join(dirs.workspace, 'prior.txt'), 'utf8'), 'from the prior task\n');
    const fetched = server.requests.filter((r) => r.url.startsWith('/api/v1/tasks/prior-ok/'));
    assert.equal(fetched.length, 1);
    assert.match(fetched[0]!.headers.authorization!, /^Bearer sa-token-canary/);
    // the applied diff is part of this Task's diff, so a chain of Tasks accumulates
    assert.deepEqual(lastResult().files, ['prior.txt']);
  });

  test('that does not apply is refused before the runtime starts', async () => {
    const dirs = podDirs();
    const remote = makeRemote(dirs.root);
    const diff = diffOf(remote.url, dirs.root, (dir) => {
      execFileSync('sh', ['-c', 'echo changed > README.md'], { cwd: dir });
    }).replace('-hello', '-something else');
    priorResults.set(
      'prior-bad',
      JSON.stringify({ version: 1, summary: 'x', baseSHA: 'abc', diff }),
    );
    const env = podEnv(dirs, url, { ORKA_GIT_REPO: remote.url, ORKA_PRIOR_TASK: 'prior-bad' });
    const run = await runOrka(['worker', '--runtime', 'claude'], env);
    assert.equal(run.code, 1);
    assert.deepEqual(standInRuns(dirs), []);
    assert.equal(readFileSync(join(dirs.workspace, 'README.md'), 'utf8'), 'hello\n');
    assert.match(lastResult().summary, /^Error: git apply --check failed/);
  });

  test('a plain-text prior result has no diff and changes nothing', async () => {
    const dirs = podDirs();
    const remote = makeRemote(dirs.root);
    priorResults.set('prior-text', 'just an answer');
    const env = podEnv(dirs, url, { ORKA_GIT_REPO: remote.url, ORKA_PRIOR_TASK: 'prior-text' });
    const run = await runOrka(['worker', '--runtime', 'claude'], env);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(lastResult().diff, undefined);
  });

  test('a prior task without a result fails the run with the API answer', async () => {
    const dirs = podDirs();
    const remote = makeRemote(dirs.root);
    const env = podEnv(dirs, url, { ORKA_GIT_REPO: remote.url, ORKA_PRIOR_TASK: 'prior-none' });
    const run = await runOrka(['worker', '--runtime', 'claude'], env);
    assert.equal(run.code, 1);
    assert.match(lastResult().summary, /HTTP 404: .*result not found/);
  });
});

describe('push', () => {
  test('commits and pushes to pushBranch on origin', async () => {
    const dirs = podDirs();
    const remote = makeRemote(dirs.root);
    const env = podEnv(dirs, url, {
      ORKA_GIT_REPO: remote.url,
      ORKA_PUSH_BRANCH: 'orka/fix',
      ORKA_REQUIRE_PUSH_BRANCH: 'true',
      STANDIN_WRITE: 'fix.txt=fixed\n',
    });
    const run = await runOrka(['worker', '--runtime', 'claude'], env);
    assert.equal(run.code, 0, run.stderr);
    const result = lastResult();
    assert.equal(result.pushBranch, 'orka/fix');
    assert.equal(git(remote.bare, 'rev-parse', 'refs/heads/orka/fix'), result.headSHA);
    assert.notEqual(result.headSHA, result.baseSHA);
    assert.equal(
      git(remote.bare, 'log', '-1', '--format=%s|%an|%ae', 'orka/fix'),
      'feat: changes from orka agent|Orka AI|orka@ai',
    );
    assert.equal(git(remote.bare, 'show', 'orka/fix:fix.txt'), 'fixed');
  });

  test('pushes to forkRepo when set, leaving origin untouched', async () => {
    const dirs = podDirs();
    const remote = makeRemote(dirs.root);
    const fork = { bare: join(dirs.root, 'fork.git') };
    execFileSync('git', ['clone', '-q', '--bare', remote.bare, fork.bare]);
    const env = podEnv(dirs, url, {
      ORKA_GIT_REPO: remote.url,
      ORKA_FORK_REPO: `file://${fork.bare}`,
      ORKA_PR_BASE_BRANCH: 'main',
      ORKA_PUSH_BRANCH: 'my-change',
      ORKA_REQUIRE_PUSH_BRANCH: 'true',
      STANDIN_WRITE: 'fix.txt=fixed\n',
    });
    const run = await runOrka(['worker', '--runtime', 'claude'], env);
    assert.equal(run.code, 0, run.stderr);
    const result = lastResult();
    assert.equal(git(fork.bare, 'rev-parse', 'refs/heads/my-change'), result.headSHA);
    assert.throws(() => git(remote.bare, 'rev-parse', '--verify', '-q', 'refs/heads/my-change'));
  });

  test('a required push without changes fails the run', async () => {
    const dirs = podDirs();
    const remote = makeRemote(dirs.root);
    const env = podEnv(dirs, url, {
      ORKA_GIT_REPO: remote.url,
      ORKA_PUSH_BRANCH: 'orka/empty',
      ORKA_REQUIRE_PUSH_BRANCH: 'true',
    });
    const run = await runOrka(['worker', '--runtime', 'claude'], env);
    assert.equal(run.code, 1);
    const result = lastResult();
    assert.equal(
      result.pushError,
      'ORKA_PUSH_BRANCH=orka/empty but no workspace diff was produced',
    );
    assert.match(result.summary, /^Error: ORKA_PUSH_BRANCH=orka\/empty but no workspace diff/);
  });

  test('a rejected push is reported as pushError', async () => {
    const dirs = podDirs();
    const remote = makeRemote(dirs.root);
    const env = podEnv(dirs, url, {
      ORKA_GIT_REPO: remote.url,
      ORKA_FORK_REPO: `file://${join(dirs.root, 'no-such-fork.git')}`,
      ORKA_PUSH_BRANCH: 'orka/fix',
      ORKA_REQUIRE_PUSH_BRANCH: 'true',
      STANDIN_WRITE: 'fix.txt=fixed\n',
    });
    const run = await runOrka(['worker', '--runtime', 'claude'], env);
    assert.equal(run.code, 1);
    assert.match(lastResult().pushError!, /^failed to push to orka\/fix: git push failed/);
  });
});
