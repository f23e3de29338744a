// Compact JWS parsing and the registered-claim checks shared by OIDC and context tokens. Parsing is
// done here rather than by jose so that each failure has the reference's message and so that the
// claims keep their number literals (json-literal.ts).
import { quoteField, TokenRejected } from './errors.ts';
import {
  isJsonNumber,
  isJsonObject,
  type JsonObject,
  type JsonValue,
  parseJsonPreservingNumbers,
} from './json-literal.ts';

/** Tokens longer than this are refused before any parsing. */
export const MAX_TOKEN_LENGTH = 16 * 1024;

const BASE64URL = /^[A-Za-z0-9_-]*$/;
const decoder = new TextDecoder('utf-8');

export interface JwtHeader {
  alg: string;
  /** "" when absent */
  kid: string;
  /** "" when absent */
  typ: string;
}

export interface ParsedJwt {
  header: JwtHeader;
  claims: JsonObject;
}

function decodeSegment(segment: string): string {
  if (!BASE64URL.test(segment) || segment.length % 4 === 1) throw new Error('not base64url');
  return decoder.decode(Buffer.from(segment, 'base64url'));
}

function parseObject(segment: string, what: string): JsonObject {
  let value: JsonValue;
  try {
    value = parseJsonPreservingNumbers(decodeSegment(segment));
  } catch (error) {
    throw new TokenRejected(`parse JWT ${what}: ${(error as Error).message}`);
  }
  if (!isJsonObject(value)) throw new TokenRejected(`parse JWT ${what}: not a JSON object`);
  return value;
}

function optionalHeaderString(header: JsonObject, name: string): string {
  const value = header[name];
  if (value === undefined) return '';
  if (typeof value !== 'string')
    throw new TokenRejected(`parse JWT header: ${name} is not a string`);
  return value;
}

/** Splits and decodes a compact JWT without verifying it. Throws TokenRejected. */
export function parseCompactJwt(token: string): ParsedJwt {
  if (token.length > MAX_TOKEN_LENGTH) {
    throw new TokenRejected(`token exceeds ${MAX_TOKEN_LENGTH} characters`);
  }
  const parts = token.split('.');
  if (parts.length !== 3) throw new TokenRejected('invalid JWT format');
  const [headerSegment, claimsSegment, signatureSegment] = parts as [string, string, string];
  if (headerSegment === '' || claimsSegment === '' || !BASE64URL.test(signatureSegment)) {
    throw new TokenRejected('invalid JWT format');
  }
  const rawHeader = parseObject(headerSegment, 'header');
  const alg = optionalHeaderString(rawHeader, 'alg');
  if (alg === '') throw new TokenRejected('missing JWT signing algorithm');
  const header: JwtHeader = {
    alg,
    kid: optionalHeaderString(rawHeader, 'kid'),
    typ: optionalHeaderString(rawHeader, 'typ'),
  };
  return { header, claims: parseObject(claimsSegment, 'claims') };
}

/** True when `token` parses as a JWT whose `typ` header is `typ` (no verification). */
export function hasJwtType(token: string, typ: string): boolean {
  try {
    return parseCompactJwt(token).header.typ === typ;
  } catch {
    return false;
  }
}

export function claimString(claims: JsonObject, name: string): string {
  const value = claims[name];
  return typeof value === 'string' ? value : '';
}

/** `aud` as a list: a string or an array of strings; anything else is no audience. */
export function claimAudience(claims: JsonObject): string[] {
  const value = claims.aud;
  if (typeof value === 'string') return value === '' ? [] : [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

function numericDate(claims: JsonObject, name: string): number | undefined {
  const value = claims[name];
  if (value === undefined || value === null) return undefined;
  if (!isJsonNumber(value)) throw new TokenRejected(`invalid numeric claim ${quoteField(name)}`);
  const seconds = Number(value.literal);
  if (!Number.isFinite(seconds))
    throw new TokenRejected(`invalid numeric claim ${quoteField(name)}`);
  return seconds;
}

export function claimSeconds(claims: JsonObject, name: string): number {
  return numericDate(claims, name) ?? 0;
}

export interface RegisteredClaimRules {
  issuer: string;
  audience: string;
  nowMs: number;
  leewaySeconds: number;
}

/** iss, aud, then exp/nbf/iat with leeway — in the reference's order and words. */
export function checkRegisteredClaims(claims: JsonObject, rules: RegisteredClaimRules): void {
  if (claimString(claims, 'iss') !== rules.issuer) throw new TokenRejected('invalid issuer');
  if (!claimAudience(claims).includes(rules.audience)) throw new TokenRejected('invalid audience');
  const now = rules.nowMs / 1000;
  const exp = numericDate(claims, 'exp');
  if (exp !== undefined && now >= exp + rules.leewaySeconds) {
    throw new TokenRejected('token expired');
  }
  const nbf = numericDate(claims, 'nbf');
  if (nbf !== undefined && now + rules.leewaySeconds < nbf) {
    throw new TokenRejected('token not valid yet');
  }
  const iat = numericDate(claims, 'iat');
  if (iat !== undefined && now + rules.leewaySeconds < iat) {
    throw new TokenRejected('token not valid yet: issued in the future');
  }
}
