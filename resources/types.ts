// TypeScript types of the Orka resources, derived from the schemas (the one source of truth).
import type { Static } from '@sinclair/typebox';
import type * as policy from './schemas/admission-policy.ts';
import type * as agent from './schemas/agent.ts';
import type * as execution from './schemas/execution.ts';
import type * as kubernetes from './schemas/kubernetes.ts';
import type * as task from './schemas/task.ts';

export type { ObjectMeta, OwnerReference } from './schemas/meta.ts';

export type Agent = Static<typeof agent.AgentSchema>;
export type AgentSpec = Static<typeof agent.AgentSpec>;
export type AgentStatus = Static<typeof agent.AgentStatus>;
export type AgentRuntime = Static<typeof agent.AgentRuntime>;
export type RuntimeType = AgentRuntime['type'];

export type Task = Static<typeof task.TaskSchema>;
export type TaskSpec = Static<typeof task.TaskSpec>;
export type TaskStatus = Static<typeof task.TaskStatus>;
export type TaskType = TaskSpec['type'];
export type TaskPhase = NonNullable<TaskStatus['phase']>;
export type AgentRuntimeOverrides = Static<typeof task.AgentRuntimeOverrides>;
export type RequestedBy = Static<typeof task.RequestedBy>;
export type TransactionSpec = Static<typeof task.TransactionSpec>;

export type AdmissionPolicy = Static<typeof policy.AdmissionPolicySchema>;
export type AdmissionPolicySpec = Static<typeof policy.AdmissionPolicySpec>;
export type AdmissionPolicyStatus = Static<typeof policy.AdmissionPolicyStatus>;
export type MatchConstraints = Static<typeof policy.MatchConstraints>;
export type ResourceRule = Static<typeof policy.ResourceRule>;

export type ExecutionSpec = Static<typeof execution.ExecutionSpec>;
export type SandboxWorkspaceRequest = Static<typeof execution.SandboxWorkspaceRequest>;
export type WorkspaceConfig = Static<typeof execution.WorkspaceConfig>;
export type ResourceRequirements = Static<typeof kubernetes.ResourceRequirements>;
export type Toleration = Static<typeof kubernetes.Toleration>;
export type Affinity = Static<typeof kubernetes.Affinity>;
export type EnvVar = Static<typeof kubernetes.EnvVar>;
export type Condition = Static<typeof kubernetes.Condition>;

/** Any resource Orka defines. */
export type OrkaResource = Agent | Task | AdmissionPolicy;
