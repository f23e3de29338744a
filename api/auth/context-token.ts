// kontxt context tokens (reference §3.1, §3.3): configuration and validation, every check in the
// reference's order and words.
import { quoteField, TokenRejected } from './errors.ts';
import type { ContextTokenClaims } from './identity.ts';
import { IssuerSignedChecks, type IssuerSignedOptions } from './issuer-signed.ts';
import { isJsonNumber, isJsonObject, type JsonObject, type JsonValue } from './json-literal.ts';
import { claimAudience, claimSeconds, claimString, parseCompactJwt } from './jwt.ts';

export const KONTXT_PROFILE = 'kontxt';
export const KONTXT_HEADER = 'Txn-Token';
export const KONTXT_JWT_TYPE = 'txntoken+jwt';
export const KONTXT_REQUIRED_CLAIMS = ['sub', 'exp', 'iat', 'txn', 'scope', 'req_wl'] as const;

export interface TokenHeaderSource {
  /** header name as configured, e.g. `Txn-Token` or `Authorization` */
  name: string;
  /** "" for a raw header value, else the scheme, e.g. `Bearer` */
  scheme: string;
}

export interface ContextTokenConfig {
  profile: typeof KONTXT_PROFILE;
  issuer: string;
  audience: string;
  jwksUrl: string;
  headers: TokenHeaderSource[];
}

export interface ContextTokenSettings {
  profile?: string;
  issuer?: string;
  audience?: string;
  jwksUrl?: string;
  /** CSV of `Header` or `Header:Scheme` */
  headers?: string;
}

const HEADER_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** The context-token flags of reference §3.1 → config, or null when disabled. Throws on bad input. */
export function parseContextTokenConfig(settings: ContextTokenSettings): ContextTokenConfig | null {
  const issuer = settings.issuer ?? '';
  const audience = settings.audience ?? '';
  const jwksUrl = settings.jwksUrl ?? '';
  const headers = settings.headers ?? '';
  const profile = (settings.profile ?? '').trim().toLowerCase();
  if (profile === '') {
    if (issuer !== '' || audience !== '' || jwksUrl !== '' || headers !== '') {
      throw new Error('context-token-profile is required when context-token settings are provided');
    }
    return null;
  }
  if (issuer === '') throw new Error('context-token issuer is required');
  if (audience === '') throw new Error('context-token audience is required');
  const sources = parseTokenHeaderSources(headers);
  if (profile !== KONTXT_PROFILE) throw new Error(`unsupported context-token profile "${profile}"`);
  return {
    profile: KONTXT_PROFILE,
    issuer,
    audience,
    jwksUrl: jwksUrl !== '' ? jwksUrl : `${issuer.replace(/\/+$/, '')}/.well-known/jwks.json`,
    headers: sources.length > 0 ? sources : [{ name: KONTXT_HEADER, scheme: '' }],
  };
}

function parseTokenHeaderSources(csv: string): TokenHeaderSource[] {
  const sources: TokenHeaderSource[] = [];
  for (const rawPart of csv.split(',')) {
    const part = rawPart.trim();
    if (part === '') continue;
    const colon = part.indexOf(':');
    const name = (colon < 0 ? part : part.slice(0, colon)).trim();
    const scheme = colon < 0 ? '' : part.slice(colon + 1).trim();
    if (!HEADER_TOKEN.test(name)) throw new Error(`invalid context-token header "${part}"`);
    sources.push({ name, scheme });
  }
  return sources;
}

/** Empty string, array or object counts as missing (reference §3.3). */
function claimPresent(value: JsonValue | undefined): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === 'string') return value !== '';
  if (isJsonNumber(value)) return value.literal !== '';
  if (Array.isArray(value)) return value.length > 0;
  if (isJsonObject(value)) return Object.keys(value).length > 0;
  return true;
}

export class ContextTokenVerifier {
  readonly #config: ContextTokenConfig;
  readonly #signed: IssuerSignedChecks;

  constructor(config: ContextTokenConfig, options: IssuerSignedOptions = {}) {
    this.#config = config;
    this.#signed = new IssuerSignedChecks(config, options);
  }

  get config(): ContextTokenConfig {
    return this.#config;
  }

  /** Verifies a kontxt token; throws TokenRejected with the reference's reason. */
  async verify(token: string): Promise<ContextTokenClaims> {
    const { header, claims } = parseCompactJwt(token);
    if (header.kid === '') throw new TokenRejected('missing JWT kid');
    if (header.typ !== KONTXT_JWT_TYPE) {
      throw new TokenRejected(`invalid JWT type ${quoteField(header.typ)}`);
    }
    if (header.alg !== 'RS256') {
      throw new TokenRejected(`unsupported JWT signing algorithm ${quoteField(header.alg)}`);
    }
    await this.#signed.verify(token, header, claims);
    for (const name of KONTXT_REQUIRED_CLAIMS) {
      if (!claimPresent(claims[name])) {
        throw new TokenRejected(`missing required context-token claim "${name}"`);
      }
    }
    checkClaimTypes(claims);
    const subject = claimString(claims, 'sub');
    if (subject === '') throw new TokenRejected('missing subject');
    return contextTokenClaims(header.typ, claims);
  }
}

/** Claims the Go implementation decodes into typed fields: a wrong type fails decoding there. */
function checkClaimTypes(claims: JsonObject): void {
  for (const name of ['iss', 'txn', 'scope', 'req_wl']) {
    const value = claims[name];
    if (value !== undefined && value !== null && typeof value !== 'string') {
      throw new TokenRejected(`parse context-token claims: "${name}" is not a string`);
    }
  }
  for (const name of ['tctx', 'rctx']) {
    const value = claims[name];
    if (value !== undefined && value !== null && !isJsonObject(value)) {
      throw new TokenRejected(`parse context-token claims: "${name}" is not an object`);
    }
  }
}

function objectClaim(claims: JsonObject, name: string): JsonObject | null {
  const value = claims[name];
  return isJsonObject(value) ? value : null;
}

function contextTokenClaims(type: string, claims: JsonObject): ContextTokenClaims {
  const scope = claimString(claims, 'scope');
  return {
    profile: KONTXT_PROFILE,
    type,
    issuer: claimString(claims, 'iss'),
    subject: claimString(claims, 'sub'),
    audience: claimAudience(claims),
    transactionId: claimString(claims, 'txn'),
    scope,
    scopes: scope.split(/\s+/).filter((s) => s !== ''),
    requestingWorkload: claimString(claims, 'req_wl'),
    tctx: objectClaim(claims, 'tctx'),
    rctx: objectClaim(claims, 'rctx'),
    issuedAt: claimSeconds(claims, 'iat'),
    expiresAt: claimSeconds(claims, 'exp'),
  };
}
