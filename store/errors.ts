// Errors the store raises on purpose. Each carries a `code` so callers (the REST API, the
// reconciler) can map it to a status without matching on message text.

export type StoreErrorCode =
  | 'invalid-argument'
  | 'too-large'
  | 'session-not-found'
  | 'schema-too-new'
  | 'open-failed';

export class StoreError extends Error {
  readonly code: StoreErrorCode;

  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
    this.code = code;
  }
}

/** A caller passed a value the store will not accept (bad name, wrong type, bad limit). */
export class InvalidArgumentError extends StoreError {
  constructor(message: string) {
    super('invalid-argument', message);
    this.name = 'InvalidArgumentError';
  }
}

/** A result, artifact or message is larger than the store keeps. Nothing was written. */
export class TooLargeError extends StoreError {
  readonly sizeBytes: number;
  readonly limitBytes: number;

  constructor(what: string, sizeBytes: number, limitBytes: number) {
    super(
      'too-large',
      `${what} is ${sizeBytes} bytes, over the ${formatMiB(limitBytes)} limit (${limitBytes} bytes)`,
    );
    this.name = 'TooLargeError';
    this.sizeBytes = sizeBytes;
    this.limitBytes = limitBytes;
  }
}

export class SessionNotFoundError extends StoreError {
  readonly namespace: string;
  readonly session: string;

  constructor(namespace: string, session: string, detail = '') {
    super('session-not-found', `session ${session} not found in namespace ${namespace}${detail}`);
    this.name = 'SessionNotFoundError';
    this.namespace = namespace;
    this.session = session;
  }
}

/** The database was written by a newer Orka; opening it with older code could corrupt it. */
export class SchemaTooNewError extends StoreError {
  readonly databaseVersion: number;
  readonly supportedVersion: number;

  constructor(path: string, databaseVersion: number, supportedVersion: number) {
    super(
      'schema-too-new',
      `store ${path} has schema version ${databaseVersion}, newer than the ${supportedVersion} ` +
        'this Orka supports: run a newer Orka or point --store-path at another file',
    );
    this.name = 'SchemaTooNewError';
    this.databaseVersion = databaseVersion;
    this.supportedVersion = supportedVersion;
  }
}

function formatMiB(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  return Number.isInteger(mib) ? `${mib} MiB` : `${bytes} byte`;
}
