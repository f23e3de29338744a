// Delegation from inside a worker (reference §3.7, DESIGN §8): the agent asks for a child Task of
// its own Task through the API's internal endpoint. The worker side checks what it can know from
// its env (the child scope is a subset of the parent's scopes), exchanges its transaction token
// for a child token at the token service (RFC 8693) when one is configured, and sends both; the
// API re-checks everything and writes the child as the controller.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parseDuration } from '../resources/duration.ts';
import type { Env } from './config.ts';
import { WorkerConfigError } from './errors.ts';

export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const TXN_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:txn_token';
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
export const DEFAULT_TTS_TIMEOUT_MS = 10_000;
const MAX_ERROR_BODY = 512;
const MAX_NAME = 63;

/** A delegation the worker refuses, or the token service refused: exit 1, nothing created. */
export class DelegationError extends Error {
  override name = 'DelegationError';
}

export type TokenSource = 'none' | 'incoming' | 'serviceAccount';

export interface ExchangeSettings {
  ttsUrl: string;
  audience: string | undefined;
  timeoutMs: number;
  source: Exclude<TokenSource, 'none'>;
  subjectTokenType: string;
  childScope: string;
  /** requested_expires_in; undefined = the service's default */
  childTtlSeconds: number | undefined;
}

const text = (env: Env, name: string): string | undefined => env[name]?.trim() || undefined;

function fields(value: string): string[] {
  return value.split(/\s+/).filter((part) => part !== '');
}

/** The parent's scopes: ORKA_TRANSACTION_SCOPES (csv), else the fields of ORKA_TRANSACTION_SCOPE. */
export function parentScopes(env: Env): string[] {
  const list = (text(env, 'ORKA_TRANSACTION_SCOPES') ?? '')
    .split(',')
    .map((scope) => scope.trim())
    .filter((scope) => scope !== '');
  return list.length > 0 ? list : fields(text(env, 'ORKA_TRANSACTION_SCOPE') ?? '');
}

/** The subset rule of reference §3.7 step 2: null when every child scope is a parent scope. */
export function childScopeFailure(childScope: string, parent: readonly string[]): string | null {
  const wanted = fields(childScope);
  if (wanted.length === 0) return 'child transaction scope is required';
  if (parent.length === 0) return 'parent transaction scopes are required for child token exchange';
  const missing = wanted.find((scope) => !parent.includes(scope));
  return missing === undefined
    ? null
    : `child transaction scope ${JSON.stringify(missing)} is not present in parent transaction scopes`;
}

function parentHasTransaction(env: Env): boolean {
  return ['ORKA_TRANSACTION_ID', 'ORKA_TRANSACTION_SCOPE', 'ORKA_TRANSACTION_SCOPES'].some(
    (name) => text(env, name) !== undefined,
  );
}

function durationMs(env: Env, name: string): number | undefined {
  const raw = text(env, name);
  if (raw === undefined) return undefined;
  try {
    return parseDuration(raw);
  } catch (error) {
    throw new WorkerConfigError(`invalid ${name}: ${(error as Error).message}`);
  }
}

/**
 * The token exchange to make, or null when there is none (no token service, source `none`, or a
 * parent without a transaction). Config errors name the variable; a scope outside the parent's
 * is a DelegationError.
 */
export function exchangeSettings(env: Env): ExchangeSettings | null {
  const ttsUrl = text(env, 'ORKA_CONTEXT_TOKEN_TTS_URL')?.replace(/\/+$/, '');
  const rawSource = text(env, 'ORKA_CONTEXT_TOKEN_TTS_TOKEN_SOURCE') ?? 'incoming';
  if (!['none', 'incoming', 'serviceAccount'].includes(rawSource)) {
    throw new WorkerConfigError(
      `invalid ORKA_CONTEXT_TOKEN_TTS_TOKEN_SOURCE: "${rawSource}" is not none, incoming or serviceAccount`,
    );
  }
  const source = rawSource as TokenSource;
  if (!ttsUrl || source === 'none' || !parentHasTransaction(env)) return null;
  const childScope = text(env, 'ORKA_CONTEXT_TOKEN_CHILD_SCOPE');
  if (childScope === undefined) {
    throw new WorkerConfigError(
      'ORKA_CONTEXT_TOKEN_CHILD_SCOPE is required when ORKA_CONTEXT_TOKEN_TTS_URL is set for child task tokens',
    );
  }
  const failure = childScopeFailure(childScope, parentScopes(env));
  if (failure !== null) throw new DelegationError(failure);
  const ttl = durationMs(env, 'ORKA_CONTEXT_TOKEN_CHILD_TOKEN_TTL');
  return {
    ttsUrl,
    audience: text(env, 'ORKA_CONTEXT_TOKEN_TTS_AUDIENCE'),
    timeoutMs: durationMs(env, 'ORKA_CONTEXT_TOKEN_TTS_TIMEOUT') || DEFAULT_TTS_TIMEOUT_MS,
    source,
    subjectTokenType:
      text(env, 'ORKA_CONTEXT_TOKEN_SUBJECT_TOKEN_TYPE') ??
      (source === 'serviceAccount' ? ACCESS_TOKEN_TYPE : TXN_TOKEN_TYPE),
    childScope: fields(childScope).join(' '),
    childTtlSeconds: ttl && ttl > 0 ? Math.max(1, Math.ceil(ttl / 1000)) : undefined,
  };
}

/** Step 3: the incoming token file (subject file, else transaction file), or the SA token. */
export async function subjectToken(
  env: Env,
  settings: ExchangeSettings,
  serviceAccountToken: () => Promise<string | undefined>,
): Promise<string> {
  if (settings.source === 'serviceAccount') {
    const token = await serviceAccountToken();
    if (!token)
      throw new WorkerConfigError('no ServiceAccount token to exchange (ORKA_SA_TOKEN_PATH)');
    return token;
  }
  const variable = text(env, 'ORKA_CONTEXT_TOKEN_SUBJECT_TOKEN_FILE')
    ? 'ORKA_CONTEXT_TOKEN_SUBJECT_TOKEN_FILE'
    : 'ORKA_TRANSACTION_TOKEN_FILE';
  const path = text(env, variable);
  if (!path) throw new WorkerConfigError(`${variable} is required for token source incoming`);
  const token = (await readFile(path, 'utf8').catch(() => '')).trim();
  if (!token)
    throw new WorkerConfigError(`${variable} ${path}: the token file is unreadable or empty`);
  return token;
}

export interface RequestDetails {
  operation: 'delegateTask';
  parentTask: string;
  namespace: string;
  agent?: string;
  txn?: string;
}

/** The RFC 8693 form of step 4. */
export function exchangeForm(
  settings: ExchangeSettings,
  token: string,
  details: RequestDetails,
): URLSearchParams {
  const form = new URLSearchParams({
    grant_type: TOKEN_EXCHANGE_GRANT,
    requested_token_type: TXN_TOKEN_TYPE,
    subject_token: token,
    subject_token_type: settings.subjectTokenType,
    scope: settings.childScope,
  });
  if (settings.audience) form.set('audience', settings.audience);
  if (settings.childTtlSeconds !== undefined) {
    form.set('requested_expires_in', String(settings.childTtlSeconds));
  }
  form.set('request_details', JSON.stringify(details));
  return form;
}

/** POST `<tts>/token_endpoint`; the issued token, or a DelegationError without any token in it. */
export async function exchangeChildToken(
  settings: ExchangeSettings,
  form: URLSearchParams,
): Promise<string> {
  const url = `${settings.ttsUrl}/token_endpoint`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form,
      signal: AbortSignal.timeout(settings.timeoutMs),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    throw new DelegationError(
      `token exchange with ${url}: ${cause?.code ?? (error as Error).message}`,
    );
  }
  const body = await response.text();
  if (!response.ok) {
    throw new DelegationError(
      `token exchange with ${url}: HTTP ${response.status}: ${body.slice(0, MAX_ERROR_BODY)}`,
    );
  }
  let issued: unknown;
  try {
    issued = (JSON.parse(body) as { access_token?: unknown }).access_token;
  } catch {
    issued = undefined;
  }
  if (typeof issued !== 'string' || issued === '') {
    throw new DelegationError(`token exchange with ${url}: the answer has no access_token`);
  }
  return issued;
}

/** `<parent>-child-<6 hex>`, DNS-safe, at most 63 characters. */
export function childTaskName(parent: string, random = randomBytes(3).toString('hex')): string {
  const suffix = `-child-${random}`;
  const base = parent
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .slice(0, MAX_NAME - suffix.length)
    .replace(/^-+|-+$/g, '');
  return `${base || 'task'}${suffix}`;
}
