// Signing keys of an issuer, fetched from a JWKS URL or found through OIDC discovery, cached, and
// refreshed when a token names a key the cache does not hold (rotation). Unknown-kid refreshes are
// rate-limited so that a stream of forged kids cannot turn into a stream of fetches.
import { compactVerify, importJWK, type JWK } from 'jose';
import { quoteField, TokenRejected } from './errors.ts';
import type { JwtHeader } from './jwt.ts';

const MAX_DOCUMENT_BYTES = 1024 * 1024;

export interface RemoteKeySetOptions {
  issuer: string;
  /** "" or absent: discover it from `<issuer>/.well-known/openid-configuration` */
  jwksUrl?: string;
  /** reference §4.3: 5 s per HTTP request */
  fetchTimeoutMs?: number;
  /** how long a fetched key set is used before it is fetched again */
  maxAgeMs?: number;
  /** minimum time between refreshes caused by an unknown kid */
  refreshCooldownMs?: number;
  now?: () => number;
  fetch?: typeof fetch;
}

interface CachedKey {
  kid: string;
  use: string;
  alg: string;
  key: Awaited<ReturnType<typeof importJWK>>;
}

interface CachedSet {
  keys: CachedKey[];
  fetchedAt: number;
}

export class RemoteKeySet {
  readonly #issuer: string;
  #jwksUrl: string;
  readonly #timeoutMs: number;
  readonly #maxAgeMs: number;
  readonly #cooldownMs: number;
  readonly #now: () => number;
  readonly #fetch: typeof fetch;
  #cache: CachedSet | null = null;
  #inFlight: Promise<CachedSet> | null = null;

  constructor(options: RemoteKeySetOptions) {
    this.#issuer = options.issuer;
    this.#jwksUrl = options.jwksUrl ?? '';
    this.#timeoutMs = options.fetchTimeoutMs ?? 5000;
    this.#maxAgeMs = options.maxAgeMs ?? 10 * 60_000;
    this.#cooldownMs = options.refreshCooldownMs ?? 30_000;
    this.#now = options.now ?? Date.now;
    this.#fetch = options.fetch ?? fetch;
  }

  /** Verifies the JWS signature of `token` (RS256 only) with a key matching `header`. */
  async verifySignature(token: string, header: JwtHeader): Promise<void> {
    const candidates = await this.#candidates(header);
    for (const candidate of candidates) {
      try {
        await compactVerify(token, candidate.key, { algorithms: ['RS256'] });
        return;
      } catch {
        // try the next key with the same kid (or the next kid-less key)
      }
    }
    throw new TokenRejected('verify JWT signature: signature verification failed');
  }

  async #candidates(header: JwtHeader): Promise<CachedKey[]> {
    let set = this.#cache;
    if (set === null || this.#now() - set.fetchedAt >= this.#maxAgeMs) {
      set = await this.#refresh(set);
    }
    let keys = matchingKeys(set.keys, header);
    if (keys.length === 0 && this.#now() - set.fetchedAt >= this.#cooldownMs) {
      set = await this.#refresh(set);
      keys = matchingKeys(set.keys, header);
    }
    if (keys.length === 0) {
      throw new TokenRejected(
        header.kid === ''
          ? 'no usable RSA signing key found'
          : `no usable RSA signing key found for kid ${quoteField(header.kid)}`,
      );
    }
    return keys;
  }

  /** Fetches the key set; on failure keeps serving a stale set if there is one. */
  async #refresh(stale: CachedSet | null): Promise<CachedSet> {
    this.#inFlight ??= this.#load().finally(() => {
      this.#inFlight = null;
    });
    try {
      this.#cache = await this.#inFlight;
      return this.#cache;
    } catch (error) {
      if (stale !== null) return stale;
      throw error;
    }
  }

  async #load(): Promise<CachedSet> {
    if (this.#jwksUrl === '') this.#jwksUrl = await this.#discover();
    let document: unknown;
    try {
      document = await this.#getJson(this.#jwksUrl);
    } catch (error) {
      throw new TokenRejected(`fetch JWKS: ${(error as Error).message}`);
    }
    const entries = (document as { keys?: unknown } | null)?.keys;
    if (!Array.isArray(entries)) throw new TokenRejected('fetch JWKS: no "keys" array');
    const keys: CachedKey[] = [];
    for (const entry of entries) {
      const key = await importSigningKey(entry);
      if (key !== null) keys.push(key);
    }
    return { keys, fetchedAt: this.#now() };
  }

  async #discover(): Promise<string> {
    const url = `${this.#issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
    let document: unknown;
    try {
      document = await this.#getJson(url);
    } catch (error) {
      throw new TokenRejected(`discover OIDC JWKS URL: ${(error as Error).message}`);
    }
    const jwksUri = (document as { jwks_uri?: unknown } | null)?.jwks_uri;
    if (typeof jwksUri !== 'string' || !URL.canParse(jwksUri)) {
      throw new TokenRejected('discover OIDC JWKS URL: no valid "jwks_uri"');
    }
    return jwksUri;
  }

  async #getJson(url: string): Promise<unknown> {
    const response = await this.#fetch(url, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(this.#timeoutMs),
    });
    if (!response.ok) throw new Error(`HTTP ${response.status} from ${url}`);
    const text = await response.text();
    if (text.length > MAX_DOCUMENT_BYTES) throw new Error(`document from ${url} is too large`);
    return JSON.parse(text);
  }
}

function matchingKeys(keys: CachedKey[], header: JwtHeader): CachedKey[] {
  return keys.filter(
    (k) =>
      (header.kid === '' || k.kid === header.kid) &&
      (k.use === '' || k.use === 'sig') &&
      (k.alg === '' || k.alg === header.alg),
  );
}

/** Imports one JWK if it is an RSA public key usable for RS256; other keys are ignored. */
async function importSigningKey(entry: unknown): Promise<CachedKey | null> {
  if (typeof entry !== 'object' || entry === null) return null;
  const jwk = entry as JWK;
  if (jwk.kty !== 'RSA' || typeof jwk.n !== 'string' || typeof jwk.e !== 'string') return null;
  const str = (v: unknown): string => (typeof v === 'string' ? v : '');
  try {
    const key = await importJWK({ kty: 'RSA', n: jwk.n, e: jwk.e }, 'RS256');
    return { kid: str(jwk.kid), use: str(jwk.use), alg: str(jwk.alg), key };
  } catch {
    return null;
  }
}
