// One AdmissionReview in, one answer out: decode, look up the Agent and Namespace, run the
// admission chain (policy/chain), shape the response, count it, log it, record Warn/Audit Events.
// No HTTP here: server.ts carries bodies in and answers out.
import { admitPolicy } from '../policy/admission-policy/admit-policy.ts';
import { stringifyJsonPreservingIntegers } from '../policy/cel/json.ts';
import { type AdmissionDecision, admit, denialMessage } from '../policy/chain/admit.ts';
import type { AdmissionInput, KubeObject } from '../policy/chain/request.ts';
import { orkaResources } from '../policy/chain/resource-model.ts';
import type { Denial, PolicyResult } from '../policy/evaluate/outcome.ts';
import type { EventRecorder } from './events.ts';
import type { AdmissionLookups } from './lookups.ts';
import type { WebhookMetrics } from './metrics.ts';
import type { PolicyStore } from './policies.ts';
import {
  ADMISSION_API_VERSION,
  BadRequestError,
  decodeAdmissionReview,
  InvalidRequestError,
  statusBody,
} from './review.ts';

export type Endpoint = 'mutate' | 'validate';

export interface DecisionLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface HandlerDependencies {
  policies: PolicyStore;
  lookups: AdmissionLookups;
  events: EventRecorder;
  metrics: WebhookMetrics;
  logger: DecisionLogger;
}

export interface HandlerAnswer {
  statusCode: number;
  body: string;
}

const ADMITTED_KINDS = new Set([
  'core.orka.ai/Task',
  'core.orka.ai/Agent',
  'policy.orka.ai/AdmissionPolicy',
]);
const POLICY_ADMISSION = 'orka-policy-admission';
/** The chain's own warning for an unknown Agent: a validation outcome, so /mutate leaves it out. */
const UNKNOWN_AGENT_WARNING = /^orka-task-semantics: agent ".*" not found in namespace ".*"$/;

interface Outcome {
  allowed: boolean;
  denials: Denial[];
  code: number;
  warnings: string[];
  auditAnnotations: Record<string, string>;
  patch: AdmissionDecision['patch'];
  /** per matched policy, from the chain's validate phase; absent for refusals */
  results?: PolicyResult[];
}

function reviewBody(uid: string, outcome: Outcome, endpoint: Endpoint): string {
  const response: Record<string, unknown> = { uid, allowed: outcome.allowed };
  if (!outcome.allowed) {
    response.status = {
      code: outcome.code,
      reason: outcome.denials[0]?.reason ?? 'BadRequest',
      message: denialMessage(outcome),
    };
  }
  if (outcome.warnings.length > 0) response.warnings = outcome.warnings;
  if (Object.keys(outcome.auditAnnotations).length > 0)
    response.auditAnnotations = outcome.auditAnnotations;
  if (endpoint === 'mutate' && outcome.allowed && outcome.patch.length > 0) {
    response.patchType = 'JSONPatch';
    response.patch = Buffer.from(stringifyJsonPreservingIntegers(outcome.patch)).toString('base64');
  }
  return JSON.stringify({ apiVersion: ADMISSION_API_VERSION, kind: 'AdmissionReview', response });
}

const refusal = (message: string, reason: string, code: number, policy = 'webhook'): Outcome => ({
  allowed: false,
  denials: [{ policy, message, reason }],
  code,
  warnings: [],
  auditAnnotations: {},
  patch: [],
});

function agentOf(input: AdmissionInput, lookups: AdmissionLookups): KubeObject | null {
  if (input.kind.group !== 'core.orka.ai' || input.kind.kind !== 'Task') return null;
  const subject = input.object ?? input.oldObject;
  const ref = (subject?.spec as { agentRef?: { name?: unknown; namespace?: unknown } } | undefined)
    ?.agentRef;
  if (typeof ref?.name !== 'string' || ref.name === '') return null;
  const namespace =
    typeof ref.namespace === 'string' && ref.namespace !== '' ? ref.namespace : input.namespace;
  return lookups.agent(namespace, ref.name);
}

function evaluate(endpoint: Endpoint, input: AdmissionInput, deps: HandlerDependencies): Outcome {
  const kind = `${input.kind.group}/${input.kind.kind}`;
  if (!ADMITTED_KINDS.has(kind)) {
    return refusal(
      `this webhook admits core.orka.ai Tasks and Agents and policy.orka.ai AdmissionPolicies, got ${kind}`,
      'BadRequest',
      400,
    );
  }
  const { policies, lookups } = deps;
  const decision = admit(input, {
    config: policies.config,
    agent: agentOf(input, lookups),
    namespaceObject: input.namespace === '' ? null : lookups.namespace(input.namespace),
    ...(lookups.params ? { lookupParams: lookups.params } : {}),
    policies: endpoint === 'mutate' ? policies.policies.mutate : policies.policies.validate,
    resources: orkaResources,
    // only a mutating webhook answers with a patch
    reportPatch: endpoint === 'mutate',
  });
  if (endpoint === 'mutate') {
    // The apiserver checks the schema after every mutating webhook ran; /validate reports it.
    const denials = decision.denials.filter((denial) => denial.policy !== 'schema');
    return {
      ...decision,
      allowed: denials.length === 0,
      denials,
      code: denials.length === 0 ? 200 : decision.code,
      warnings: decision.warnings.filter((warning) => !UNKNOWN_AGENT_WARNING.test(warning)),
    };
  }
  if (kind === 'policy.orka.ai/AdmissionPolicy' && input.object !== null) {
    const verdict = admitPolicy(input.object, policies.compiler);
    if (!verdict.allowed) {
      const denials = [
        ...verdict.errors.map((message) => ({
          policy: POLICY_ADMISSION,
          message,
          reason: 'Invalid',
        })),
        ...decision.denials.filter((denial) => denial.policy !== 'schema'),
      ];
      return { ...decision, allowed: false, denials, code: 422 };
    }
  }
  return decision;
}

const policyOf = (text: string, separator: string) => {
  const at = text.indexOf(separator);
  return at < 0 ? text : text.slice(0, at);
};

function subjectOf(input: AdmissionInput) {
  const subject = input.object ?? input.oldObject ?? {};
  const metadata = (subject.metadata ?? {}) as { uid?: unknown };
  return {
    apiVersion: input.kind.group ? `${input.kind.group}/${input.kind.version}` : input.kind.version,
    kind: input.kind.kind,
    name: input.name,
    namespace: input.namespace,
    ...(typeof metadata.uid === 'string' ? { uid: metadata.uid } : {}),
  };
}

function recordEvents(input: AdmissionInput, outcome: Outcome, events: EventRecorder): void {
  const subject = subjectOf(input);
  for (const warning of outcome.warnings) {
    events.record({ subject, reason: 'PolicyWarning', message: warning });
  }
  for (const [key, value] of Object.entries(outcome.auditAnnotations)) {
    events.record({ subject, reason: 'PolicyAudit', message: `${key}: ${value}` });
  }
}

export function handleReview(
  endpoint: Endpoint,
  text: string,
  deps: HandlerDependencies,
): HandlerAnswer {
  const started = performance.now();
  const { metrics, logger } = deps;
  let uid: string;
  let input: AdmissionInput;
  try {
    ({ uid, input } = decodeAdmissionReview(text));
  } catch (error) {
    if (error instanceof BadRequestError) {
      metrics.badRequests.inc({ endpoint, answer: 'status' });
      logger.warn({ endpoint, error: error.message }, 'malformed AdmissionReview');
      return { statusCode: 400, body: statusBody(400, 'BadRequest', error.message) };
    }
    if (!(error instanceof InvalidRequestError)) {
      metrics.badRequests.inc({ endpoint, answer: 'status' });
      logger.warn({ endpoint, error: (error as Error).message }, 'AdmissionReview not decodable');
      return {
        statusCode: 400,
        body: statusBody(400, 'BadRequest', 'request body is not a decodable AdmissionReview'),
      };
    }
    metrics.badRequests.inc({ endpoint, answer: 'denial' });
    logger.warn(
      { endpoint, uid: error.uid, error: error.message },
      'invalid AdmissionReview request',
    );
    return {
      statusCode: 200,
      body: reviewBody(error.uid, refusal(error.message, 'BadRequest', 400), endpoint),
    };
  }

  let outcome: Outcome;
  try {
    outcome = evaluate(endpoint, input, deps);
  } catch (error) {
    outcome = refusal(`admission failed: ${(error as Error).message}`, 'InternalError', 500);
  }
  const decision = outcome.allowed ? 'allowed' : 'denied';
  const latencySeconds = (performance.now() - started) / 1000;
  metrics.reviewDuration.observe(
    { endpoint, operation: input.operation, kind: input.kind.kind, decision },
    latencySeconds,
  );
  for (const denial of outcome.denials)
    metrics.policyOutcomes.inc({ policy: denial.policy, action: 'deny' });
  for (const warning of outcome.warnings)
    metrics.policyOutcomes.inc({ policy: policyOf(warning, ': '), action: 'warn' });
  for (const key of Object.keys(outcome.auditAnnotations)) {
    metrics.policyOutcomes.inc({ policy: policyOf(key, '/'), action: 'audit' });
  }
  if (endpoint === 'validate') {
    for (const result of outcome.results ?? []) metrics.countEvaluation(result);
  }
  if (endpoint === 'validate' && !input.dryRun) recordEvents(input, outcome, deps.events);
  logger.info(
    {
      endpoint,
      uid,
      user: input.userInfo.username,
      resource: `${input.resource.group}/${input.resource.resource}`,
      namespace: input.namespace,
      name: input.name,
      operation: input.operation,
      dryRun: input.dryRun,
      decision,
      policies: [...new Set(outcome.denials.map((denial) => denial.policy))],
      warnings: outcome.warnings.length,
      patchOperations: endpoint === 'mutate' ? outcome.patch.length : undefined,
      latencyMs: Math.round(latencySeconds * 1e6) / 1e3,
    },
    'admission decision',
  );
  return { statusCode: 200, body: reviewBody(uid, outcome, endpoint) };
}
