// What one custom policy adds to a webhook review, by the policy's shape: the review handler (in
// this process, decision lines off) with the built-ins alone and with the built-ins plus
// POLICIES policies of one shape, rounds alternating between the setups so a change in the
// machine's speed reaches all of them alike. Each row is (review time with the policies − review
// time with built-ins alone) / POLICIES, against a policy whose rules do not match the request.
// The rows tell where a policy's cost goes: matching, the per-policy frame (activation, result,
// metrics), one expression of its own, a variable; and so which part a change should shrink.
import type { BenchRow } from './harness.ts';
import { customPolicies, inProcessReviewer, writePolicies } from './webhook-workload.ts';

const POLICIES = 100;
const WARMUP_REVIEWS = 5_000;
const ROUNDS = 10;
const REVIEWS_PER_ROUND = 500;

interface Shape {
  name: string;
  /** the policies' folder; undefined: built-ins alone */
  write: (() => string) | undefined;
}

/** POLICIES policies on Tasks (or Agents: they do not match the bench's Task) with `spec`. */
const shapePolicies = (resource: 'tasks' | 'agents', spec: (index: number) => string) =>
  writePolicies(POLICIES, 'shape', resource, spec);

const SHAPES: readonly Shape[] = [
  { name: 'built-ins alone', write: undefined },
  {
    name: 'a policy whose rules do not match',
    write: () => shapePolicies('agents', () => '  validations: [{ expression: "true" }]\n'),
  },
  {
    name: 'a matching policy, validation `true`',
    write: () => shapePolicies('tasks', () => '  validations: [{ expression: "true" }]\n'),
  },
  {
    name: 'a matching policy, the validation every policy has (evaluated once per review)',
    write: () =>
      shapePolicies(
        'tasks',
        () => '  validations: [{ expression: "object.spec.prompt.size() < 10000" }]\n',
      ),
  },
  {
    name: 'a matching policy, a validation of its own',
    write: () =>
      shapePolicies(
        'tasks',
        (i) =>
          `  validations: [{ expression: "!effective.toolSet.exists(t, t == 'Forbidden${i}')" }]\n`,
      ),
  },
  {
    name: 'a matching policy as in the webhook bench (variable, own validation, message)',
    write: () => customPolicies(POLICIES),
  },
];

export default async function policyShapesBench(): Promise<BenchRow[]> {
  const reviewers = SHAPES.map((shape) => inProcessReviewer(shape.write?.(), shape.name));
  for (const review of reviewers) for (let i = 0; i < WARMUP_REVIEWS; i++) review();
  const spentNs = SHAPES.map(() => 0n);
  for (let round = 0; round < ROUNDS; round++) {
    reviewers.forEach((review, index) => {
      const start = process.hrtime.bigint();
      for (let i = 0; i < REVIEWS_PER_ROUND; i++) review();
      spentNs[index]! += process.hrtime.bigint() - start;
    });
  }
  const reviews = ROUNDS * REVIEWS_PER_ROUND;
  const perReviewNs = spentNs.map((ns) => Number(ns) / reviews);
  const alone = perReviewNs[0]!;
  const perPolicyNs = perReviewNs.map((ns) => (ns - alone) / POLICIES);
  const baseline = { name: SHAPES[1]!.name, value: perPolicyNs[1]! };
  return [
    {
      name: 'review handler, built-ins alone',
      value: alone / 1000,
      unit: 'µs per review',
      note: `in-process, ${reviews} reviews`,
    },
    ...SHAPES.slice(1).map((shape, offset) => ({
      name: `what one custom policy adds: ${shape.name}`,
      value: perPolicyNs[offset + 1]!,
      unit: 'ns per policy',
      ...(offset === 0
        ? { note: `${POLICIES} policies of the shape beside the built-ins` }
        : { baseline }),
    })),
  ];
}
