// Test fixtures: RSA keys generated per run, a JWKS + OIDC discovery server on 127.0.0.1 that
// counts its fetches, and a signer that can also produce the malformed tokens attacks use.
import { createHmac, createSign } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK } from 'jose';

type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

export interface TestKey {
  kid: string;
  privateKey: PrivateKey;
  publicJwk: JWK;
}

export async function makeKey(kid: string, alg: 'RS256' | 'RS512' = 'RS256'): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, use: 'sig' };
  return { kid, privateKey, publicJwk };
}

const b64 = (value: string | Buffer): string => Buffer.from(value).toString('base64url');

export function encodeSegment(value: unknown): string {
  return b64(JSON.stringify(value));
}

/** Signs `header.payload` with RSA (RS256/RS512) using the key's PKCS#8 form. */
export async function signRaw(
  header: unknown,
  payload: unknown | string,
  key: TestKey,
  hash: 'sha256' | 'sha512' = 'sha256',
): Promise<string> {
  const payloadSegment = typeof payload === 'string' ? b64(payload) : encodeSegment(payload);
  const input = `${typeof header === 'string' ? b64(header) : encodeSegment(header)}.${payloadSegment}`;
  const pkcs8 = Buffer.from(await crypto.subtle.exportKey('pkcs8', key.privateKey));
  const signer = createSign(hash === 'sha256' ? 'RSA-SHA256' : 'RSA-SHA512');
  signer.update(input);
  const signature = signer.sign({ key: pkcs8, format: 'der', type: 'pkcs8' });
  return `${input}.${b64(signature)}`;
}

/** HS256 with the issuer's public key text as the HMAC secret: the classic confusion attack. */
export function signHs256WithPublicKey(header: unknown, payload: unknown, key: TestKey): string {
  const input = `${encodeSegment(header)}.${encodeSegment(payload)}`;
  const secret = JSON.stringify(key.publicJwk);
  return `${input}.${b64(createHmac('sha256', secret).update(input).digest())}`;
}

export interface KeyServer {
  url: string;
  fetches: Map<string, number>;
  /** keys served at /jwks (OIDC) */
  oidcKeys: JWK[];
  /** keys served at /ctx/jwks (context tokens) */
  contextKeys: JWK[];
  close(): Promise<void>;
  count(path: string): number;
}

export async function startKeyServer(): Promise<KeyServer> {
  const state = {
    fetches: new Map<string, number>(),
    oidcKeys: [] as JWK[],
    contextKeys: [] as JWK[],
  };
  let base = '';
  const server: Server = createServer((req, res) => {
    const path = req.url ?? '';
    state.fetches.set(path, (state.fetches.get(path) ?? 0) + 1);
    const send = (body: unknown) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (path === '/.well-known/openid-configuration') {
      send({ issuer: base, jwks_uri: `${base}/jwks` });
    } else if (path === '/jwks') {
      send({ keys: state.oidcKeys });
    } else if (path === '/ctx/jwks') {
      send({ keys: state.contextKeys });
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    get fetches() {
      return state.fetches;
    },
    get oidcKeys() {
      return state.oidcKeys;
    },
    set oidcKeys(keys: JWK[]) {
      state.oidcKeys = keys;
    },
    get contextKeys() {
      return state.contextKeys;
    },
    set contextKeys(keys: JWK[]) {
      state.contextKeys = keys;
    },
    count: (path: string) => state.fetches.get(path) ?? 0,
    close: () =>
      new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      ),
  };
}

/** A clock the tests move by hand. */
export class TestClock {
  constructor(public ms = Date.UTC(2026, 0, 15, 12, 0, 0)) {}
  readonly now = (): number => this.ms;
  get seconds(): number {
    return Math.floor(this.ms / 1000);
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}
