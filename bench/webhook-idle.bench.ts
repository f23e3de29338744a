// What one review costs the webhook's review handler depending on how long its thread was idle
// before it: the handler (built-ins + 50 custom policies, in this process, decision lines off) runs
// back to back, which is the baseline, and after idle gaps, alone or in a burst. Nothing else runs
// in the gaps, so what the cost rises by is how much of the handler's code and data the CPU lost
// meanwhile. On the 2-vCPU test machine one idle millisecond made a review cost 60–80 % more.
// This is why `orka webhook` evaluates a turn's reviews back to back (webhooks/review-batches.ts),
// why a review costs more at 1,500 reviews/s than at 3,000, and why two workers sharing a load
// spend more CPU per review than one. The back-to-back row also tells a slow run of the machine
// from a slow change: webhook.bench.ts's rows move with it.
import type { BenchRow } from './harness.ts';
import { customPolicies, inProcessReviewer } from './webhook-workload.ts';

interface Arrival {
  name: string;
  /** reviews handled back to back after each gap */
  burst: number;
  /** the idle gap before each burst, in ms (the thread sleeps); 0: no gap */
  idleMs: number;
}

const ARRIVALS: readonly Arrival[] = [
  { name: 'back to back', burst: 1, idleMs: 0 },
  { name: 'one review after 0.2 ms idle', burst: 1, idleMs: 0.2 },
  { name: 'one review after 1 ms idle', burst: 1, idleMs: 1 },
  { name: 'bursts of 16 after 1 ms idle', burst: 16, idleMs: 1 },
];
const WARMUP_REVIEWS = 20_000;
const ROUNDS = 20;
const REVIEWS_PER_ROUND = 320;

export default async function webhookIdleBench(): Promise<BenchRow[]> {
  const review = inProcessReviewer(customPolicies(50), 'built-ins + 50 custom policies');
  for (let i = 0; i < WARMUP_REVIEWS; i++) review();

  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  const spentNs = ARRIVALS.map(() => 0n);
  // rounds alternate the arrivals, so a change in the machine's speed reaches all of them alike
  for (let round = 0; round < ROUNDS; round++) {
    ARRIVALS.forEach((arrival, index) => {
      for (let done = 0; done < REVIEWS_PER_ROUND; done += arrival.burst) {
        if (arrival.idleMs > 0) Atomics.wait(sleeper, 0, 0, arrival.idleMs);
        const start = process.hrtime.bigint();
        for (let i = 0; i < arrival.burst; i++) review();
        spentNs[index]! += process.hrtime.bigint() - start;
      }
    });
  }

  const reviews = ROUNDS * REVIEWS_PER_ROUND;
  const microseconds = spentNs.map((ns) => Number(ns) / reviews / 1000);
  const baseline = { name: 'back to back', value: microseconds[0]! };
  return ARRIVALS.map((arrival, index) => ({
    name: `review handler, ${arrival.name}`,
    value: microseconds[index]!,
    unit: 'µs per review',
    ...(index === 0
      ? { note: `built-ins + 50 custom policies, in-process, ${reviews} reviews` }
      : { baseline }),
  }));
}
