// The signed `tctx` constraints checked against a Task (reference §3.5): on create, and again on
// every loaded Task a context-token caller reads, lists or deletes. Pure: the caller resolves the
// Agent and Provider and passes them in.
import { isJsonObject, type JsonObject } from '../auth/json-literal.ts';
import { splitCsv } from './scopes.ts';

const q = (value: string): string => JSON.stringify(value);

/** A tctx string constraint: present, a string, and non-blank. */
export function contextString(tctx: JsonObject | null, key: string): string | null {
  const value = tctx?.[key];
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

/**
 * A tctx list constraint: a JSON array of non-blank strings (`[]` allows nothing), or a CSV string.
 * A non-string element voids the constraint, as in the reference.
 */
export function contextStringList(tctx: JsonObject | null, key: string): string[] | null {
  const value = tctx?.[key];
  if (Array.isArray(value)) {
    const out: string[] = [];
    for (const item of value) {
      if (typeof item !== 'string' || item.trim() === '') return null;
      out.push(item);
    }
    return out;
  }
  if (typeof value === 'string') {
    const out = splitCsv(value);
    return out.length > 0 ? out : null;
  }
  return null;
}

export interface ProviderInfo {
  /** Provider object name; "" when the provider is only a type string */
  name: string;
  namespace: string;
  /** anthropic | openai | azure-openai */
  type: string;
}

export const NO_PROVIDER: ProviderInfo = { name: '', namespace: '', type: '' };

/** Everything about a Task the constraints compare with. */
export interface TaskAuthzSubject {
  namespace: string;
  name: string;
  type: string;
  agentName: string;
  agentNamespace: string;
  workspace: { gitRepo: string; branch: string; ref: string };
  /** the providerRef as written (Task ai.providerRef, else the Agent's), namespace defaulted */
  providerRef: ProviderInfo | null;
  effectiveProvider: ProviderInfo;
  effectiveModel: string;
  fallbacks: { provider: ProviderInfo; model: string }[];
  /** agent `tools` (enabled), coordination tools, `ai.tools` */
  aiTools: string[];
  /** agentRuntime.allowedTools, else the Agent's defaultAllowedTools, minus disallowed tools */
  runtimeAllowedTools: string[];
  runtimeAllowBash: boolean;
}

const namespaced = (namespace: string, name: string): string =>
  namespace === '' ? name : name === '' ? '' : `${namespace}/${name}`;

function agentMatches(name: string, namespace: string, want: string): boolean {
  const w = want.trim();
  if (w === '' || name.trim() === '') return false;
  return name === w || namespaced(namespace, name) === w;
}

function providerNamespaceMatches(provider: ProviderInfo, tokenNamespace: string | null): boolean {
  if (tokenNamespace === null) return true;
  const ns = provider.namespace.trim();
  return ns === '' || ns === tokenNamespace;
}

function providerMatches(
  provider: ProviderInfo,
  want: string,
  tokenNamespace: string | null,
): boolean {
  const w = want.trim();
  if (w === '' || !providerNamespaceMatches(provider, tokenNamespace)) return false;
  if (
    provider.name !== '' &&
    (namespaced(provider.namespace, provider.name) === w || provider.name === w)
  ) {
    return true;
  }
  return provider.type !== '' && provider.type === w;
}

function modelAllowed(
  provider: ProviderInfo,
  model: string,
  allowed: string[],
  tokenNamespace: string | null,
): boolean {
  if (!providerNamespaceMatches(provider, tokenNamespace)) return false;
  return allowed.some((entry) => {
    const w = entry.trim();
    if (w === '') return false;
    if (w === model) return true;
    if (provider.name !== '' && w === `${provider.name}/${model}`) return true;
    if (provider.name !== '' && w === `${namespaced(provider.namespace, provider.name)}/${model}`) {
      return true;
    }
    return provider.type !== '' && w === `${provider.type}/${model}`;
  });
}

const providerDisplayName = (p: ProviderInfo): string =>
  p.name !== '' ? namespaced(p.namespace, p.name) : p.type;

/** Namespace / taskName / task checks against a Task's identity. */
export function taskIdentityFailures(
  tctx: JsonObject | null,
  namespace: string,
  taskName: string,
): string[] {
  const failures: string[] = [];
  const wantNamespace = contextString(tctx, 'namespace');
  if (wantNamespace !== null && namespace.trim() !== '' && namespace !== wantNamespace) {
    failures.push(`namespace ${q(namespace)} does not match token context ${q(wantNamespace)}`);
  }
  const wantName = contextString(tctx, 'taskName');
  if (wantName !== null && taskName.trim() !== '' && taskName !== wantName) {
    failures.push(`task name ${q(taskName)} does not match token context ${q(wantName)}`);
  }
  const wantTask = contextString(tctx, 'task');
  if (
    wantTask !== null &&
    taskName.trim() !== '' &&
    taskName !== wantTask &&
    !(namespace.trim() !== '' && namespaced(namespace, taskName) === wantTask)
  ) {
    failures.push(
      `task ${q(namespaced(namespace, taskName))} does not match token context ${q(wantTask)}`,
    );
  }
  return failures;
}

function dependencyNamespaceFailures(subject: TaskAuthzSubject, tokenNamespace: string): string[] {
  const failures: string[] = [];
  if (
    subject.agentName !== '' &&
    subject.agentNamespace !== '' &&
    subject.agentNamespace !== tokenNamespace
  ) {
    failures.push(
      `agent namespace ${q(subject.agentNamespace)} does not match token context ${q(tokenNamespace)}`,
    );
  }
  const provider = subject.providerRef ?? subject.effectiveProvider;
  if (!providerNamespaceMatches(provider, tokenNamespace)) {
    failures.push(
      `provider namespace ${q(provider.namespace)} does not match token context ${q(tokenNamespace)}`,
    );
  }
  return failures;
}

function providerModelFailures(
  tctx: JsonObject | null,
  provider: ProviderInfo,
  model: string,
  tokenNamespace: string | null,
  prefix: string,
): string[] {
  const failures: string[] = [];
  const notAllowed = `${prefix}provider ${q(providerDisplayName(provider))} is not allowed by token context`;
  const wantProvider = contextString(tctx, 'provider');
  if (wantProvider !== null && !providerMatches(provider, wantProvider, tokenNamespace)) {
    failures.push(notAllowed);
  }
  const allowedProviders = contextStringList(tctx, 'allowedProviders');
  if (
    allowedProviders !== null &&
    !allowedProviders.some((w) => providerMatches(provider, w, tokenNamespace))
  ) {
    failures.push(notAllowed);
  }
  const wantModel = contextString(tctx, 'model');
  if (wantModel !== null && model !== wantModel) {
    failures.push(`${prefix}model ${q(model)} does not match token context ${q(wantModel)}`);
  }
  const allowedModels = contextStringList(tctx, 'allowedModels');
  if (allowedModels !== null && !modelAllowed(provider, model, allowedModels, tokenNamespace)) {
    failures.push(`${prefix}model ${q(model)} is not allowed by token context`);
  }
  return failures;
}

function workspaceFailures(tctx: JsonObject | null, subject: TaskAuthzSubject): string[] {
  const failures: string[] = [];
  const { gitRepo, branch, ref } = subject.workspace;
  const wantRepo = contextString(tctx, 'repo');
  if (wantRepo !== null && gitRepo !== wantRepo) {
    failures.push(`workspace repo ${q(gitRepo)} does not match token context ${q(wantRepo)}`);
  }
  const wantRef = contextString(tctx, 'ref');
  const wantBranch = contextString(tctx, 'branch');
  if (wantBranch !== null) {
    // A workspace pinned to exactly the signed ref needs no branch.
    const refOnly = branch === '' && wantRef !== null && ref === wantRef;
    if (!refOnly && branch !== wantBranch) {
      failures.push(`workspace branch ${q(branch)} does not match token context ${q(wantBranch)}`);
    }
  }
  if (wantRef !== null && ref !== wantRef) {
    failures.push(`workspace ref ${q(ref)} does not match token context ${q(wantRef)}`);
  }
  return failures;
}

function toolFailures(tctx: JsonObject | null, subject: TaskAuthzSubject): string[] {
  const allowed = contextStringList(tctx, 'allowedTools');
  if (allowed === null) return [];
  const failures: string[] = [];
  const isAgent = subject.type === 'agent';
  if (isAgent && !subject.runtimeAllowedTools.some((t) => t.trim() !== '')) {
    failures.push(
      'agent runtime tools are unrestricted by task or agent while token context restricts allowedTools',
    );
  }
  const runtimeTools = [...subject.runtimeAllowedTools];
  if (isAgent && subject.runtimeAllowBash) runtimeTools.push('Bash');
  for (const raw of [...subject.aiTools, ...runtimeTools]) {
    const tool = raw.trim();
    if (tool !== '' && !allowed.includes(tool)) {
      failures.push(`tool ${q(tool)} is not allowed by token context`);
    }
  }
  return failures;
}

/** Every tctx constraint against one Task, in the reference's order. */
export function taskContextFailures(tctx: JsonObject | null, subject: TaskAuthzSubject): string[] {
  if (tctx === null || !isJsonObject(tctx)) return [];
  const failures = taskIdentityFailures(tctx, subject.namespace, subject.name);
  const tokenNamespace = contextString(tctx, 'namespace');
  if (tokenNamespace !== null)
    failures.push(...dependencyNamespaceFailures(subject, tokenNamespace));
  const wantType = contextString(tctx, 'taskType');
  if (wantType !== null && subject.type !== wantType) {
    failures.push(`task type ${q(subject.type)} does not match token context ${q(wantType)}`);
  }
  const agentRef = namespaced(subject.agentNamespace, subject.agentName);
  const wantAgent = contextString(tctx, 'agent');
  if (wantAgent !== null && !agentMatches(subject.agentName, subject.agentNamespace, wantAgent)) {
    failures.push(`agent ${q(agentRef)} does not match token context ${q(wantAgent)}`);
  }
  const allowedAgents = contextStringList(tctx, 'allowedAgents');
  if (allowedAgents !== null) {
    if (subject.agentName === '') {
      failures.push('task does not specify an agent allowed by token context');
    } else if (
      !allowedAgents.some((w) => agentMatches(subject.agentName, subject.agentNamespace, w))
    ) {
      failures.push(`agent ${q(agentRef)} is not allowed by token context`);
    }
  }
  failures.push(
    ...providerModelFailures(
      tctx,
      subject.effectiveProvider,
      subject.effectiveModel,
      tokenNamespace,
      '',
    ),
  );
  for (const fallback of subject.fallbacks) {
    failures.push(
      ...providerModelFailures(
        tctx,
        fallback.provider,
        fallback.model,
        tokenNamespace,
        'fallback ',
      ),
    );
  }
  failures.push(...workspaceFailures(tctx, subject), ...toolFailures(tctx, subject));
  return failures;
}
