// The authorization module's public surface: pure decisions over an authenticated Identity.
export {
  type AuthzDecision,
  authorizeAction,
  authorizeLoadedTask,
  authorizeTaskCreate,
  authorizeTaskDelete,
  authorizeTaskRead,
  type FailureReason,
  failureReason,
  filterListedTasks,
} from './authorize.ts';
export { canonicaliseContext, contextDigest, goJsonEncode, SET_VALUED_KEYS } from './go-json.ts';
export {
  type NamespacePolicy,
  type NamespaceResult,
  resolveNamespace,
  verifyCallerNamespace,
} from './namespace.ts';
export {
  ACTION_CLASSES,
  type AuthzMode,
  type ContextTokenAuthzConfig,
  type ContextTokenAuthzSettings,
  classOfAction,
  parseContextTokenAuthzConfig,
  SCOPE_CLASSES,
  type ScopeClass,
} from './scopes.ts';
export * from './security-events.ts';
export {
  applyProvenanceStamp,
  type ProvenanceStamp,
  provenanceStamp,
  type RequestedBy,
  type StampableTask,
  type TaskTransaction,
  transactionContext,
} from './stamp.ts';
export {
  type AgentLike,
  COORDINATION_TOOLS,
  type ProviderLike,
  providerInfo,
  type SubjectInputs,
  type TaskLike,
  taskAuthzSubject,
} from './task-subject.ts';
export {
  contextString,
  contextStringList,
  NO_PROVIDER,
  type ProviderInfo,
  type TaskAuthzSubject,
  taskContextFailures,
  taskIdentityFailures,
} from './tctx.ts';
export {
  type BindingResult,
  claimedPodName,
  type PodFacts,
  type TaskFacts,
  verifyWorkerBinding,
} from './worker-binding.ts';
