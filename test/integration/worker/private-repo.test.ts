// A private repository behind a local smart-HTTP server (`git http-backend` over node:http) that
// demands Basic credentials. The worker clones and pushes with the gitSecretRef token, and the
// token appears nowhere it must not: child argv, logs, .git/config, remote URLs, the result.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import {
  git,
  makeRemote,
  podDirs,
  podEnv,
  RecordingServer,
  runOrka,
  standInRuns,
} from './helpers.ts';

const TOKEN = 'ghp_privateRepoCanary0123456789';
const USERNAME = 'oauth2';

const api = new RecordingServer();
let apiUrl = '';
const dirs = podDirs();
const remote = makeRemote(dirs.root, 'private.git');
const gitRequests: { url: string; authorized: boolean }[] = [];

function serveGit(req: IncomingMessage, res: ServerResponse): void {
  const expected = `Basic ${Buffer.from(`${USERNAME}:${TOKEN}`).toString('base64')}`;
  const authorized = req.headers.authorization === expected;
  gitRequests.push({ url: req.url ?? '', authorized });
  if (!authorized) {
    res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="private"' });
    res.end();
    return;
  }
  const [path, query = ''] = (req.url ?? '').split('?');
  const cgi = spawn('git', ['http-backend'], {
    env: {
      PATH: process.env.PATH,
      GIT_PROJECT_ROOT: dirs.root,
      GIT_HTTP_EXPORT_ALL: '1',
      PATH_INFO: path!.replace(/^\/git/, ''),
      QUERY_STRING: query,
      REQUEST_METHOD: req.method,
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      HTTP_CONTENT_ENCODING: req.headers['content-encoding'] ?? '',
      HTTP_GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''),
      REMOTE_USER: USERNAME,
      REMOTE_ADDR: '127.0.0.1',
    },
  });
  req.pipe(cgi.stdin);
  const chunks: Buffer[] = [];
  cgi.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  cgi.on('close', () => {
    const output = Buffer.concat(chunks);
    const split = output.indexOf('\r\n\r\n');
    const headerEnd = split >= 0 ? split : output.indexOf('\n\n');
    const headerText = output.subarray(0, headerEnd).toString();
    const body = output.subarray(headerEnd + (split >= 0 ? 4 : 2));
    let status = 200;
    const headers: Record<string, string> = {};
    for (const line of headerText.split(/\r?\n/)) {
      const at = line.indexOf(':');
      const name = line.slice(0, at).trim();
      const value = line.slice(at + 1).trim();
      if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
      else if (name) headers[name] = value;
    }
    res.writeHead(status, headers);
    res.end(body);
  });
}

const gitServer = createServer(serveGit);
let repoUrl = '';

before(async () => {
  apiUrl = await api.start();
  await new Promise<void>((resolve) => gitServer.listen(0, '127.0.0.1', resolve));
  repoUrl = `http://127.0.0.1:${(gitServer.address() as AddressInfo).port}/git/private.git`;
  git(remote.bare, 'config', 'http.receivepack', 'true');
});
after(async () => {
  await api.stop();
  await new Promise<void>((resolve) => gitServer.close(() => resolve()));
});

test('the server refuses anonymous clones', async () => {
  // asynchronously: a synchronous git would block this process's own HTTP server
  const clone = promisify(execFile)('git', ['clone', '-q', repoUrl, join(dirs.root, 'anonymous')], {
    env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: '' },
  });
  await assert.rejects(
    clone,
    /Authentication failed|could not read Username|terminal prompts disabled/,
  );
});

test('a private repository is cloned and pushed with the token, which appears nowhere else', async () => {
  mkdirSync(join(dirs.secrets, 'git'), { recursive: true });
  writeFileSync(join(dirs.secrets, 'git', 'username'), `${USERNAME}\n`);
  writeFileSync(join(dirs.secrets, 'git', 'password'), `${TOKEN}\n`);
  const env = podEnv(dirs, apiUrl, {
    ORKA_GIT_REPO: repoUrl,
    ORKA_GIT_BRANCH: 'main',
    ORKA_PUSH_BRANCH: 'orka/private-fix',
    ORKA_REQUIRE_PUSH_BRANCH: 'true',
    ORKA_ALLOW_BASH: 'true',
    STANDIN_WRITE: 'fix.txt=fixed\n',
    // a runtime that repeats the token it was given: the redaction canary
    STANDIN_OUTPUT: `I used ${TOKEN} to look around\n`,
    GIT_TERMINAL_PROMPT: '0',
  });
  const run = await runOrka(['worker', '--runtime', 'claude'], env);
  assert.equal(run.code, 0, run.stderr);

  assert.equal(
    git(dirs.workspace, 'rev-parse', 'HEAD'),
    git(remote.bare, 'rev-parse', 'refs/heads/orka/private-fix'),
  );
  assert.ok(
    gitRequests.some((r) => r.authorized && r.url.includes('git-receive-pack')),
    'pushed over HTTP',
  );

  const runs = standInRuns(dirs);
  assert.equal(runs.length, 1);
  assert.ok(!runs[0]!.argv.join(' ').includes(TOKEN), 'not in the runtime argv');
  // the agent's own git gets the credentials through the env and the askpass helper
  assert.equal(runs[0]!.env.GIT_TOKEN, TOKEN);
  const askpass = runs[0]!.env.GIT_ASKPASS!;
  assert.ok(!readFileSync(askpass, 'utf8').includes(TOKEN), 'the helper reads the token from env');

  assert.ok(!run.stdout.includes(TOKEN), "not in the tee'd output");
  assert.ok(!run.stderr.includes(TOKEN), 'not in the log');
  assert.match(run.stdout, /I used \[REDACTED\] to look around/);
  assert.ok(!readFileSync(join(dirs.workspace, '.git', 'config'), 'utf8').includes(TOKEN));
  assert.equal(git(dirs.workspace, 'remote', 'get-url', 'origin'), repoUrl);
  for (const request of gitRequests) assert.ok(!request.url.includes(TOKEN));

  const posted = api.posted('/internal/v1/results/team-a/task-1');
  assert.equal(posted.length, 1);
  const body = posted[0]!.body.toString();
  assert.ok(!body.includes(TOKEN), 'not in the result');
  assert.equal(JSON.parse(body).summary, 'I used [REDACTED] to look around\n');
});
