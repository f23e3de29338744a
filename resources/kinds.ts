// The resource kinds Orka defines: names, scope, schema and printer columns. The CRD generator,
// the validator and kind detection all read this one table.
import type { TObject } from '@sinclair/typebox';
import { AdmissionPolicySchema } from './schemas/admission-policy.ts';
import { AgentSchema } from './schemas/agent.ts';
import { TaskSchema } from './schemas/task.ts';

export const CORE_GROUP = 'core.orka.ai';
export const POLICY_GROUP = 'policy.orka.ai';
export const VERSION = 'v1alpha1';

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  jsonPath: string;
  description?: string;
  priority?: number;
}

export interface KindInfo {
  group: string;
  version: string;
  kind: 'Agent' | 'Task' | 'AdmissionPolicy';
  plural: string;
  singular: string;
  shortNames: string[];
  scope: 'Namespaced' | 'Cluster';
  schema: TObject;
  printerColumns: PrinterColumn[];
}

const age: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

export const KINDS: readonly KindInfo[] = [
  {
    group: CORE_GROUP,
    version: VERSION,
    kind: 'Agent',
    plural: 'agents',
    singular: 'agent',
    shortNames: ['oag'],
    scope: 'Namespaced',
    schema: AgentSchema,
    printerColumns: [
      { name: 'Runtime', type: 'string', jsonPath: '.spec.runtime.type' },
      { name: 'Provider', type: 'string', jsonPath: '.spec.model.provider' },
      { name: 'Model', type: 'string', jsonPath: '.spec.model.name' },
      { name: 'Ready', type: 'boolean', jsonPath: '.status.ready' },
      { name: 'Active', type: 'integer', jsonPath: '.status.activeTasks' },
      age,
    ],
  },
  {
    group: CORE_GROUP,
    version: VERSION,
    kind: 'Task',
    plural: 'tasks',
    singular: 'task',
    shortNames: ['otask'],
    scope: 'Namespaced',
    schema: TaskSchema,
    printerColumns: [
      { name: 'Type', type: 'string', jsonPath: '.spec.type' },
      { name: 'Agent', type: 'string', jsonPath: '.spec.agentRef.name' },
      { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
      { name: 'Priority', type: 'integer', jsonPath: '.spec.priority' },
      { name: 'Job', type: 'string', jsonPath: '.status.jobName', priority: 1 },
      { name: 'Message', type: 'string', jsonPath: '.status.message', priority: 1 },
      age,
    ],
  },
  {
    group: POLICY_GROUP,
    version: VERSION,
    kind: 'AdmissionPolicy',
    plural: 'admissionpolicies',
    singular: 'admissionpolicy',
    shortNames: ['oap'],
    scope: 'Cluster',
    schema: AdmissionPolicySchema,
    printerColumns: [
      { name: 'Actions', type: 'string', jsonPath: '.spec.validationActions' },
      { name: 'Failure Policy', type: 'string', jsonPath: '.spec.failurePolicy' },
      { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
      age,
    ],
  },
];

export const apiVersionOf = (info: KindInfo) => `${info.group}/${info.version}`;

// each kind with its apiVersion spelled once: kindOf runs several times per admission request
const KIND_VERSIONS = KINDS.map((info) => ({ info, apiVersion: apiVersionOf(info) }));

/** The kind an object declares, or undefined when Orka defines no such kind. */
export function kindOf(object: { apiVersion?: unknown; kind?: unknown }): KindInfo | undefined {
  for (const { info, apiVersion } of KIND_VERSIONS) {
    if (apiVersion === object.apiVersion && info.kind === object.kind) return info;
  }
  return undefined;
}
