// Task status messages, condition types and Event reasons (reference §1.3, §3.7, §6.6–§6.8).

export const MESSAGES = {
  succeeded: 'task completed successfully',
  jobFailed: 'job failed',
  jobNotFound: 'job not found',
  timedOut: 'task timed out',
  aiNotSupported: 'type: ai tasks are not supported yet',
  tokenPendingTimeout: 'delegated transaction token setup timed out after 2m0s',
  containerCreatingStuck:
    'pod stuck in ContainerCreating for over 2 minutes (possible missing secret/volume)',
  initializingStuck: (eventMessage: string) =>
    `pod stuck initializing for over 2 minutes: ${eventMessage}`,
  podStuck: (reason: string, message: string) => `pod stuck: ${reason} - ${message}`,
  unschedulable: (message: string) => `pod unschedulable: ${message}`,
  failedCreate: (message: string) => `job could not create its pod: ${message}`,
  buildFailed: (message: string) => `failed to build job: ${message}`,
  createFailed: (message: string) => `failed to create job: ${message}`,
  agentNotFound: (name: string, namespace: string) =>
    `agent "${name}" not found in namespace "${namespace}"`,
} as const;

export const CONDITIONS = {
  jobCreated: 'JobCreated',
  complete: 'Complete',
  agentFound: 'AgentFound',
  /** Why a Pending Task waits: for a slot, a session, or a retry's delay. */
  scheduled: 'Scheduled',
} as const;

export const REASONS = {
  jobCreated: 'JobCreated',
  succeeded: 'TaskSucceeded',
  failed: 'TaskFailed',
  agentFound: 'AgentFound',
  agentNotFound: 'AgentNotFound',
  retrying: 'TaskRetrying',
  retryDelay: 'RetryDelay',
  slotGranted: 'SlotGranted',
  tokenPendingTimeout: 'TransactionTokenPendingTimeout',
  workerRbacFailed: 'WorkerRBACReconcileFailed',
} as const;
