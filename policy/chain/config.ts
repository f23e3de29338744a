// The `config` CEL variable (DESIGN §4), built from the controller's flag values. Taking a plain
// record keeps policy/ free of cli/ imports: the CLI, the webhook and the controller pass the
// values their own flag parser produced.

export interface PolicyConfig {
  controllerNamespace: string;
  /** the controller's own username, a trusted writer whose finalizer-only updates custom policies never see */
  controllerUsername: string;
  enforceNamespaceIsolation: boolean;
  maxTasksPerNamespace: number;
  provenance: { enabled: boolean; trustedUsers: string[]; trustedServiceAccounts: string[] };
  agentSandbox: {
    enabled: boolean;
    defaultTemplate: string;
    namespaceStrategy: string;
    cleanupPolicy: string;
    warmPoolPolicy: string;
  };
}

type FlagRecord = Readonly<Record<string, unknown>>;

function read<T>(values: FlagRecord, name: string, fallback: T): T {
  const value = values[name];
  if (value === undefined) return fallback;
  if (typeof value !== typeof fallback || Array.isArray(value) !== Array.isArray(fallback)) {
    throw new TypeError(
      `policy config: --${name} must be a ${Array.isArray(fallback) ? 'list' : typeof fallback}`,
    );
  }
  return value as T;
}

/** Builds the config from flag values keyed by flag name (`enforce-namespace-isolation`, ...). */
export function policyConfigFromFlags(values: FlagRecord): PolicyConfig {
  const controllerNamespace = read(values, 'controller-namespace', 'orka-system');
  const serviceAccount = read(values, 'controller-service-account', 'orka');
  const controllerUsername = `system:serviceaccount:${controllerNamespace}:${serviceAccount}`;
  const trustedUsers = read<string[]>(values, 'task-provenance-admission-trusted-users', []);
  return {
    controllerNamespace,
    controllerUsername,
    enforceNamespaceIsolation: read(values, 'enforce-namespace-isolation', false),
    maxTasksPerNamespace: read(values, 'max-tasks-per-namespace', 0),
    provenance: {
      enabled: read(values, 'task-provenance-admission-enabled', true),
      trustedUsers: trustedUsers.length > 0 ? trustedUsers : [controllerUsername],
      trustedServiceAccounts: read<string[]>(
        values,
        'task-provenance-admission-trusted-service-accounts',
        [],
      ),
    },
    agentSandbox: {
      enabled: read(values, 'agent-sandbox-enabled', false),
      defaultTemplate: read(values, 'agent-sandbox-default-template', ''),
      namespaceStrategy: read(values, 'agent-sandbox-namespace-strategy', 'task'),
      cleanupPolicy: read(values, 'agent-sandbox-cleanup-policy', 'delete'),
      warmPoolPolicy: read(values, 'agent-sandbox-warm-pool-policy', 'disabled'),
    },
  };
}

/** The config as CEL sees it (integers as BigInt). */
export function configVariable(config: PolicyConfig): Record<string, unknown> {
  return { ...config, maxTasksPerNamespace: BigInt(config.maxTasksPerNamespace) };
}
