// Decoding an AdmissionReview (admission.k8s.io/v1) into the chain's AdmissionInput. Integers keep
// their precision (policy/cel/json.ts). A body that is not an AdmissionReview with a request.uid is
// a BadRequestError (HTTP 400: there is no uid to answer); once the uid is known, every other
// problem is an InvalidRequestError, answered as a well-formed denial naming the field.

import { JsonParseError, parseJsonPreservingIntegers } from '../policy/cel/json.ts';
import type { AdmissionInput, KubeObject, UserInfo } from '../policy/chain/request.ts';
import type { Operation } from '../policy/match/resource-rules.ts';

export const ADMISSION_API_VERSION = 'admission.k8s.io/v1';

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

const describe = (value: unknown) =>
  value === null ? 'null' : Array.isArray(value) ? 'a list' : `a ${typeof value}`;

/** A string quoted (and cut short), anything else by its type: never a body's whole content. */
const shown = (value: unknown) =>
  typeof value === 'string' ? JSON.stringify(value.slice(0, 64)) : describe(value);

/**
 * The chain works on plain JSON numbers; integers beyond 2^53 stay BigInt so no digit is lost on
 * the way to CEL (which sees every integer as a BigInt anyway).
 */
function toChainJson(value: unknown): unknown {
  if (typeof value === 'bigint') {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value;
  }
  if (Array.isArray(value)) return value.map(toChainJson);
  if (isRecord(value)) {
    const result: Json = {};
    for (const key of Object.keys(value)) {
      const member = toChainJson(value[key]);
      // plain assignment would set the prototype instead of a `__proto__` member
      if (key === '__proto__') {
        Object.defineProperty(result, key, {
          value: member,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      } else {
        result[key] = member;
      }
    }
    return result;
  }
  return value;
}

function parseBody(text: string): Json {
  if (text.trim() === '')
    throw new BadRequestError('request body is empty: expected an AdmissionReview');
  let parsed: unknown;
  try {
    parsed = parseJsonPreservingIntegers(text);
  } catch (error) {
    if (error instanceof JsonParseError || error instanceof SyntaxError) {
      throw new BadRequestError(`request body is not valid JSON: ${error.message}`);
    }
    throw error;
  }
  if (!isRecord(parsed)) {
    throw new BadRequestError(
      `request body must be an AdmissionReview object, got ${describe(parsed)}`,
    );
  }
  return parsed;
}

class Fields {
  constructor(
    private readonly uid: string,
    private readonly request: Json,
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
      this.fail(`request.${name} must be a string, got ${describe(value)}`);
    return value;
  }

  object(name: string): KubeObject | null {
    const value = this.request[name];
    if (value === undefined || value === null) return null;
    if (!isRecord(value)) this.fail(`request.${name} must be an object, got ${describe(value)}`);
    return toChainJson(value) as KubeObject;
  }

  triple<K extends string>(name: string, keys: readonly K[]): Record<K, string> {
    const value = this.request[name];
    if (!isRecord(value)) this.fail(`request.${name} must be an object, got ${describe(value)}`);
    const result = {} as Record<K, string>;
    for (const key of keys) {
      const member = value[key] ?? '';
      if (typeof member !== 'string') {
        this.fail(`request.${name}.${key} must be a string, got ${describe(member)}`);
      }
      result[key] = member;
    }
    return result;
  }

  userInfo(): UserInfo {
    const value = this.request.userInfo;
    if (!isRecord(value)) this.fail(`request.userInfo must be an object, got ${describe(value)}`);
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
  const review = parseBody(text);
  if (review.apiVersion !== ADMISSION_API_VERSION) {
    throw new BadRequestError(
      `apiVersion must be ${ADMISSION_API_VERSION}, got ${shown(review.apiVersion)}`,
    );
  }
  if (review.kind !== 'AdmissionReview') {
    throw new BadRequestError(`kind must be AdmissionReview, got ${shown(review.kind)}`);
  }
  const request = review.request;
  if (!isRecord(request)) {
    throw new BadRequestError(`request must be an object, got ${describe(request)}`);
  }
  const uid = request.uid;
  if (typeof uid !== 'string' || uid === '') throw new BadRequestError('request.uid is required');
  if (uid.length > 256) throw new BadRequestError('request.uid is longer than 256 characters');

  const fields = new Fields(uid, request);
  const operation = fields.string('operation', true) as Operation;
  if (!OPERATIONS.includes(operation)) {
    fields.fail(
      `request.operation must be one of ${OPERATIONS.join(', ')}, got ${shown(operation)}`,
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
