// What one custom policy adds to a webhook review, by the policy's shape: the review handler (in
// this process, decision lines off) with the built-ins alone and with the built-ins plus
// POLICIES policies of one shape, rounds alternating between the setups so a change in the
// machine's speed reaches all of them alike. Each row is (review time with the policies − review
// time with built-ins alone) / POLICIES, against a policy whose rules do not match the request.
// The rows tell where a policy's cost goes: matching, the per-policy frame (activation, result,
// metrics), one expression of its own, a variable; and so which part a change should shrink.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { NO_EVENTS } from '../webhooks/events.ts';
import { type HandlerDependencies, handleReview } from '../webhooks/handler.ts';
import { NO_CLUSTER } from '../webhooks/lookups.ts';
import { WebhookMetrics } from '../webhooks/metrics.ts';
import { PolicyStore } from '../webhooks/policies.ts';
import type { BenchRow } from './harness.ts';
import { BODY, customPolicies } from './webhook-workload.ts';

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
function writePolicies(resource: 'tasks' | 'agents', spec: (index: number) => string): string {
  const dir = mkdtempSync(join(tmpdir(), 'orka-bench-shapes-'));
  for (let i = 0; i < POLICIES; i++) {
    writeFileSync(
      join(dir, `policy-${String(i).padStart(3, '0')}.yaml`),
      `apiVersion: policy.orka.ai/v1alpha1
kind: AdmissionPolicy
metadata: { name: shape-${i} }
spec:
  matchConstraints:
    resourceRules: [{ apiGroups: [core.orka.ai], apiVersions: ["*"], resources: [${resource}], operations: [CREATE, UPDATE] }]
${spec(i)}`,
    );
  }
  return dir;
}

const SHAPES: readonly Shape[] = [
  { name: 'built-ins alone', write: undefined },
  {
    name: 'a policy whose rules do not match',
    write: () => writePolicies('agents', () => '  validations: [{ expression: "true" }]\n'),
  },
  {
    name: 'a matching policy, validation `true`',
    write: () => writePolicies('tasks', () => '  validations: [{ expression: "true" }]\n'),
  },
  {
    name: 'a matching policy, the validation every policy has (evaluated once per review)',
    write: () =>
      writePolicies(
        'tasks',
        () => '  validations: [{ expression: "object.spec.prompt.size() < 10000" }]\n',
      ),
  },
  {
    name: 'a matching policy, a validation of its own',
    write: () =>
      writePolicies(
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

function reviewerFor(shape: Shape): () => void {
  const metrics = new WebhookMetrics();
  const logger = pino({ level: 'silent' });
  const dir = shape.write?.();
  // the store reads the files when it is made (it watches none here), so the folder can go
  const policies = new PolicyStore({ flags: {}, paths: dir ? [dir] : [], metrics, logger });
  if (dir) rmSync(dir, { recursive: true, force: true });
  const deps: HandlerDependencies = {
    policies,
    lookups: NO_CLUSTER,
    events: NO_EVENTS,
    metrics,
    logger,
  };
  return () => {
    const answer = handleReview('validate', BODY, deps);
    if (answer.statusCode !== 200 || !answer.body.includes('"allowed":true')) {
      throw new Error(
        `${shape.name}: the bench review was not allowed: ${answer.body.slice(0, 300)}`,
      );
    }
  };
}

export default async function policyShapesBench(): Promise<BenchRow[]> {
  const reviewers = SHAPES.map(reviewerFor);
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
