// The raw bearer token of an authenticated request, for the one consumer that needs it (token
// exchange during delegation). The value sits in a private field: it does not show up in
// JSON.stringify, util.inspect, object spreads or structured logs.
export class BearerCredential {
  readonly #token: string;
  constructor(token: string) {
    this.#token = token;
  }
  /** The raw token. Call only to forward it to a token exchange; never log the result. */
  reveal(): string {
    return this.#token;
  }
  toJSON(): string {
    return '[REDACTED]';
  }
  toString(): string {
    return '[REDACTED]';
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return 'BearerCredential [REDACTED]';
  }
}
