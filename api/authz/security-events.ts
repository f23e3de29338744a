// Security log records (reference §4.5): who (identity, IP) and what was refused — never a token.
// The API's logger writes them as they are (logger name `api-server`).
import type { AuthenticationError } from '../auth/errors.ts';
import type { Identity } from '../auth/identity.ts';

export interface SecurityEvent {
  level: 'info' | 'warn' | 'error';
  msg: string;
  fields: Record<string, string>;
}

const JWT_LIKE = /[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g;
const BEARER_VALUE = /\b(bearer|token|secret|password|api[-_]?key)(\s*[:=]?\s*)\S+/gi;

/** Blanks anything in free text that looks like a credential. */
export function redactSensitiveText(text: string): string {
  return text.replace(JWT_LIKE, '[REDACTED]').replace(BEARER_VALUE, '$1$2[REDACTED]');
}

export function authenticationFailedEvent(error: AuthenticationError, ip: string): SecurityEvent {
  if (error.message === 'invalid token') {
    return { level: 'error', msg: error.logMessage, fields: { error: error.reason, ip } };
  }
  return { level: 'warn', msg: error.logMessage, fields: { ip } };
}

export function watchNamespaceMismatchEvent(
  requestedNamespace: string,
  allowedNamespace: string,
  ip: string,
): SecurityEvent {
  return {
    level: 'warn',
    msg: 'namespace access denied: watchNamespace mismatch',
    fields: { requestedNamespace, allowedNamespace, ip },
  };
}

export function isolationViolationEvent(
  identity: Identity,
  requestedNamespace: string,
  ip: string,
): SecurityEvent {
  return {
    level: 'warn',
    msg: 'namespace access denied: isolation violation',
    fields: {
      username: identity.username,
      authType: identity.authType,
      userNamespace: identity.namespace,
      requestedNamespace,
      ip,
    },
  };
}

export function crossNamespaceEvent(
  identity: Identity,
  callerNamespace: string,
  targetNamespace: string,
  ip: string,
): SecurityEvent {
  return {
    level: 'warn',
    msg: 'cross-namespace access denied',
    fields: { callerNamespace, targetNamespace, username: identity.username, ip },
  };
}

export function workerBindingEvent(
  identity: Identity,
  target: string,
  reason: string,
  ip: string,
): SecurityEvent {
  return {
    level: 'warn',
    msg: 'worker binding denied',
    fields: { username: identity.username, target, reason, ip },
  };
}

export function contextTokenAuthorizationFailedEvent(
  mode: string,
  action: string,
  identity: Identity,
  failures: readonly string[],
): SecurityEvent {
  const claims = identity.contextToken;
  return {
    level: 'info',
    msg: 'context-token authorization failed',
    fields: {
      mode,
      action,
      transactionID: claims?.transactionId ?? '',
      subject: claims?.subject ?? identity.subject,
      issuer: claims?.issuer ?? identity.issuer,
      failures: redactSensitiveText(failures.join('; ')),
    },
  };
}
