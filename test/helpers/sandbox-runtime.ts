// A stand-in agent-sandbox runtime behind its router, speaking the upstream client's direct-mode
// protocol (kubernetes-sigs/agent-sandbox clients/go/sandbox, v0.4.6 legacy runtime): `POST
// /upload` stores one multipart file under the sandbox root, `POST /execute` runs `{"command"}`
// with `sh -c` in the root as a real child process and answers `{stdout, stderr, exit_code}`.
// Every request is recorded with its X-Sandbox-* headers.
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export interface SandboxRequestRecord {
  endpoint: string;
  sandboxId: string | undefined;
  namespace: string | undefined;
  port: string | undefined;
  /** the uploaded filename or the command */
  detail: string;
}

export interface SandboxRuntime {
  url: string;
  requests: SandboxRequestRecord[];
  stop(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function execute(
  command: string,
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<{ stdout: string; stderr: string; exit_code: number }> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', command], { cwd, env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('close', (code) => resolve({ stdout, stderr, exit_code: code ?? -1 }));
  });
}

/**
 * `root` is the sandbox's `/app`; `env` is the sandbox container's own environment (the command
 * brings the worker's through its env file).
 */
export async function startSandboxRuntime(
  root: string,
  env: NodeJS.ProcessEnv = { PATH: process.env.PATH },
): Promise<SandboxRuntime> {
  const requests: SandboxRequestRecord[] = [];
  const server: Server = createServer(async (req, res) => {
    const body = await readBody(req);
    const header = (name: string) => req.headers[name] as string | undefined;
    const record = (detail: string) =>
      requests.push({
        endpoint: `${req.method} ${req.url}`,
        sandboxId: header('x-sandbox-id'),
        namespace: header('x-sandbox-namespace'),
        port: header('x-sandbox-port'),
        detail,
      });
    const reply = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    };
    if (req.method === 'POST' && req.url === '/upload') {
      const form = await new Request('http://sandbox/upload', {
        method: 'POST',
        headers: { 'content-type': header('content-type') ?? '' },
        body,
      }).formData();
      const file = form.get('file');
      if (!(file instanceof File) || file.name.includes('/')) {
        record('refused');
        return reply(400, { error: 'a plain file named "file" is required' });
      }
      record(file.name);
      await writeFile(join(root, file.name), Buffer.from(await file.arrayBuffer()));
      return reply(200, { message: `${file.name} uploaded` });
    }
    if (req.method === 'POST' && req.url === '/execute') {
      const { command } = JSON.parse(body.toString('utf8')) as { command: string };
      record(command);
      return reply(200, await execute(command, root, env));
    }
    record('unknown');
    reply(404, { error: `no route ${req.method} ${req.url}` });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
