// What the webhook benchmarks send and load: one AdmissionReview of a Task CREATE, and custom
// policies of one shape (a request-level variable, a validation reading it and the object, a
// messageExpression), written to a temporary folder.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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

export function customPolicies(count: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'orka-bench-policies-'));
  for (let i = 0; i < count; i++) {
    writeFileSync(
      join(dir, `policy-${String(i).padStart(2, '0')}.yaml`),
      `apiVersion: policy.orka.ai/v1alpha1
kind: AdmissionPolicy
metadata: { name: bench-${i} }
spec:
  matchConstraints:
    resourceRules: [{ apiGroups: [core.orka.ai], apiVersions: ["*"], resources: [tasks], operations: [CREATE, UPDATE] }]
  variables: [{ name: tools, expression: "effective.toolSet" }]
  validations:
  - expression: "object.spec.prompt.size() < 10000 && !variables.tools.exists(t, t == 'Forbidden${i}')"
    messageExpression: "'policy ${i} refused ' + object.metadata.name"
`,
    );
  }
  return dir;
}
