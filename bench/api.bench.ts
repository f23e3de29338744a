// REST API throughput and latency over real HTTP on 127.0.0.1 (keep-alive), against the Kubernetes
// API stand-in for TokenReview and Task reads and a SQLite file:
// - GET /api/v1/tasks/:id/result at a fixed 1,000 req/s offered load (open loop: latency counts
//   from the scheduled send time), beside a constant route served by a bare fastify in this process,
//   once reading each Task from the apiserver and once from the API's informer cache;
// - transcript appends through POST /internal/v1/sessions/.../messages, beside the store's own
//   appendMessages called directly.
import { Agent, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { type Harness, startHarness } from '../test/integration/api/harness.ts';
import { type BenchRow, opsPerSecond, percentile } from './harness.ts';

const OFFERED_RPS = 1000;
const LOAD_SECONDS = 3;
const APPEND_SECONDS = 2;
const APPEND_CONCURRENCY = 16;

interface Target {
  port: number;
  path: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
}

function send(agent: Agent, target: Target): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: target.port,
        path: target.path,
        method: target.method,
        headers: target.headers,
        agent,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(target.body);
  });
}

/** Open-loop load at `rps` for `seconds`; latencies in ms from each request's scheduled time. */
async function fixedLoad(target: Target, rps: number, seconds: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  for (let i = 0; i < 50; i++) await send(agent, target);
  const total = rps * seconds;
  const latencies: number[] = [];
  let failures = 0;
  const start = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const scheduled = start + (i * 1000) / rps;
    const wait = scheduled - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    pending.push(
      send(agent, target).then((status) => {
        if (status >= 400) failures++;
        latencies.push(performance.now() - scheduled);
      }),
    );
  }
  await Promise.all(pending);
  const elapsed = (performance.now() - start) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    achieved: total / elapsed,
    p99: percentile(latencies, 99),
    p50: percentile(latencies, 50),
    failures,
  };
}

async function closedLoop(target: Target, concurrency: number, seconds: number): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const deadline = performance.now() + seconds * 1000;
  let done = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const status = await send(agent, target);
        if (status >= 400) throw new Error(`append failed with ${status}`);
        done++;
      }
    }),
  );
  agent.destroy();
  return done / ((performance.now() - start) / 1000);
}

type LoadResult = Awaited<ReturnType<typeof fixedLoad>>;

/** GET result of a finished Task with a 4 KiB result, at the fixed offered load. */
async function getResultLoad(h: Harness): Promise<LoadResult> {
  await h.putTask('team-a', 'bench', undefined, {
    phase: 'Succeeded',
    resultRef: { available: true },
  });
  h.store.results.put('team-a', 'bench', 'x'.repeat(4096));
  return await fixedLoad(
    {
      port: Number(new URL(h.url).port),
      path: '/api/v1/tasks/bench/result',
      method: 'GET',
      headers: { authorization: `Bearer ${h.tokens.client['team-a']!}` },
    },
    OFFERED_RPS,
    LOAD_SECONDS,
  );
}

/** The same load against an API whose Task reads come from its informer cache. */
async function cachedGetResultLoad(): Promise<LoadResult> {
  const h = await startHarness({ authzMode: 'off', readCache: true });
  try {
    for (let ready = false; !ready; ) {
      ready = (await h.request('GET', '/readyz')).status === 200;
      if (!ready) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return await getResultLoad(h);
  } finally {
    await h.close();
  }
}

const latencyRow = (name: string, result: LoadResult, baseline: LoadResult, note: string) => ({
  name,
  value: Number(result.p99.toFixed(2)),
  unit: 'ms',
  baseline: { name: 'constant route p99', value: Number(baseline.p99.toFixed(2)) },
  note: `${note}; p50 ${result.p50.toFixed(2)} ms vs ${baseline.p50.toFixed(2)} ms; ${result.failures} of ${OFFERED_RPS * LOAD_SECONDS} answered >= 400`,
});

export default async function apiBench(): Promise<BenchRow[]> {
  const h = await startHarness({ authzMode: 'off' });
  const constant = Fastify();
  constant.get('/constant', async () => ({ result: 'constant' }));
  await constant.listen({ host: '127.0.0.1', port: 0 });
  try {
    const apiPort = Number(new URL(h.url).port);
    const baseline = await fixedLoad(
      {
        port: (constant.server.address() as AddressInfo).port,
        path: '/constant',
        method: 'GET',
        headers: {},
      },
      OFFERED_RPS,
      LOAD_SECONDS,
    );
    const result = await getResultLoad(h);
    const cached = await cachedGetResultLoad();

    const worker = await h.startWorker('team-a', 'bench-worker', {
      type: 'agent',
      agentRef: { name: 'a' },
      prompt: 'p',
      sessionRef: { name: 'bench' },
    });
    h.store.sessions.getOrCreate('team-a', 'bench', { create: true });
    h.store.locks.acquire('team-a', 'bench', 'bench-worker');
    const body = JSON.stringify({ messages: [{ role: 'assistant', content: 'y'.repeat(256) }] });
    const appendsPerSecond = await closedLoop(
      {
        port: apiPort,
        path: '/internal/v1/sessions/team-a/bench/messages',
        method: 'POST',
        headers: { authorization: `Bearer ${worker.token}`, 'content-type': 'application/json' },
        body,
      },
      APPEND_CONCURRENCY,
      APPEND_SECONDS,
    );
    h.store.sessions.getOrCreate('team-a', 'direct', { create: true });
    const directAppends = opsPerSecond(() =>
      h.store.sessions.appendMessages('team-a', 'direct', [
        { role: 'assistant', content: 'y'.repeat(256) },
      ]),
    );

    const load = `${OFFERED_RPS} req/s offered for ${LOAD_SECONDS} s, keep-alive, 127.0.0.1`;
    const throughput = {
      name: 'constant route (bare fastify)',
      value: Math.round(baseline.achieved),
    };
    return [
      {
        name: 'api: GET result achieved throughput, Task read from the apiserver',
        value: Math.round(result.achieved),
        unit: 'req/s',
        baseline: throughput,
        note: load,
      },
      latencyRow(
        'api: GET result p99 latency, Task read from the apiserver',
        result,
        baseline,
        `${load}; each request reads the Task from the Kubernetes API (TokenReview cached)`,
      ),
      {
        name: 'api: GET result achieved throughput, informer cache',
        value: Math.round(cached.achieved),
        unit: 'req/s',
        baseline: throughput,
        note: `${load}; ${Math.round(result.achieved)} req/s reading through in this run`,
      },
      latencyRow(
        'api: GET result p99 latency, informer cache',
        cached,
        baseline,
        `${load}; the Task comes from the API's informer cache (TokenReview cached); ${result.p99.toFixed(2)} ms reading through in this run`,
      ),
      {
        name: 'api: transcript append through /internal/v1 (1 message per request)',
        value: Math.round(appendsPerSecond),
        unit: 'messages/s',
        baseline: {
          name: 'store.sessions.appendMessages direct',
          value: Math.round(directAppends),
        },
        note: `${APPEND_CONCURRENCY} concurrent keep-alive clients for ${APPEND_SECONDS} s; each request binds the worker (Pod + Task reads) and takes one SQLite transaction`,
      },
    ];
  } finally {
    await constant.close();
    await h.close();
  }
}
