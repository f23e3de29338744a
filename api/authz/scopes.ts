// Context-token authorization configuration (reference §3.1, §3.4): the mode and, per operation
// class, the scopes of which a token must hold at least one.

export type AuthzMode = 'off' | 'audit' | 'enforce';

export type ScopeClass =
  | 'taskCreate'
  | 'taskRead'
  | 'taskList'
  | 'taskDelete'
  | 'toolRead'
  | 'toolUse'
  | 'providerUse'
  | 'secretRead'
  | 'agentRead'
  | 'agentWrite'
  | 'memoryRead'
  | 'memoryWrite'
  | 'sessionRead'
  | 'sessionWrite'
  | 'securityRead'
  | 'securityWrite'
  | 'skillRead'
  | 'skillWrite';

/** Flag suffix (`--context-token-<suffix>-scopes`) and default scope of each class. */
export const SCOPE_CLASSES: Readonly<Record<ScopeClass, { flag: string; defaultScope: string }>> = {
  taskCreate: { flag: 'task-create', defaultScope: 'orka:tasks:create' },
  taskRead: { flag: 'task-read', defaultScope: 'orka:tasks:get' },
  taskList: { flag: 'task-list', defaultScope: 'orka:tasks:list' },
  taskDelete: { flag: 'task-delete', defaultScope: 'orka:tasks:delete' },
  toolRead: { flag: 'tool-read', defaultScope: 'orka:tools:read' },
  toolUse: { flag: 'tool-use', defaultScope: 'orka:tools:use' },
  providerUse: { flag: 'provider-use', defaultScope: 'orka:providers:use' },
  secretRead: { flag: 'secret-read', defaultScope: 'orka:secrets:read' },
  agentRead: { flag: 'agent-read', defaultScope: 'orka:agents:read' },
  agentWrite: { flag: 'agent-write', defaultScope: 'orka:agents:write' },
  memoryRead: { flag: 'memory-read', defaultScope: 'orka:memory:read' },
  memoryWrite: { flag: 'memory-write', defaultScope: 'orka:memory:write' },
  sessionRead: { flag: 'session-read', defaultScope: 'orka:sessions:read' },
  sessionWrite: { flag: 'session-write', defaultScope: 'orka:sessions:write' },
  securityRead: { flag: 'security-read', defaultScope: 'orka:security:read' },
  securityWrite: { flag: 'security-write', defaultScope: 'orka:security:write' },
  skillRead: { flag: 'skill-read', defaultScope: 'orka:skills:read' },
  skillWrite: { flag: 'skill-write', defaultScope: 'orka:skills:write' },
};

/** The `<action>` names of reference §3.4 and the class each belongs to. */
export const ACTION_CLASSES: Readonly<Record<string, ScopeClass>> = {
  createTask: 'taskCreate',
  getTask: 'taskRead',
  getTaskLogs: 'taskRead',
  getTaskResult: 'taskRead',
  getTaskPlan: 'taskRead',
  getTaskChildren: 'taskRead',
  listTaskArtifacts: 'taskRead',
  downloadTaskArtifact: 'taskRead',
  listTasks: 'taskList',
  deleteTask: 'taskDelete',
  listTools: 'toolRead',
  getTool: 'toolRead',
  useTools: 'toolUse',
  chat: 'providerUse',
  openaiProxy: 'providerUse',
  anthropicProxy: 'providerUse',
  listSecrets: 'secretRead',
  listAgents: 'agentRead',
  getAgent: 'agentRead',
  createAgent: 'agentWrite',
  updateAgent: 'agentWrite',
  deleteAgent: 'agentWrite',
  listSessions: 'sessionRead',
  getSession: 'sessionRead',
  deleteSession: 'sessionWrite',
};

export interface ContextTokenAuthzConfig {
  mode: AuthzMode;
  scopes: Readonly<Record<ScopeClass, readonly string[]>>;
}

export interface ContextTokenAuthzSettings {
  /** `--context-token-authz-mode`; "" means off */
  mode?: string;
  /** CSV per class; a non-empty list replaces the default */
  scopes?: Partial<Record<ScopeClass, string>>;
}

export function splitCsv(value: string): string[] {
  return value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

/** Throws `unsupported context-token authorization mode "<m>"` on a bad mode. */
export function parseContextTokenAuthzConfig(
  settings: ContextTokenAuthzSettings = {},
): ContextTokenAuthzConfig {
  const mode = (settings.mode ?? '').trim().toLowerCase() || 'off';
  if (mode !== 'off' && mode !== 'audit' && mode !== 'enforce') {
    throw new Error(`unsupported context-token authorization mode "${mode}"`);
  }
  const scopes = {} as Record<ScopeClass, string[]>;
  for (const [scopeClass, { defaultScope }] of Object.entries(SCOPE_CLASSES)) {
    const configured = splitCsv(settings.scopes?.[scopeClass as ScopeClass] ?? '');
    scopes[scopeClass as ScopeClass] = configured.length > 0 ? configured : [defaultScope];
  }
  return { mode, scopes };
}

export function classOfAction(action: string): ScopeClass {
  const scopeClass = ACTION_CLASSES[action];
  if (scopeClass === undefined) throw new Error(`unknown context-token action "${action}"`);
  return scopeClass;
}

/** `missing one of required scopes "<csv>"` unless the token holds one of `required`. */
export function scopeFailures(
  tokenScopes: readonly string[],
  required: readonly string[],
): string[] {
  if (tokenScopes.some((scope) => required.includes(scope))) return [];
  return [`missing one of required scopes ${JSON.stringify(required.join(','))}`];
}
