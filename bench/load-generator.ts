// The webhook benchmark's load generator, run as its own process so it does not share an event
// loop (and a core) with the server it measures. Input: one JSON argument (LoadPlan). Output: one
// JSON line on stdout (LoadResult), after a line `warmed up` when the measurement starts (the bench
// reads the server's CPU then). Requests are POSTs over TLS keep-alive, `concurrency` at a time;
// latency is measured per request from write to last byte.
import { Agent, request } from 'node:https';

export interface LoadPlan {
  url: string;
  /** PEM: the only CA the client trusts */
  ca: string;
  body: string;
  concurrency: number;
  warmupMs: number;
  durationMs: number;
}

export interface LoadResult {
  requests: number;
  seconds: number;
  /** latencies in ms, sorted ascending */
  latencies: number[];
  failures: number;
  /** the first non-200 answer or transport error, for the report */
  firstFailure?: string;
  /** CPU the generator itself used while measuring */
  cpuMs: number;
}

async function drive(plan: LoadPlan): Promise<LoadResult> {
  const agent = new Agent({ ca: plan.ca, keepAlive: true, maxSockets: plan.concurrency });
  let firstFailure: string | undefined;
  const post = () =>
    new Promise<number>((resolve) => {
      const req = request(
        plan.url,
        { method: 'POST', agent, headers: { 'content-type': 'application/json' } },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', (error) => {
        firstFailure ??= error.message;
        resolve(0);
      });
      req.end(plan.body);
    });
  const run = async (durationMs: number, latencies: number[] | undefined) => {
    let failures = 0;
    const deadline = performance.now() + durationMs;
    const worker = async () => {
      while (performance.now() < deadline) {
        const start = performance.now();
        const status = await post();
        latencies?.push(performance.now() - start);
        if (status !== 200) {
          failures++;
          firstFailure ??= `HTTP ${status}`;
        }
      }
    };
    await Promise.all(Array.from({ length: plan.concurrency }, worker));
    return failures;
  };
  await run(plan.warmupMs, undefined);
  process.stdout.write('warmed up\n');
  const cpuBefore = process.cpuUsage();
  const latencies: number[] = [];
  const start = performance.now();
  const failures = await run(plan.durationMs, latencies);
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    seconds,
    latencies,
    failures,
    firstFailure,
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
}

const plan = JSON.parse(process.argv[2] ?? '') as LoadPlan;
process.stdout.write(`${JSON.stringify(await drive(plan))}\n`);
