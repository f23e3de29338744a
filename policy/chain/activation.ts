// The request-level CEL variables shared by every policy of one admission request (DESIGN §4):
// object, oldObject, request, requester, agent, effective, tctx, config, namespaceObject.

import { transactionContextOf } from '../activation/tctx.ts';
import { shareResults } from '../admission-policy/shared-results.ts';
import type { Activation } from '../admission-policy/types.ts';
import { toCelValue } from '../cel/json.ts';
import { NO_VARIABLES } from '../evaluate/policy.ts';
import { configVariable, type PolicyConfig } from './config.ts';
import type { AdmissionInput, KubeObject, UserInfo } from './request.ts';
import type { ResourceModel } from './resource-model.ts';

const NO_EFFECTIVE_VALUES = {
  runtimeType: null,
  allowedTools: [],
  disallowedTools: [],
  toolSet: [],
  allowBash: false,
  maxTurns: 0n,
  workspace: null,
  execution: {},
  secretRef: null,
};

export function isTask(input: AdmissionInput): boolean {
  return input.kind.group === 'core.orka.ai' && input.kind.kind === 'Task';
}

/** Who asked for the Task: its stamped `spec.requestedBy`, else the user making this request. */
export function requesterOf(
  object: KubeObject | null,
  userInfo: UserInfo,
): { username: string; groups: string[] } {
  const stamped = (
    object?.spec as { requestedBy?: { username?: unknown; groups?: unknown } } | undefined
  )?.requestedBy;
  if (stamped && typeof stamped === 'object') {
    return {
      username: typeof stamped.username === 'string' ? stamped.username : '',
      groups: Array.isArray(stamped.groups)
        ? stamped.groups.filter((g): g is string => typeof g === 'string')
        : [],
    };
  }
  return { username: userInfo.username, groups: [...userInfo.groups] };
}

export interface ActivationInputs {
  input: AdmissionInput;
  /** the object as it stands at this point of the chain (after mutations so far) */
  object: KubeObject | null;
  agent: KubeObject | null;
  namespaceObject: KubeObject | null;
  config: PolicyConfig;
  resources: ResourceModel;
}

// A PolicyConfig is built once from flags and never changed, so its CEL form is too.
const configValues = new WeakMap<PolicyConfig, unknown>();

function configValueOf(config: PolicyConfig): unknown {
  let value = configValues.get(config);
  if (value === undefined) {
    value = toCelValue(configVariable(config));
    configValues.set(config, value);
  }
  return value;
}

/** The variables that are the same whatever the object: converted once per request. */
function objectFreeVariables(inputs: Omit<ActivationInputs, 'object'>) {
  const { input, agent } = inputs;
  return {
    oldObject: input.oldObject === null ? null : toCelValue(input.oldObject),
    request: toCelValue({
      operation: input.operation,
      name: input.name,
      namespace: input.namespace,
      subResource: input.subResource,
      dryRun: input.dryRun,
      kind: input.kind,
      resource: input.resource,
      userInfo: { uid: '', extra: {}, ...input.userInfo },
    }),
    agent: agent === null ? null : toCelValue(agent),
    config: configValueOf(inputs.config),
    namespaceObject: inputs.namespaceObject === null ? null : toCelValue(inputs.namespaceObject),
  };
}

/**
 * The activations of one request as its object changes along the chain: the variables that do
 * not depend on the object are converted once, the others once per object, and an object seen
 * last time gets the same activation (and so the same shared results) again.
 */
export function requestActivations(
  inputs: Omit<ActivationInputs, 'object'>,
): (object: KubeObject | null) => Activation {
  const { input, agent, resources } = inputs;
  // converted on first need: a request the schema refuses never builds an activation
  let fixed: ReturnType<typeof objectFreeVariables> | undefined;
  let lastObject: KubeObject | null | undefined;
  let lastActivation: Activation | undefined;
  return (object) => {
    if (lastActivation !== undefined && object === lastObject) return lastActivation;
    const subject = object ?? input.oldObject;
    const task = isTask(input) && subject !== null;
    fixed ??= objectFreeVariables(inputs);
    lastObject = object;
    lastActivation = shareResults({
      object: object === null ? null : toCelValue(object),
      oldObject: fixed.oldObject,
      request: fixed.request,
      requester: toCelValue(requesterOf(subject, input.userInfo)),
      agent: fixed.agent,
      effective: task ? toCelValue(resources.effectiveValues(subject, agent)) : NO_EFFECTIVE_VALUES,
      tctx: task ? transactionContextOf(subject) : null,
      config: fixed.config,
      namespaceObject: fixed.namespaceObject,
      // each policy puts its own here as it binds (policy/evaluate/policy.ts bindActivation)
      params: null,
      variables: NO_VARIABLES,
    });
    return lastActivation;
  };
}

export function buildActivation(inputs: ActivationInputs): Activation {
  return requestActivations(inputs)(inputs.object);
}
