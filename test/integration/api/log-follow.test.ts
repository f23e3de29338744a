// Following a container log through the client-node KubeAccess against a local apiserver-shaped
// HTTP server that never ends its log: stopping (a client that went away) and a dropped
// connection both end the output and close the upstream request, never an uncaught exception.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { kubernetesAccess } from '../../../api/index.ts';

interface LogRequest {
  url: URL;
  response: ServerResponse;
  closed: Promise<void>;
}

/** Reads the output until it ends, collecting text; resolves with everything read. */
function readAll(output: Readable): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    output.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
    });
    output.on('end', () => resolve(text));
    output.on('error', reject);
  });
}

describe('followPodLog on client-node', () => {
  let server: Server;
  const requests: LogRequest[] = [];
  let waiting: ((request: LogRequest) => void) | null = null;
  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown) => uncaught.push(error);
  let access: ReturnType<typeof kubernetesAccess>;

  before(async () => {
    process.on('uncaughtException', onUncaught);
    server = createServer((request: IncomingMessage, response: ServerResponse) => {
      const closed = new Promise<void>((resolve) => response.on('close', () => resolve()));
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.write('first line\n');
      const entry = { url: new URL(request.url ?? '/', 'http://x'), response, closed };
      requests.push(entry);
      waiting?.(entry);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromOptions({
      clusters: [{ name: 'local', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
      users: [{ name: 'controller', token: 'controller-token' }],
      contexts: [{ name: 'local', cluster: 'local', user: 'controller' }],
      currentContext: 'local',
    });
    access = kubernetesAccess(kubeConfig);
  });
  after(async () => {
    process.off('uncaughtException', onUncaught);
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const nextRequest = () =>
    new Promise<LogRequest>((resolve) => {
      waiting = resolve;
    });

  test('asks for the container with follow and tailLines; stop ends the output and the request', async () => {
    const arrived = nextRequest();
    const follow = await access.followPodLog('team-a', 'worker-pod', 'worker', 100);
    const request = await arrived;
    assert.equal(request.url.pathname, '/api/v1/namespaces/team-a/pods/worker-pod/log');
    assert.equal(request.url.searchParams.get('container'), 'worker');
    assert.equal(request.url.searchParams.get('follow'), 'true');
    assert.equal(request.url.searchParams.get('tailLines'), '100');
    const text = readAll(follow.output);
    request.response.write('second line\n');
    const firstChunk = await new Promise<string>((resolve) =>
      follow.output.once('data', (chunk: Buffer) => resolve(chunk.toString('utf8'))),
    );
    assert.match(firstChunk, /first line/);
    follow.stop();
    assert.match(await text, /^first line\n/);
    await request.closed;
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(uncaught, []);
  });

  test('a connection dropped by the apiserver ends the output', async () => {
    const arrived = nextRequest();
    const follow = await access.followPodLog('team-a', 'worker-pod', 'worker', 100);
    const request = await arrived;
    const text = readAll(follow.output);
    request.response.socket?.destroy();
    assert.match(await text, /first line/);
    follow.stop();
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(uncaught, []);
  });
});
