// Is one checkout's review handler faster than another's? On a machine whose speed swings by 2x
// within seconds, two bench runs one after the other cannot tell a 5 % change from the noise. This
// keeps one process per checkout alive, each with its own review handler warmed up (built-ins plus
// --policies custom policies of the webhook bench's shape), and asks them in turn for a short
// slice of back-to-back reviews, alternating which goes first. Each round's pair saw nearly the
// same machine, so the median of the per-round ratios is far steadier than the times: two copies
// of one checkout gave median ratios between 0.95 and 1.04 on the 2-vCPU test machine (1.09 once
// while tests ran beside it), so a change under about 5 % needs several runs to be told apart.
//
//   node --import tsx bench/compare-checkouts.ts BASE CHANGED [--policies 50] [--rounds 60]
//     [--reviews 400]
//
// BASE and CHANGED are checkouts (from `git worktree add`) with node_modules, from the commit
// that added bench/webhook-workload.ts's inProcessReviewer on.
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { percentile } from './harness.ts';

/** What the comparing process asks a checkout's process for: one slice of reviews. */
interface Measure {
  reviews: number;
}

async function serveAsChild(checkout: string, policies: number): Promise<void> {
  const workload = await import(`${checkout}/bench/webhook-workload.ts`);
  const review: () => void = workload.inProcessReviewer(
    policies > 0 ? workload.customPolicies(policies) : undefined,
    checkout,
  );
  for (let i = 0; i < 5_000; i++) review();
  process.on('message', ({ reviews }: Measure) => {
    const start = process.hrtime.bigint();
    for (let i = 0; i < reviews; i++) review();
    process.send?.(Number(process.hrtime.bigint() - start) / 1000 / reviews);
  });
  process.send?.('ready');
}

async function measureSlice(child: ChildProcess, reviews: number): Promise<number> {
  child.send({ reviews } satisfies Measure);
  const [microseconds] = await once(child, 'message');
  return microseconds as number;
}

async function compare(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      policies: { type: 'string', default: '50' },
      rounds: { type: 'string', default: '60' },
      reviews: { type: 'string', default: '400' },
    },
  });
  const [policies, rounds, reviews] = [values.policies, values.rounds, values.reviews].map(Number);
  const checkouts = positionals.map((path) => resolve(path));
  if (checkouts.length !== 2) throw new Error('give two checkouts: BASE CHANGED');
  for (const checkout of checkouts) {
    if (!existsSync(`${checkout}/bench/webhook-workload.ts`)) {
      throw new Error(`${checkout} is not an Orka checkout (no bench/webhook-workload.ts)`);
    }
  }
  if (![policies, rounds, reviews].every((n) => Number.isInteger(n) && n! >= 0) || !rounds) {
    throw new Error('--policies, --rounds and --reviews must be whole numbers, rounds above 0');
  }
  const children = checkouts.map((checkout) =>
    fork(fileURLToPath(import.meta.url), ['--child', checkout, String(policies)], {
      cwd: checkout,
      execArgv: ['--import', 'tsx'],
    }),
  );
  try {
    await Promise.all(children.map((child) => once(child, 'message')));
    const times: [number[], number[]] = [[], []];
    for (let round = 0; round < rounds!; round++) {
      const order = round % 2 === 0 ? [0, 1] : [1, 0];
      for (const index of order) {
        times[index]!.push(await measureSlice(children[index]!, reviews!));
      }
    }
    const ascending = (values: number[]) => [...values].sort((a, b) => a - b);
    const ratios = ascending(times[1].map((time, round) => time / times[0][round]!));
    console.log(
      `built-ins + ${policies} custom policies, ${rounds} rounds of ${reviews} reviews each`,
    );
    checkouts.forEach((checkout, index) => {
      const median = percentile(ascending(times[index]!), 50);
      console.log(`${checkout}: median ${median.toFixed(1)} µs per review`);
    });
    const [low, median, high] = [25, 50, 75].map((p) => percentile(ratios, p).toFixed(3));
    console.log(`ratio CHANGED / BASE: median ${median} (quartiles ${low}-${high})`);
  } finally {
    for (const child of children) child.kill();
  }
}

const args = process.argv.slice(2);
if (args[0] === '--child') await serveAsChild(args[1]!, Number(args[2]));
else await compare(args);
