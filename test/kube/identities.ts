// Who is calling: bearer tokens mapped to users, and ServiceAccount tokens issued by TokenRequest
// as signed JWTs (ES256, which apiservers also accept for ServiceAccount keys) carrying the claims a real apiserver puts in them.
import { randomBytes, randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose';

export interface UserInfo {
  username: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

export const DEFAULT_AUDIENCE = 'https://kubernetes.default.svc';
export const ISSUER = 'https://kubernetes.default.svc';

interface StaticToken {
  user: UserInfo;
  audiences: string[];
}

export interface BoundObject {
  kind: 'Pod' | 'Secret';
  name: string;
  uid: string;
}

export interface ServiceAccountTokenRequest {
  namespace: string;
  name: string;
  uid: string;
  audiences: string[];
  expirationSeconds: number;
  boundObject?: BoundObject;
}

export interface TokenVerdict {
  user: UserInfo;
  audiences: string[];
}

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;

export class Identities {
  private readonly tokens = new Map<string, StaticToken>();
  private readonly keyId = randomUUID();

  private constructor(private readonly keys: KeyPair) {}

  static async create(): Promise<Identities> {
    return new Identities(await generateKeyPair('ES256', { extractable: true }));
  }

  /** Registers a user and returns a bearer token for it (a fresh random one unless given). */
  addToken(user: UserInfo, token = randomBytes(24).toString('base64url')): string {
    if (!user.username) throw new Error('addToken: user.username is required');
    this.tokens.set(token, { user: structuredClone(user), audiences: [DEFAULT_AUDIENCE] });
    return token;
  }

  revokeToken(token: string): void {
    this.tokens.delete(token);
  }

  /** The first token registered for a username. */
  tokenOf(username: string): string | undefined {
    for (const [token, entry] of this.tokens) if (entry.user.username === username) return token;
    return undefined;
  }

  async issueServiceAccountToken(
    req: ServiceAccountTokenRequest,
  ): Promise<{ token: string; expiresAt: Date }> {
    const now = Math.floor(Date.now() / 1000);
    const exp = now + req.expirationSeconds;
    const kubernetesClaims: Record<string, unknown> = {
      namespace: req.namespace,
      serviceaccount: { name: req.name, uid: req.uid },
    };
    if (req.boundObject) {
      kubernetesClaims[req.boundObject.kind === 'Pod' ? 'pod' : 'secret'] = {
        name: req.boundObject.name,
        uid: req.boundObject.uid,
      };
    }
    const token = await new SignJWT({ 'kubernetes.io': kubernetesClaims })
      .setProtectedHeader({ alg: 'ES256', kid: this.keyId })
      .setIssuer(ISSUER)
      .setSubject(`system:serviceaccount:${req.namespace}:${req.name}`)
      .setAudience(req.audiences)
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(exp)
      .setJti(randomUUID())
      .sign(this.keys.privateKey);
    return { token, expiresAt: new Date(exp * 1000) };
  }

  /** Public keys for ServiceAccount tokens, as the apiserver's /openid/v1/jwks serves them. */
  async jwks(): Promise<{ keys: Record<string, unknown>[] }> {
    const jwk = await exportJWK(this.keys.publicKey);
    return { keys: [{ ...jwk, kid: this.keyId, alg: 'ES256', use: 'sig' }] };
  }

  /**
   * Authenticates a token for the given audiences (the apiserver's own when none are asked for).
   * Returns undefined when the token is unknown, expired, or meant for other audiences.
   */
  async authenticate(token: string, audiences: string[] = []): Promise<TokenVerdict | undefined> {
    const wanted = audiences.length > 0 ? audiences : [DEFAULT_AUDIENCE];
    const fixed = this.tokens.get(token);
    if (fixed) {
      const matched = fixed.audiences.filter((a) => wanted.includes(a));
      return matched.length > 0 || audiences.length === 0
        ? { user: withAuthenticatedGroup(fixed.user), audiences: audiences.length ? matched : [] }
        : undefined;
    }
    if (token.split('.').length !== 3) return undefined;
    try {
      const { payload } = await jwtVerify(token, this.keys.publicKey, {
        issuer: ISSUER,
        audience: wanted,
      });
      const claims = payload['kubernetes.io'] as {
        namespace: string;
        serviceaccount: { name: string; uid: string };
        pod?: { name: string; uid: string };
      };
      const tokenAudiences = ([] as string[]).concat(payload.aud ?? []);
      const extra: Record<string, string[]> = {
        'authentication.kubernetes.io/credential-id': [`JTI=${payload.jti}`],
      };
      if (claims.pod) {
        extra['authentication.kubernetes.io/pod-name'] = [claims.pod.name];
        extra['authentication.kubernetes.io/pod-uid'] = [claims.pod.uid];
      }
      return {
        user: withAuthenticatedGroup({
          username: `system:serviceaccount:${claims.namespace}:${claims.serviceaccount.name}`,
          uid: claims.serviceaccount.uid,
          groups: ['system:serviceaccounts', `system:serviceaccounts:${claims.namespace}`],
          extra,
        }),
        audiences: audiences.length ? tokenAudiences.filter((a) => wanted.includes(a)) : [],
      };
    } catch {
      return undefined;
    }
  }
}

/** The apiserver adds `system:authenticated` to every authenticated user's groups. */
function withAuthenticatedGroup(user: UserInfo): UserInfo {
  const groups = user.groups ?? [];
  return {
    ...structuredClone(user),
    groups: groups.includes('system:authenticated') ? groups : [...groups, 'system:authenticated'],
  };
}
