// Shared fixtures of the worker tests: a Pod-like folder layout in a temp dir, stand-in runtime
// executables that record how they were started, a recording HTTP server for the API, and
// `orka worker` run as a real child process.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const ORKA = join(REPO_ROOT, 'bin', 'orka');

export interface PodDirs {
  root: string;
  bin: string;
  workspace: string;
  tmp: string;
  home: string;
  secrets: string;
  session: string;
  saTokenPath: string;
  /** every stand-in run appends one JSON line here */
  record: string;
}

export const SA_TOKEN = 'sa-token-canary-0123456789abcdef';

/** Whether `pid` is gone or a zombie (signals are delivered asynchronously, so callers poll). */
export function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] === 'Z';
  } catch {
    return true;
  }
}

export function podDirs(): PodDirs {
  const root = mkdtempSync(join(tmpdir(), 'orka-worker-'));
  const dirs: PodDirs = {
    root,
    bin: join(root, 'bin'),
    workspace: join(root, 'workspace'),
    tmp: join(root, 'tmp'),
    home: join(root, 'home'),
    secrets: join(root, 'secrets'),
    session: join(root, 'session'),
    saTokenPath: join(root, 'sa-token'),
    record: join(root, 'runs.jsonl'),
  };
  for (const dir of [dirs.bin, dirs.workspace, dirs.tmp, dirs.home, dirs.secrets, dirs.session]) {
    mkdirSync(dir, { recursive: true });
  }
  writeFileSync(dirs.saTokenPath, `${SA_TOKEN}\n`);
  for (const runtime of ['claude', 'codex', 'copilot']) installStandIn(dirs.bin, runtime);
  return dirs;
}

/**
 * A stand-in runtime CLI. It records argv, stdin, cwd and env to $STANDIN_RECORD, then acts on:
 * STANDIN_OUTPUT (printed on stdout), STANDIN_STDERR, STANDIN_EXIT, STANDIN_WRITE ("file=text"
 * written in its cwd), STANDIN_ARTIFACT ("name=text" written to .orka-artifacts/), STANDIN_SLEEP
 * (starts a grandchild and waits forever, for timeouts). As Codex it writes STANDIN_LAST_MESSAGE
 * to the --output-last-message file.
 */
const STAND_IN = `#!/usr/bin/env node
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');
let stdin = '';
try { stdin = fs.readFileSync(0, 'utf8'); } catch {}
const argv = process.argv.slice(2);
fs.appendFileSync(process.env.STANDIN_RECORD, JSON.stringify({
  runtime: path.basename(process.argv[1]), argv, stdin, cwd: process.cwd(), env: process.env,
}) + '\\n');
const e = process.env;
if (e.STANDIN_WRITE) { const [f, t] = e.STANDIN_WRITE.split('='); fs.mkdirSync(path.dirname(f), { recursive: true }); fs.writeFileSync(f, t); }
if (e.STANDIN_ARTIFACT) { const [f, t] = e.STANDIN_ARTIFACT.split('='); fs.writeFileSync(path.join(e.STANDIN_ARTIFACT_DIR || '.orka-artifacts', f), t); }
const last = argv.indexOf('--output-last-message');
if (last >= 0 && e.STANDIN_LAST_MESSAGE) fs.writeFileSync(argv[last + 1], e.STANDIN_LAST_MESSAGE);
if (e.STANDIN_OUTPUT) process.stdout.write(e.STANDIN_OUTPUT);
if (e.STANDIN_STDERR) process.stderr.write(e.STANDIN_STDERR);
if (e.STANDIN_SLEEP) {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  fs.writeFileSync(e.STANDIN_SLEEP, String(child.pid));
  setInterval(() => {}, 1000);
} else {
  process.exitCode = Number(e.STANDIN_EXIT || 0);
}
`;

export function installStandIn(bin: string, name: string): string {
  const path = join(bin, name);
  writeFileSync(path, STAND_IN);
  chmodSync(path, 0o755);
  return path;
}

export interface StandInRun {
  runtime: string;
  argv: string[];
  stdin: string;
  cwd: string;
  env: Record<string, string>;
}

export function standInRuns(dirs: PodDirs): StandInRun[] {
  let text = '';
  try {
    text = readFileSync(dirs.record, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as StandInRun);
}

/** The env of a worker Pod pointing at `dirs`, talking to `controllerUrl`. */
export function podEnv(dirs: PodDirs, controllerUrl: string, extra: Record<string, string> = {}) {
  return {
    PATH: `${dirs.bin}:${process.env.PATH}`,
    STANDIN_RECORD: dirs.record,
    ORKA_TASK_NAME: 'task-1',
    ORKA_TASK_NAMESPACE: 'team-a',
    ORKA_CONTROLLER_URL: controllerUrl,
    ORKA_RESULT_ENDPOINT: `${controllerUrl}/internal/v1/results/team-a/task-1`,
    ORKA_PROMPT: 'Fix the tests',
    ORKA_WORKSPACE_DIR: dirs.workspace,
    ORKA_TMP_DIR: dirs.tmp,
    ORKA_HOME_DIR: dirs.home,
    ORKA_SECRETS_DIR: dirs.secrets,
    ORKA_SESSION_DIR: dirs.session,
    ORKA_SA_TOKEN_PATH: dirs.saTokenPath,
    ORKA_SUBMIT_RETRY_DELAY_MS: '10',
    ...extra,
  };
}

export interface OrkaRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runOrka(args: string[], env: Record<string, string>): Promise<OrkaRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ORKA, ...args], { env, cwd: REPO_ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export interface Reply {
  status: number;
  body?: string;
  contentType?: string;
}

/** An HTTP server that records every request and answers from `reply` (204 by default). */
export class RecordingServer {
  readonly requests: RecordedRequest[] = [];
  reply: (request: RecordedRequest) => Reply = () => ({ status: 204 });
  #server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const recorded = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      this.requests.push(recorded);
      const answer = this.reply(recorded);
      res.statusCode = answer.status;
      if (answer.contentType) res.setHeader('content-type', answer.contentType);
      res.end(answer.body ?? '');
    });
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  posted(pathPrefix: string): RecordedRequest[] {
    return this.requests.filter((r) => r.method === 'POST' && r.url.startsWith(pathPrefix));
  }
}

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'Test',
      GIT_AUTHOR_EMAIL: 'test@example.com',
      GIT_COMMITTER_NAME: 'Test',
      GIT_COMMITTER_EMAIL: 'test@example.com',
    },
  }).trim();
}

export interface Remote {
  /** the bare repository */
  bare: string;
  url: string;
  /** SHAs by name: main1, main2, feature1, ... */
  commits: Record<string, string>;
}

/**
 * A bare remote with: main (two commits, the first tagged v1.0.0) holding README.md and
 * services/api/app.txt, and a branch `feature` with one more commit.
 */
export function makeRemote(root: string, name = 'origin.git'): Remote {
  const bare = join(root, name);
  execFileSync('git', ['init', '-q', '--bare', '-b', 'main', bare]);
  const seed = mkdtempSync(join(root, 'seed-'));
  git(seed, 'init', '-q', '-b', 'main');
  mkdirSync(join(seed, 'services', 'api'), { recursive: true });
  writeFileSync(join(seed, 'README.md'), 'hello\n');
  writeFileSync(join(seed, 'services', 'api', 'app.txt'), 'version 1\n');
  git(seed, 'add', '-A');
  git(seed, 'commit', '-q', '-m', 'first');
  const main1 = git(seed, 'rev-parse', 'HEAD');
  git(seed, 'tag', 'v1.0.0');
  writeFileSync(join(seed, 'services', 'api', 'app.txt'), 'version 2\n');
  git(seed, 'commit', '-q', '-am', 'second');
  const main2 = git(seed, 'rev-parse', 'HEAD');
  git(seed, 'checkout', '-q', '-b', 'feature');
  writeFileSync(join(seed, 'feature.txt'), 'feature work\n');
  git(seed, 'add', '-A');
  git(seed, 'commit', '-q', '-m', 'feature');
  const feature1 = git(seed, 'rev-parse', 'HEAD');
  git(seed, 'push', '-q', bare, 'main', 'feature', 'v1.0.0');
  return { bare, url: `file://${bare}`, commits: { main1, main2, feature1 } };
}
