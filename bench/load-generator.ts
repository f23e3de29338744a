// The webhook benchmark's load generator, run as its own process so it does not share an event
// loop with the server it measures. Input: one JSON argument (LoadPlan). Output: one JSON line on
// stdout (LoadResult), after a line `warmed up` when the measurement starts (the bench reads the
// server's CPU then).
//
// It shares the machine's two cores with the server, so it is kept lean, as wrk or h2load would
// be: `concurrency` TLS keep-alive connections, each sending one pre-encoded HTTP/1.1 POST at a
// time and framing the answer itself (http-responses.ts) instead of going through node:https's
// agent and message objects. Every answer is checked as the apiserver would: HTTP 200 and an
// AdmissionReview whose response echoes the request's uid.
//
// Two ways to drive: closed loop (each connection sends its next request when the answer to the
// last one arrives, latency from write to last byte), which finds the most reviews/s the server
// can answer; and open loop at `ratePerSecond` (paced-schedule.ts), which measures the latency the
// apiserver would see at that load, counted from each request's scheduled time.
import { connect, type TLSSocket } from 'node:tls';
import { ResponseFramer } from './http-responses.ts';
import { ConnectionLine, PacedSchedule } from './paced-schedule.ts';

export interface LoadPlan {
  url: string;
  /** PEM: the only CA the client trusts */
  ca: string;
  /** an AdmissionReview with request.uid */
  body: string;
  /** closed loop: the connections, each with one request in flight; open loop: the most connections */
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  /** open loop at this many requests per second (warm-up too); absent: closed loop */
  ratePerSecond?: number;
}

export interface LoadResult {
  requests: number;
  seconds: number;
  /** latencies in ms, sorted ascending */
  latencies: number[];
  failures: number;
  /** the first failed answer or transport error, for the report */
  firstFailure?: string;
  /** CPU the generator itself used while measuring */
  cpuMs: number;
}

function encodeRequest(url: URL, body: string): Buffer {
  const payload = Buffer.from(body);
  const head =
    `POST ${url.pathname}${url.search} HTTP/1.1\r\n` +
    `Host: ${url.host}\r\n` +
    'Content-Type: application/json\r\n' +
    `Content-Length: ${payload.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), payload]);
}

/** Why an answer is not a successful review of the request with `uid`; undefined when it is. */
function answerProblem(status: number, body: Buffer, uid: string): string | undefined {
  if (status !== 200) return `HTTP ${status}`;
  let review: { response?: { uid?: unknown } };
  try {
    review = JSON.parse(body.toString('utf8'));
  } catch {
    return 'the answer is not JSON';
  }
  return review.response?.uid === uid ? undefined : 'the answer does not echo the request uid';
}

/** One keep-alive connection; `exchange` sends the request and resolves with the problem, if any. */
class Connection {
  private readonly framer = new ResponseFramer();
  private waiting: ((problem: string | undefined) => void) | undefined;
  private readonly socket: TLSSocket;
  private closedBecause: string | undefined;

  constructor(
    url: URL,
    ca: string,
    private readonly request: Buffer,
    private readonly uid: string,
  ) {
    this.socket = connect({ host: url.hostname, port: Number(url.port || 443), ca });
    this.socket.setNoDelay(true);
    this.socket.on('data', (chunk: Buffer) => {
      for (const framed of this.framer.push(chunk)) {
        this.settle(
          framed.kind === 'malformed'
            ? framed.reason
            : answerProblem(framed.response.status, framed.response.body, this.uid),
        );
        if (framed.kind === 'malformed') this.socket.destroy();
      }
    });
    this.socket.on('error', (error) => this.close(error.message));
    this.socket.on('close', () => this.close('the server closed the connection'));
  }

  exchange(): Promise<string | undefined> {
    if (this.closedBecause !== undefined) return Promise.resolve(this.closedBecause);
    return new Promise((resolve) => {
      this.waiting = resolve;
      this.socket.write(this.request);
    });
  }

  destroy(): void {
    this.socket.destroy();
  }

  private settle(problem: string | undefined): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.(problem);
  }

  private close(reason: string): void {
    this.closedBecause ??= reason;
    this.settle(this.closedBecause);
  }
}

async function drive(plan: LoadPlan): Promise<LoadResult> {
  const url = new URL(plan.url);
  const uid = (JSON.parse(plan.body) as { request: { uid: string } }).request.uid;
  const request = encodeRequest(url, plan.body);
  const connections = Array.from(
    { length: plan.concurrency },
    () => new Connection(url, plan.ca, request, uid),
  );
  let firstFailure: string | undefined;
  const closedLoop = async (durationMs: number, latencies: number[] | undefined) => {
    let failures = 0;
    const deadline = performance.now() + durationMs;
    const worker = async (connection: Connection) => {
      while (performance.now() < deadline) {
        const start = performance.now();
        const problem = await connection.exchange();
        latencies?.push(performance.now() - start);
        if (problem !== undefined) {
          failures++;
          firstFailure ??= problem;
        }
      }
    };
    await Promise.all(connections.map(worker));
    return failures;
  };
  const openLoop = (ratePerSecond: number, durationMs: number, latencies: number[] | undefined) =>
    new Promise<number>((resolve) => {
      const schedule = new PacedSchedule(
        performance.now(),
        ratePerSecond,
        Math.round((durationMs * ratePerSecond) / 1000),
      );
      const line = new ConnectionLine(connections);
      let failures = 0;
      let settled = 0;
      if (schedule.total === 0) resolve(0);
      const send = (connection: Connection, scheduledMs: number) => {
        void connection.exchange().then((problem) => {
          latencies?.push(performance.now() - scheduledMs);
          if (problem !== undefined) {
            failures++;
            firstFailure ??= problem;
          }
          const next = line.release(connection);
          if (next) send(next.connection, next.scheduledMs);
          if (++settled === schedule.total) resolve(failures);
        });
      };
      // timers fire a millisecond or so late: the requests due meanwhile go out together, each
      // timed from its own scheduled moment
      const tick = () => {
        for (const scheduledMs of schedule.takeDue(performance.now())) {
          const dispatch = line.offer(scheduledMs);
          if (dispatch) send(dispatch.connection, dispatch.scheduledMs);
        }
        const next = schedule.nextDueAt();
        if (next !== undefined) setTimeout(tick, Math.max(0, next - performance.now()));
      };
      tick();
    });
  const run = (durationMs: number, latencies: number[] | undefined) =>
    plan.ratePerSecond === undefined
      ? closedLoop(durationMs, latencies)
      : openLoop(plan.ratePerSecond, durationMs, latencies);
  await run(plan.warmupMs, undefined);
  process.stdout.write('warmed up\n');
  const cpuBefore = process.cpuUsage();
  const latencies: number[] = [];
  const start = performance.now();
  const failures = await run(plan.durationMs, latencies);
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  for (const connection of connections) connection.destroy();
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
