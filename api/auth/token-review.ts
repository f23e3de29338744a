// ServiceAccount (and any apiserver-accepted) tokens through TokenReview, with the reference's
// cache (§4.2): key = lowercase hex SHA-256 of the token, 60 s from a successful review, successes
// only, a failure drops any entry, expiry checked on read, full sweep every 1000th insertion.
import { createHash } from 'node:crypto';
import { TokenRejected } from './errors.ts';
import { type Identity, parseServiceAccountUsername } from './identity.ts';

/** The parts of `authentication.k8s.io/v1` TokenReviewStatus this module reads. */
export interface TokenReviewStatus {
  authenticated?: boolean;
  error?: string;
  user?: {
    username?: string;
    uid?: string;
    groups?: string[];
    extra?: Record<string, string[]>;
  };
}

export type ReviewToken = (token: string) => Promise<TokenReviewStatus>;

export const TOKEN_REVIEW_CACHE_TTL_MS = 60_000;
const SWEEP_EVERY = 1000;

export function tokenCacheKey(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

interface Entry {
  identity: Identity;
  expiresAt: number;
}

export class TokenReviewCache {
  readonly #entries = new Map<string, Entry>();
  readonly #ttlMs: number;
  readonly #now: () => number;
  #insertions = 0;

  constructor(options: { ttlMs?: number; now?: () => number } = {}) {
    this.#ttlMs = options.ttlMs ?? TOKEN_REVIEW_CACHE_TTL_MS;
    this.#now = options.now ?? Date.now;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: string): Identity | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (this.#now() >= entry.expiresAt) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.identity;
  }

  set(key: string, identity: Identity): void {
    this.#entries.set(key, { identity, expiresAt: this.#now() + this.#ttlMs });
    this.#insertions++;
    if (this.#insertions % SWEEP_EVERY === 0) this.#sweep();
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  #sweep(): void {
    const now = this.#now();
    for (const [key, entry] of this.#entries) {
      if (now >= entry.expiresAt) this.#entries.delete(key);
    }
  }
}

export class TokenReviewAuthenticator {
  readonly #review: ReviewToken;
  readonly #cache: TokenReviewCache;

  constructor(review: ReviewToken, cache: TokenReviewCache = new TokenReviewCache()) {
    this.#review = review;
    this.#cache = cache;
  }

  async authenticate(token: string): Promise<Identity> {
    const key = tokenCacheKey(token);
    const cached = this.#cache.get(key);
    if (cached !== undefined) return cached;
    let status: TokenReviewStatus;
    try {
      status = await this.#review(token);
    } catch (error) {
      this.#cache.delete(key);
      throw new TokenRejected(`token review failed: ${safeMessage(error)}`);
    }
    if (status.authenticated !== true || status.user?.username === undefined) {
      this.#cache.delete(key);
      throw new TokenRejected('token review: not authenticated');
    }
    const identity = serviceAccountIdentity(status.user);
    this.#cache.set(key, identity);
    return identity;
  }
}

/** Error texts from the Kubernetes client can echo the request body; keep only a short, token-free reason. */
function safeMessage(error: unknown): string {
  const code = (error as { code?: unknown; statusCode?: unknown } | null) ?? {};
  if (typeof code.statusCode === 'number') return `HTTP ${code.statusCode}`;
  if (typeof code.code === 'string' || typeof code.code === 'number') return String(code.code);
  return 'request error';
}

function serviceAccountIdentity(user: NonNullable<TokenReviewStatus['user']>): Identity {
  const username = user.username ?? '';
  const extra: Record<string, string[]> = {};
  for (const [key, values] of Object.entries(user.extra ?? {})) {
    if (Array.isArray(values)) extra[key] = values.filter((v) => typeof v === 'string');
  }
  return Object.freeze({
    authType: 'serviceAccount',
    username,
    uid: user.uid ?? '',
    groups: Object.freeze([...(user.groups ?? [])]) as string[],
    extra: Object.freeze(extra),
    subject: '',
    issuer: '',
    email: '',
    roles: [],
    namespace: parseServiceAccountUsername(username)?.namespace ?? '',
    contextToken: null,
  });
}
