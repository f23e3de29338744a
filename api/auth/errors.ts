// Authentication failures. `message` is what the client sees (the reference's exact 401 texts);
// `reason` is for the security log only. Neither ever contains a token: reasons are built from
// fixed texts and, at most, short header fields (kid, typ, alg) that are quoted and truncated.

/** The log line of reference §4.5 that goes with each client-facing message. */
const LOG_MESSAGES: Record<string, string> = {
  'invalid context token header format':
    'authentication failed: invalid context token header format',
  'invalid authorization header format':
    'authentication failed: invalid authorization header format',
  'kontxt TxTokens must be sent via the Txn-Token header unless Authorization: Bearer is explicitly enabled':
    'authentication failed: authorization bearer context token is not configured',
  'missing authorization header': 'authentication failed: missing authorization header',
  'invalid token': 'token validation failed',
};

export type AuthFailureMessage =
  | 'invalid context token header format'
  | 'invalid authorization header format'
  | 'kontxt TxTokens must be sent via the Txn-Token header unless Authorization: Bearer is explicitly enabled'
  | 'missing authorization header'
  | 'invalid token';

export class AuthenticationError extends Error {
  readonly status = 401;
  /** the security log message of reference §4.5 */
  readonly logMessage: string;
  constructor(
    message: AuthFailureMessage,
    /** why, for the log; never shown to the client */
    readonly reason: string = message,
  ) {
    super(message);
    this.name = 'AuthenticationError';
    this.logMessage = LOG_MESSAGES[message] ?? 'authentication failed';
  }
}

/** A token was rejected by one verifier; the text is safe to log. */
export class TokenRejected extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'TokenRejected';
  }
}

/** Quotes an attacker-controlled header field for an error text, bounded and escaped. */
export function quoteField(value: unknown): string {
  const text = typeof value === 'string' ? value : String(value);
  return JSON.stringify(text.length > 64 ? `${text.slice(0, 64)}…` : text);
}
