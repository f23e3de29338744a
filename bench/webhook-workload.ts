// What the webhook benchmarks send and load: one AdmissionReview of a Task CREATE, custom policies
// written to a temporary folder (the webhook bench's shape: a request-level variable, a validation
// reading it and the object, a messageExpression), and the review handler in this process.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { NO_EVENTS } from '../webhooks/events.ts';
import { type HandlerDependencies, handleReview } from '../webhooks/handler.ts';
import { NO_CLUSTER } from '../webhooks/lookups.ts';
import { WebhookMetrics } from '../webhooks/metrics.ts';
import { PolicyStore } from '../webhooks/policies.ts';

const TASK = {
  apiVersion: 'core.orka.ai/v1alpha1',
  kind: 'Task',
  metadata: { name: 'fix-tests', namespace: 'team-a' },
  spec: {
    type: 'agent',
    agentRef: { name: 'claude-agent' },
    prompt: 'Fix the failing unit tests',
    requestedBy: { username: 'alice', groups: ['platform'] },
  },
};
export const BODY = JSON.stringify({
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  request: {
    uid: 'bench-uid',
    kind: { group: 'core.orka.ai', version: 'v1alpha1', kind: 'Task' },
    resource: { group: 'core.orka.ai', version: 'v1alpha1', resource: 'tasks' },
    name: 'fix-tests',
    namespace: 'team-a',
    operation: 'CREATE',
    userInfo: { username: 'alice', groups: ['platform'] },
    object: TASK,
    oldObject: null,
  },
});

/**
 * `count` AdmissionPolicies named `<prefix>-<i>` on CREATE and UPDATE of core.orka.ai `resource`,
 * each with the spec members `spec(i)` (YAML lines indented under `spec:`), in a new temporary
 * folder.
 */
export function writePolicies(
  count: number,
  prefix: string,
  resource: 'tasks' | 'agents',
  spec: (index: number) => string,
): string {
  const dir = mkdtempSync(join(tmpdir(), 'orka-bench-policies-'));
  const digits = String(count - 1).length;
  for (let i = 0; i < count; i++) {
    writeFileSync(
      join(dir, `policy-${String(i).padStart(digits, '0')}.yaml`),
      `apiVersion: policy.orka.ai/v1alpha1
kind: AdmissionPolicy
metadata: { name: ${prefix}-${i} }
spec:
  matchConstraints:
    resourceRules: [{ apiGroups: [core.orka.ai], apiVersions: ["*"], resources: [${resource}], operations: [CREATE, UPDATE] }]
${spec(i)}`,
    );
  }
  return dir;
}

export const customPolicies = (count: number): string =>
  writePolicies(
    count,
    'bench',
    'tasks',
    (i) => `  variables: [{ name: tools, expression: "effective.toolSet" }]
  validations:
  - expression: "object.spec.prompt.size() < 10000 && !variables.tools.exists(t, t == 'Forbidden${i}')"
    messageExpression: "'policy ${i} refused ' + object.metadata.name"
`,
  );

/**
 * The webhook's review handler in this process (built-ins, the policies in `policyDir` if any,
 * decision lines off), as a function that reviews BODY and throws unless it is allowed. The
 * folder is removed once the store has read it (it watches none here).
 */
export function inProcessReviewer(policyDir: string | undefined, label: string): () => void {
  const metrics = new WebhookMetrics();
  const logger = pino({ level: 'silent' });
  const policies = new PolicyStore({
    flags: {},
    paths: policyDir ? [policyDir] : [],
    metrics,
    logger,
  });
  if (policyDir) rmSync(policyDir, { recursive: true, force: true });
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
      throw new Error(`${label}: the bench review was not allowed: ${answer.body.slice(0, 300)}`);
    }
  };
}
