// Decoding an AdmissionReview (admission.k8s.io/v1) into the chain's AdmissionInput. Integers keep
// their precision (policy/cel/json.ts). A body that is not an AdmissionReview with a request.uid is
// a BadRequestError (HTTP 400: there is no uid to answer); once the uid is known, every other
// problem is an InvalidRequestError, answered as a well-formed denial naming the field.

import {
  JsonParseError,
  parseJsonOfSafeIntegers,
  parseJsonPreservingIntegers,
} from '../policy/cel/json.ts';
import { toPlainJson } from '../policy/chain/plain-json.ts';
import type { AdmissionInput, KubeObject, UserInfo } from '../policy/chain/request.ts';
import type { Operation } from '../policy/match/resource-rules.ts';

export const ADMISSION_API_VERSION = 'admission.k8s.io/v1';

/** A Kubernetes Status body: what the webhook answers a request it cannot take as a review. */
export function statusBody(code: number, reason: string, message: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Status',
    status: 'Failure',
    code,
    reason,
    message,
  });
}

export class BadRequestError extends Error {
  override name = 'BadRequestError';
}

export class InvalidRequestError extends Error {
  override name = 'InvalidRequestError';
  constructor(
    readonly uid: string,
    message: string,
  ) {
    super(message);
  }
}

export interface DecodedReview {
  uid: string;
  input: AdmissionInput;
}

const OPERATIONS: readonly Operation[] = ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'];

type Json = Record<string, unknown>;

const isRecord = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

type Describe = (value: unknown) => string;

const describeDecoded: Describe = (value) =>
  value === null ? 'null' : Array.isArray(value) ? 'a list' : `a ${typeof value}`;

/**
 * For a body JSON.parse read exactly: its numbers are all integers, which the exact parser would
 * have made BigInts, so they are named as such.
 */
const describeIntegral: Describe = (value) =>
  typeof value === 'number' ? 'a bigint' : describeDecoded(value);

/** A string quoted (and cut short), anything else by its type: never a body's whole content. */
const shown = (value: unknown, describe: Describe) =>
  typeof value === 'string' ? JSON.stringify(value.slice(0, 64)) : describe(value);

interface ParsedBody {
  review: Json;
  describe: Describe;
  /** the chain's form of an object member of the review */
  chainJson: (value: Json) => unknown;
}

function parseBody(text: string): ParsedBody {
  if (text.trim() === '')
    throw new BadRequestError('request body is empty: expected an AdmissionReview');
  // A body of safe integers is chain JSON as JSON.parse returns it, and nothing else holds it.
  const plain = parseJsonOfSafeIntegers(text);
  if (plain !== undefined) return checkedBody(plain, describeIntegral, (value) => value);
  let parsed: unknown;
  try {
    parsed = parseJsonPreservingIntegers(text);
  } catch (error) {
    if (error instanceof JsonParseError || error instanceof SyntaxError) {
      throw new BadRequestError(`request body is not valid JSON: ${error.message}`);
    }
    throw error;
  }
  return checkedBody(parsed, describeDecoded, toPlainJson);
}

function checkedBody(
  parsed: unknown,
  describe: Describe,
  chainJson: (value: Json) => unknown,
): ParsedBody {
  if (!isRecord(parsed)) {
    throw new BadRequestError(
      `request body must be an AdmissionReview object, got ${describe(parsed)}`,
    );
  }
  return { review: parsed, describe, chainJson };
}

class Fields {
  constructor(
    private readonly uid: string,
    private readonly request: Json,
    private readonly body: ParsedBody,
  ) {}

  fail(message: string): never {
    throw new InvalidRequestError(this.uid, message);
  }

  string(name: string, required: boolean): string {
    const value = this.request[name];
    if (value === undefined || (value === null && !required)) {
      if (required) this.fail(`request.${name} is required`);
      return '';
    }
    if (typeof value !== 'string')
      this.fail(`request.${name} must be a string, got ${this.body.describe(value)}`);
    return value;
  }

  object(name: string): KubeObject | null {
    const value = this.request[name];
    if (value === undefined || value === null) return null;
    if (!isRecord(value)) {
      this.fail(`request.${name} must be an object, got ${this.body.describe(value)}`);
    }
    return this.body.chainJson(value) as KubeObject;
  }

  triple<K extends string>(name: string, keys: readonly K[]): Record<K, string> {
    const value = this.request[name];
    if (!isRecord(value)) {
      this.fail(`request.${name} must be an object, got ${this.body.describe(value)}`);
    }
    const result = {} as Record<K, string>;
    for (const key of keys) {
      const member = value[key] ?? '';
      if (typeof member !== 'string') {
        this.fail(`request.${name}.${key} must be a string, got ${this.body.describe(member)}`);
      }
      result[key] = member;
    }
    return result;
  }

  userInfo(): UserInfo {
    const value = this.request.userInfo;
    if (!isRecord(value)) {
      this.fail(`request.userInfo must be an object, got ${this.body.describe(value)}`);
    }
    const { username = '', uid, groups = [], extra } = value;
    if (typeof username !== 'string') this.fail('request.userInfo.username must be a string');
    if (uid !== undefined && typeof uid !== 'string')
      this.fail('request.userInfo.uid must be a string');
    if (!Array.isArray(groups) || !groups.every((g) => typeof g === 'string')) {
      this.fail('request.userInfo.groups must be a list of strings');
    }
    const info: UserInfo = { username, groups: groups as string[] };
    if (uid !== undefined) info.uid = uid as string;
    if (extra !== undefined && extra !== null) {
      const valid =
        isRecord(extra) &&
        Object.values(extra).every(
          (v) => Array.isArray(v) && v.every((s) => typeof s === 'string'),
        );
      if (!valid) this.fail('request.userInfo.extra must map names to lists of strings');
      info.extra = extra as Record<string, string[]>;
    }
    return info;
  }
}

export function decodeAdmissionReview(text: string): DecodedReview {
  const body = parseBody(text);
  const { review, describe } = body;
  if (review.apiVersion !== ADMISSION_API_VERSION) {
    throw new BadRequestError(
      `apiVersion must be ${ADMISSION_API_VERSION}, got ${shown(review.apiVersion, describe)}`,
    );
  }
  if (review.kind !== 'AdmissionReview') {
    throw new BadRequestError(`kind must be AdmissionReview, got ${shown(review.kind, describe)}`);
  }
  const request = review.request;
  if (!isRecord(request)) {
    throw new BadRequestError(`request must be an object, got ${describe(request)}`);
  }
  const uid = request.uid;
  if (typeof uid !== 'string' || uid === '') throw new BadRequestError('request.uid is required');
  if (uid.length > 256) throw new BadRequestError('request.uid is longer than 256 characters');

  const fields = new Fields(uid, request, body);
  const operation = fields.string('operation', true) as Operation;
  if (!OPERATIONS.includes(operation)) {
    fields.fail(
      `request.operation must be one of ${OPERATIONS.join(', ')}, got ${shown(operation, describe)}`,
    );
  }
  const object = fields.object('object');
  const oldObject = fields.object('oldObject');
  if (object === null && (operation === 'CREATE' || operation === 'UPDATE')) {
    fields.fail(`request.object is required for ${operation}`);
  }
  if (oldObject === null && (operation === 'UPDATE' || operation === 'DELETE')) {
    fields.fail(`request.oldObject is required for ${operation}`);
  }
  const dryRun = request.dryRun ?? false;
  if (typeof dryRun !== 'boolean') fields.fail('request.dryRun must be a boolean');
  return {
    uid,
    input: {
      operation,
      object,
      oldObject,
      kind: fields.triple('kind', ['group', 'version', 'kind']),
      resource: fields.triple('resource', ['group', 'version', 'resource']),
      subResource: fields.string('subResource', false),
      name: fields.string('name', false),
      namespace: fields.string('namespace', false),
      dryRun: dryRun as boolean,
      userInfo: fields.userInfo(),
    },
  };
}
