// Offline evaluation: the same chain the webhook runs, with the Agent, Namespace and params given
// as objects instead of looked up in a cluster.
import type { ExpressionCompiler } from '../admission-policy/compile.ts';
import { createExpressionCompiler } from '../admission-policy/expression-compiler.ts';
import type { CompiledPolicy } from '../admission-policy/types.ts';
import { compileBuiltins, enabledBuiltins } from '../builtin/index.ts';
import { type AdmissionDecision, admit, type PolicySet } from '../chain/admit.ts';
import { type PolicyConfig, policyConfigFromFlags } from '../chain/config.ts';
import type { KubeObject } from '../chain/request.ts';
import { orkaResources } from '../chain/resource-model.ts';
import type { ParamsLookup } from '../evaluate/policy.ts';
import type { PolicyTracer } from '../evaluate/trace.ts';
import { loadPolicies } from '../loading.ts';
import { type OfflineRequest, offlineAdmissionInput } from './request.ts';

export interface OfflinePolicies {
  config: PolicyConfig;
  policies: PolicySet;
  compiler: ExpressionCompiler;
}

/** Built-ins switched by `flags` (unless `builtin` is false) plus the policies under `paths`. */
export function loadOfflinePolicies(options: {
  flags: Readonly<Record<string, unknown>>;
  paths: readonly string[];
  builtin: boolean;
  compiler?: ExpressionCompiler;
}): OfflinePolicies {
  const compiler = options.compiler ?? createExpressionCompiler();
  const config = policyConfigFromFlags(options.flags);
  const builtin = options.builtin ? enabledBuiltins(compileBuiltins(compiler), config) : [];
  const custom: CompiledPolicy[] = loadPolicies(options.paths, compiler);
  return { config, policies: { builtin, custom }, compiler };
}

export interface OfflineEvaluation extends OfflineRequest {
  agent?: KubeObject | null;
  namespaceObject?: KubeObject | null;
  /** the object paramRef resolves to, whatever name it asks for */
  paramObject?: KubeObject | null;
  /** explain mode: told what the validate phase found out about each policy */
  tracer?: PolicyTracer;
  /** resolves each paramRef by name (from a cluster); paramObject is used when absent */
  lookupParams?: ParamsLookup;
}

export function evaluateOffline(
  setup: OfflinePolicies,
  request: OfflineEvaluation,
): AdmissionDecision {
  const input = offlineAdmissionInput(request);
  const paramObject = request.paramObject ?? null;
  return admit(input, {
    config: setup.config,
    agent: request.agent ?? null,
    namespaceObject: request.namespaceObject ?? null,
    lookupParams: request.lookupParams ?? (() => paramObject ?? undefined),
    policies: setup.policies,
    resources: orkaResources,
    ...(request.tracer ? { tracer: request.tracer } : {}),
  });
}
