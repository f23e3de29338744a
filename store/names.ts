// Argument checks shared by every store operation. The namespace is required everywhere so that
// no query can run without one; names follow Kubernetes' rules so that a typo or an empty value
// fails here with a message naming the argument, not later as a silent miss.
import { InvalidArgumentError } from './errors.ts';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
// C0 controls and DEL: they would corrupt log lines, JSONL transcripts and HTTP headers.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

export const MAX_SESSION_NAME_LENGTH = 253;
export const MAX_ARTIFACT_FILENAME_LENGTH = 255;
export const MAX_CONTENT_TYPE_LENGTH = 255;

/** Shows a bad value in an error without echoing a huge or multi-line input. */
export function describeValue(value: unknown): string {
  if (typeof value !== 'string') return value === null ? 'null' : typeof value;
  const shown = value.length > 64 ? `${value.slice(0, 64)}…` : value;
  return JSON.stringify(shown);
}

function requireString(argument: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') {
    throw new InvalidArgumentError(
      `${argument} is required (a non-empty string), got ${describeValue(value)}`,
    );
  }
  return value;
}

/** A namespace name: a DNS-1123 label of at most 63 characters. */
export function checkNamespace(value: unknown): string {
  const namespace = requireString('namespace', value);
  if (namespace.length > 63 || !DNS_LABEL.test(namespace)) {
    throw new InvalidArgumentError(
      `namespace ${describeValue(namespace)} is not a valid namespace name ` +
        '(lowercase letters, digits and "-", at most 63 characters)',
    );
  }
  return namespace;
}

/** A Task name: a DNS-1123 subdomain of at most 253 characters, as Kubernetes requires. */
export function checkTaskName(value: unknown, argument = 'task name'): string {
  const name = requireString(argument, value);
  if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) {
    throw new InvalidArgumentError(
      `${argument} ${describeValue(name)} is not a valid Task name ` +
        '(lowercase letters, digits, "-" and ".", at most 253 characters)',
    );
  }
  return name;
}

/** A session name: free text (the CRD gives no pattern), but bounded and printable. */
export function checkSessionName(value: unknown): string {
  const name = requireString('session name', value);
  if (name.length > MAX_SESSION_NAME_LENGTH) {
    throw new InvalidArgumentError(
      `session name ${describeValue(name)} is longer than ${MAX_SESSION_NAME_LENGTH} characters`,
    );
  }
  if (CONTROL_CHARACTERS.test(name) || name.includes('/')) {
    throw new InvalidArgumentError(
      `session name ${describeValue(name)} contains invalid characters (control characters or "/")`,
    );
  }
  return name;
}

/**
 * An artifact filename as the worker uploads it: a plain file name. Messages follow the
 * reference API's wording so the REST layer can pass them through unchanged.
 */
export function checkArtifactFilename(value: unknown): string {
  const filename = requireString('artifact filename', value);
  if (filename.length > MAX_ARTIFACT_FILENAME_LENGTH) {
    throw new InvalidArgumentError(
      `filename exceeds ${MAX_ARTIFACT_FILENAME_LENGTH} character limit`,
    );
  }
  if (CONTROL_CHARACTERS.test(filename) || filename.includes('/') || filename.includes('\\')) {
    throw new InvalidArgumentError('filename contains invalid characters');
  }
  if (filename === '.' || filename === '..') {
    throw new InvalidArgumentError('invalid filename');
  }
  return filename;
}

export function checkContentType(value: unknown): string {
  const contentType = requireString('content type', value);
  if (contentType.length > MAX_CONTENT_TYPE_LENGTH || CONTROL_CHARACTERS.test(contentType)) {
    throw new InvalidArgumentError(
      `content type ${describeValue(contentType)} is not a valid media type ` +
        `(printable, at most ${MAX_CONTENT_TYPE_LENGTH} characters)`,
    );
  }
  return contentType;
}
