import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { inspect } from 'node:util';
import { Authenticator, type AuthenticatorOptions } from '../../../api/auth/authenticate.ts';
import { parseContextTokenConfig } from '../../../api/auth/context-token.ts';
import { AuthenticationError } from '../../../api/auth/errors.ts';
import { POD_NAME_EXTRA } from '../../../api/auth/identity.ts';
import { JsonNumber } from '../../../api/auth/json-literal.ts';
import { parseOidcConfig } from '../../../api/auth/oidc.ts';
import type { TokenReviewStatus } from '../../../api/auth/token-review.ts';
import {
  encodeSegment,
  type KeyServer,
  makeKey,
  signHs256WithPublicKey,
  signRaw,
  startKeyServer,
  TestClock,
  type TestKey,
} from './fixtures.ts';

const CANARY = `canary-${randomBytes(8).toString('hex')}`;
const CTX_ISSUER = 'https://kontxt.example/';
const SA_TOKEN = `sa-token-${CANARY}`;

let server: KeyServer;
let oidcKey: TestKey;
let ctxKey: TestKey;
let strangerKey: TestKey;
let rs512Key: TestKey;
const clock = new TestClock();
const reviews: string[] = [];

async function reviewToken(token: string): Promise<TokenReviewStatus> {
  reviews.push(token);
  if (token !== SA_TOKEN) return { authenticated: false, error: 'invalid bearer token' };
  return {
    authenticated: true,
    user: {
      username: 'system:serviceaccount:team-a:orka-worker',
      uid: 'uid-1',
      groups: ['system:serviceaccounts', 'system:serviceaccounts:team-a'],
      extra: { [POD_NAME_EXTRA]: ['task-1-job-abcde'] },
    },
  };
}

function authenticator(overrides: Partial<AuthenticatorOptions> = {}, headers = ''): Authenticator {
  return new Authenticator({
    reviewToken,
    now: clock.now,
    oidc: parseOidcConfig({ issuer: server.url, audience: 'orka', namespaceClaim: 'orka_ns' }),
    contextToken: parseContextTokenConfig({
      profile: 'kontxt',
      issuer: CTX_ISSUER,
      audience: 'orka-api',
      jwksUrl: `${server.url}/ctx/jwks`,
      headers,
    }),
    ...overrides,
  });
}

const ctxHeader = () => ({ alg: 'RS256', typ: 'txntoken+jwt', kid: 'ctx-1' });
const ctxClaims = (): Record<string, unknown> => ({
  iss: CTX_ISSUER,
  aud: ['orka-api'],
  sub: 'svc-frontend',
  iat: clock.seconds,
  exp: clock.seconds + 300,
  txn: 'txn-0001',
  scope: 'orka:tasks:create orka:tasks:get',
  req_wl: 'spiffe://example/frontend',
  tctx: { namespace: 'team-a', taskType: 'agent', allowedTools: ['Write', 'Read'], maxDepth: 2.0 },
  rctx: { req_ip: '10.0.0.1' },
  x_canary: CANARY,
});
const oidcHeader = () => ({ alg: 'RS256', typ: 'JWT', kid: 'oidc-1' });
const oidcClaims = (): Record<string, unknown> => ({
  iss: server.url,
  aud: 'orka',
  sub: 'user-42',
  iat: clock.seconds,
  exp: clock.seconds + 300,
  preferred_username: 'alice',
  email: 'alice@example.com',
  groups: ['devs'],
  roles: ['reader'],
  realm_access: { roles: ['writer'] },
  orka_ns: 'team-b',
  x_canary: CANARY,
});

const ctxToken = (claims = ctxClaims(), header: unknown = ctxHeader(), key = ctxKey) =>
  signRaw(header, claims, key);
const oidcToken = (claims = oidcClaims(), header: unknown = oidcHeader(), key = oidcKey) =>
  signRaw(header, claims, key);

async function rejection(promise: Promise<unknown>): Promise<AuthenticationError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof AuthenticationError, `not an AuthenticationError: ${error}`);
    assert.equal(error.status, 401);
    return error;
  }
  assert.fail('expected a 401');
}

before(async () => {
  server = await startKeyServer();
  oidcKey = await makeKey('oidc-1');
  ctxKey = await makeKey('ctx-1');
  strangerKey = await makeKey('ctx-1');
  rs512Key = await makeKey('ctx-1', 'RS512');
  server.oidcKeys = [oidcKey.publicJwk];
  server.contextKeys = [ctxKey.publicJwk];
});
after(() => server.close());

describe('accepted credentials', () => {
  test('a ServiceAccount token through TokenReview, with the pod claim and SA namespace', async () => {
    const { identity, credential } = await authenticator().authenticate(
      { authorization: `Bearer ${SA_TOKEN}` },
      'api',
    );
    assert.equal(identity.authType, 'serviceAccount');
    assert.equal(identity.username, 'system:serviceaccount:team-a:orka-worker');
    assert.equal(identity.namespace, 'team-a');
    assert.equal(identity.uid, 'uid-1');
    assert.deepEqual(identity.extra[POD_NAME_EXTRA], ['task-1-job-abcde']);
    assert.equal(credential.reveal(), SA_TOKEN);
  });

  test('x-api-key when there is no Authorization header', async () => {
    const { identity } = await authenticator().authenticate({ 'x-api-key': SA_TOKEN }, 'api');
    assert.equal(identity.authType, 'serviceAccount');
  });

  test('an OIDC token via discovery, keys fetched once and then cached', async () => {
    const auth = authenticator();
    const discoveryBefore = server.count('/.well-known/openid-configuration');
    const jwksBefore = server.count('/jwks');
    const headers = { authorization: `Bearer ${await oidcToken()}` };
    const { identity } = await auth.authenticate(headers, 'api');
    await auth.authenticate(headers, 'api');
    assert.equal(identity.authType, 'oidc');
    assert.equal(identity.username, 'alice');
    assert.equal(identity.subject, 'user-42');
    assert.equal(identity.issuer, server.url);
    assert.equal(identity.email, 'alice@example.com');
    assert.deepEqual(identity.groups, ['devs']);
    assert.deepEqual(identity.roles, ['reader', 'writer']);
    assert.equal(identity.namespace, 'team-b');
    assert.equal(server.count('/.well-known/openid-configuration') - discoveryBefore, 1);
    assert.equal(server.count('/jwks') - jwksBefore, 1);
  });

  test('a kontxt context token from Txn-Token, with its claims and literal numbers', async () => {
    const { identity } = await authenticator().authenticate(
      { 'txn-token': await ctxToken() },
      'api',
    );
    assert.equal(identity.authType, 'contextToken');
    assert.equal(identity.username, 'svc-frontend');
    assert.deepEqual(identity.roles, ['orka:tasks:create', 'orka:tasks:get']);
    assert.equal(identity.namespace, 'team-a');
    const claims = identity.contextToken!;
    assert.equal(claims.transactionId, 'txn-0001');
    assert.equal(claims.requestingWorkload, 'spiffe://example/frontend');
    assert.deepEqual(claims.audience, ['orka-api']);
    assert.equal(claims.scope, 'orka:tasks:create orka:tasks:get');
    assert.ok(claims.tctx?.maxDepth instanceof JsonNumber);
    assert.equal(claims.rctx?.req_ip, '10.0.0.1');
  });

  test('Txn-Token wins over Authorization', async () => {
    const { identity } = await authenticator().authenticate(
      { 'txn-token': await ctxToken(), authorization: `Bearer ${SA_TOKEN}` },
      'api',
    );
    assert.equal(identity.authType, 'contextToken');
  });

  test('a whitespace-only Txn-Token is ignored', async () => {
    const { identity } = await authenticator().authenticate(
      { 'txn-token': '   ', authorization: `Bearer ${SA_TOKEN}` },
      'api',
    );
    assert.equal(identity.authType, 'serviceAccount');
  });

  test('Authorization:Bearer opt-in: TxTokens there are context tokens, other bearers fall through', async () => {
    const auth = authenticator({}, 'Txn-Token,Authorization:Bearer');
    const ctx = await auth.authenticate({ authorization: `Bearer ${await ctxToken()}` }, 'api');
    assert.equal(ctx.identity.authType, 'contextToken');
    const oidc = await auth.authenticate({ authorization: `Bearer ${await oidcToken()}` }, 'api');
    assert.equal(oidc.identity.authType, 'oidc');
    const sa = await auth.authenticate({ authorization: `Bearer ${SA_TOKEN}` }, 'api');
    assert.equal(sa.identity.authType, 'serviceAccount');
  });

  test('a configured custom header with a scheme', async () => {
    const auth = authenticator({}, 'X-Context:Token');
    const { identity } = await auth.authenticate(
      { 'x-context': `token ${await ctxToken()}` },
      'api',
    );
    assert.equal(identity.authType, 'contextToken');
  });
});

describe('header handling (reference §3.2, §4.1)', () => {
  const cases: {
    name: string;
    headers: () => Promise<Record<string, string>>;
    message: string;
    opts?: string;
  }[] = [
    { name: 'no credentials', headers: async () => ({}), message: 'missing authorization header' },
    {
      name: 'empty x-api-key',
      headers: async () => ({ 'x-api-key': '  ' }),
      message: 'missing authorization header',
    },
    {
      name: 'Basic scheme',
      headers: async () => ({ authorization: 'Basic dXNlcjpwYXNz' }),
      message: 'invalid authorization header format',
    },
    {
      name: 'Bearer without token',
      headers: async () => ({ authorization: 'Bearer' }),
      message: 'invalid authorization header format',
    },
    {
      name: 'Bearer with two tokens',
      headers: async () => ({ authorization: `Bearer ${SA_TOKEN} extra` }),
      message: 'invalid authorization header format',
    },
    {
      name: 'token without scheme',
      headers: async () => ({ authorization: SA_TOKEN }),
      message: 'invalid authorization header format',
    },
    {
      name: 'TxToken in Authorization when not enabled',
      headers: async () => ({ authorization: `Bearer ${await ctxToken()}` }),
      message:
        'kontxt TxTokens must be sent via the Txn-Token header unless Authorization: Bearer is explicitly enabled',
    },
    {
      name: 'malformed Authorization when Authorization:Bearer is a context source',
      headers: async () => ({ authorization: 'Basic abc' }),
      message: 'invalid context token header format',
      opts: 'Txn-Token,Authorization:Bearer',
    },
    {
      name: 'invalid context token does not fall back to a valid SA token',
      headers: async () => ({ 'txn-token': 'garbage', authorization: `Bearer ${SA_TOKEN}` }),
      message: 'invalid token',
    },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const error = await rejection(
        authenticator({}, c.opts).authenticate(await c.headers(), 'api'),
      );
      assert.equal(error.message, c.message);
    });
  }

  test('internal routes accept TokenReview only', async () => {
    const auth = authenticator();
    const noCtx = await rejection(auth.authenticate({ 'txn-token': await ctxToken() }, 'internal'));
    assert.equal(noCtx.message, 'missing authorization header');
    const before = reviews.length;
    const noOidc = await rejection(
      auth.authenticate({ authorization: `Bearer ${await oidcToken()}` }, 'internal'),
    );
    assert.equal(noOidc.message, 'invalid token');
    assert.doesNotMatch(noOidc.reason, /oidc/);
    assert.equal(reviews.length, before + 1);
    const sa = await auth.authenticate({ authorization: `Bearer ${SA_TOKEN}` }, 'internal');
    assert.equal(sa.identity.authType, 'serviceAccount');
  });
});

type Attack = { name: string; token: () => Promise<string> | string; reason: string };

const without = (name: string, value?: unknown) => () => {
  const claims = ctxClaims();
  if (value === undefined) delete claims[name];
  else claims[name] = value;
  return ctxToken(claims);
};
const withClaims = (patch: Record<string, unknown>) => () => ctxToken({ ...ctxClaims(), ...patch });
const withHeader = (patch: Record<string, unknown>) => () =>
  ctxToken(ctxClaims(), { ...ctxHeader(), ...patch });
const segments = async (): Promise<string[]> => (await ctxToken()).split('.');

const contextAttacks: Attack[] = [
  {
    name: 'alg none',
    token: () => `${encodeSegment({ ...ctxHeader(), alg: 'none' })}.${encodeSegment(ctxClaims())}.`,
    reason: 'unsupported JWT signing algorithm "none"',
  },
  {
    name: 'HS256 signed with the RSA public key as secret',
    token: () => signHs256WithPublicKey({ ...ctxHeader(), alg: 'HS256' }, ctxClaims(), ctxKey),
    reason: 'unsupported JWT signing algorithm "HS256"',
  },
  {
    name: 'RS512 when only RS256 is allowed',
    token: () => signRaw({ ...ctxHeader(), alg: 'RS512' }, ctxClaims(), rs512Key, 'sha512'),
    reason: 'unsupported JWT signing algorithm "RS512"',
  },
  { name: 'expired', token: withClaims({ exp: clock.seconds - 120 }), reason: 'token expired' },
  {
    name: 'not yet valid (nbf)',
    token: withClaims({ nbf: clock.seconds + 600 }),
    reason: 'token not valid yet',
  },
  {
    name: 'issued in the future (iat)',
    token: withClaims({ iat: clock.seconds + 600 }),
    reason: 'token not valid yet: issued in the future',
  },
  {
    name: 'wrong issuer',
    token: withClaims({ iss: 'https://evil.example/' }),
    reason: 'invalid issuer',
  },
  {
    name: 'wrong audience',
    token: withClaims({ aud: ['someone-else'] }),
    reason: 'invalid audience',
  },
  { name: 'audience missing', token: without('aud'), reason: 'invalid audience' },
  ...['sub', 'exp', 'iat', 'txn', 'scope', 'req_wl'].map((claim) => ({
    name: `required claim ${claim} missing`,
    token: without(claim),
    reason: `missing required context-token claim "${claim}"`,
  })),
  {
    name: 'sub empty',
    token: without('sub', ''),
    reason: 'missing required context-token claim "sub"',
  },
  {
    name: 'scope empty',
    token: without('scope', ''),
    reason: 'missing required context-token claim "scope"',
  },
  {
    name: 'txn empty object',
    token: without('txn', {}),
    reason: 'missing required context-token claim "txn"',
  },
  {
    name: 'req_wl empty array',
    token: without('req_wl', []),
    reason: 'missing required context-token claim "req_wl"',
  },
  {
    name: 'scope not a string',
    token: without('scope', 42),
    reason: 'parse context-token claims: "scope" is not a string',
  },
  {
    name: 'tctx not an object',
    token: without('tctx', 'namespace=team-a'),
    reason: 'parse context-token claims: "tctx" is not an object',
  },
  { name: 'sub not a string', token: without('sub', 7), reason: 'missing subject' },
  { name: 'kid missing', token: withHeader({ kid: undefined }), reason: 'missing JWT kid' },
  {
    name: 'kid unknown',
    token: withHeader({ kid: 'nope' }),
    reason: 'no usable RSA signing key found for kid "nope"',
  },
  { name: 'typ missing', token: withHeader({ typ: undefined }), reason: 'invalid JWT type ""' },
  { name: 'wrong typ', token: withHeader({ typ: 'JWT' }), reason: 'invalid JWT type "JWT"' },
  {
    name: 'kid is a number',
    token: withHeader({ kid: 5 }),
    reason: 'parse JWT header: kid is not a string',
  },
  {
    name: 'signed by an unpublished key with a known kid',
    token: () => ctxToken(ctxClaims(), ctxHeader(), strangerKey),
    reason: 'verify JWT signature',
  },
  {
    name: 'tampered payload',
    token: async () => {
      const [h, , s] = await segments();
      return `${h}.${encodeSegment({ ...ctxClaims(), scope: 'orka:tasks:create orka:tasks:delete' })}.${s}`;
    },
    reason: 'verify JWT signature',
  },
  {
    name: 'tampered signature',
    token: async () => {
      const [h, p, s] = await segments();
      const sig = Buffer.from(s!, 'base64url');
      sig[10] = sig[10]! ^ 0xff;
      return `${h}.${p}.${sig.toString('base64url')}`;
    },
    reason: 'verify JWT signature',
  },
  {
    name: 'truncated token',
    token: async () => (await ctxToken()).slice(0, -20),
    reason: 'verify JWT signature',
  },
  {
    name: 'two parts',
    token: async () => (await segments()).slice(0, 2).join('.'),
    reason: 'invalid JWT format',
  },
  {
    name: 'four parts',
    token: async () => `${await ctxToken()}.AAAA`,
    reason: 'invalid JWT format',
  },
  { name: 'not a JWT at all', token: () => 'opaque-token', reason: 'invalid JWT format' },
  {
    name: 'garbage base64 header',
    token: async () => `!!!.${(await segments())[1]}.${(await segments())[2]}`,
    reason: 'parse JWT header',
  },
  {
    name: 'header is a JSON array',
    token: async () =>
      `${encodeSegment(['RS256'])}.${(await segments())[1]}.${(await segments())[2]}`,
    reason: 'parse JWT header: not a JSON object',
  },
  {
    name: 'payload is not JSON',
    token: async () =>
      `${(await segments())[0]}.${Buffer.from('{nope').toString('base64url')}.${(await segments())[2]}`,
    reason: 'parse JWT claims',
  },
  {
    name: 'payload is a JSON array',
    token: () => signRaw(ctxHeader(), [1, 2], ctxKey),
    reason: 'parse JWT claims: not a JSON object',
  },
  {
    name: 'oversized token',
    token: withClaims({ pad: 'x'.repeat(17 * 1024) }),
    reason: 'token exceeds 16384 characters',
  },
];

describe('context-token attacks: every variant is a 401 with the reference reason', () => {
  for (const attack of contextAttacks) {
    test(attack.name, async () => {
      const token = await attack.token();
      const error = await rejection(authenticator().authenticate({ 'txn-token': token }, 'api'));
      assert.equal(error.message, 'invalid token');
      assert.ok(error.reason.startsWith(attack.reason), `reason was: ${error.reason}`);
      assert.equal(error.logMessage, 'token validation failed');
      for (const text of [error.message, error.reason, error.stack ?? '']) {
        assert.ok(!text.includes(CANARY), 'canary leaked');
        assert.ok(!text.includes(token), 'token leaked');
      }
    });
  }
});

const oidcWith = (patch: Record<string, unknown>) => () => oidcToken({ ...oidcClaims(), ...patch });
const oidcAttacks: Attack[] = [
  { name: 'expired', token: oidcWith({ exp: clock.seconds - 120 }), reason: 'oidc: token expired' },
  {
    name: 'not yet valid',
    token: oidcWith({ nbf: clock.seconds + 600 }),
    reason: 'oidc: token not valid yet',
  },
  { name: 'wrong audience', token: oidcWith({ aud: ['other'] }), reason: 'oidc: invalid audience' },
  { name: 'sub missing', token: oidcWith({ sub: undefined }), reason: 'oidc: missing subject' },
  { name: 'exp missing', token: oidcWith({ exp: undefined }), reason: 'oidc: invalid expiration' },
  {
    name: 'kid unknown',
    token: () => oidcToken(oidcClaims(), { ...oidcHeader(), kid: 'rotated-away' }),
    reason: 'oidc: no usable RSA signing key found for kid "rotated-away"',
  },
  {
    name: 'signed by a stranger',
    token: () => oidcToken(oidcClaims(), oidcHeader(), strangerKey),
    reason: 'oidc: verify JWT signature',
  },
  {
    name: 'a TxToken presented as OIDC',
    token: () => oidcToken(oidcClaims(), { ...oidcHeader(), typ: 'txntoken+jwt' }),
    reason: 'kontxt TxTokens',
  },
  {
    name: 'alg none is not an OIDC candidate',
    token: () => `${encodeSegment({ alg: 'none' })}.${encodeSegment(oidcClaims())}.`,
    reason: 'tokenReview: token review: not authenticated',
  },
  {
    name: 'other issuer is not an OIDC candidate',
    token: oidcWith({ iss: 'https://other.example' }),
    reason: 'tokenReview: token review: not authenticated',
  },
];

describe('OIDC attacks: rejected by OIDC, then by TokenReview, 401 invalid token', () => {
  for (const attack of oidcAttacks) {
    test(attack.name, async () => {
      const token = await attack.token();
      const error = await rejection(
        authenticator().authenticate({ authorization: `Bearer ${token}` }, 'api'),
      );
      assert.ok(
        error.reason.startsWith(attack.reason) || error.message.startsWith(attack.reason),
        `reason was: ${error.reason}`,
      );
      assert.ok(!error.reason.includes(CANARY));
      assert.ok(!error.reason.includes(token));
    });
  }
});

describe('key caching', () => {
  test('an unknown kid triggers exactly one refetch, then waits out the cooldown', async () => {
    const auth = authenticator();
    await auth.authenticate({ 'txn-token': await ctxToken() }, 'api');
    const warm = server.count('/ctx/jwks');
    clock.advance(31_000);
    const unknown = await ctxToken(ctxClaims(), { ...ctxHeader(), kid: 'unknown-1' });
    await rejection(auth.authenticate({ 'txn-token': unknown }, 'api'));
    assert.equal(server.count('/ctx/jwks'), warm + 1);
    const another = await ctxToken(ctxClaims(), { ...ctxHeader(), kid: 'unknown-2' });
    await rejection(auth.authenticate({ 'txn-token': another }, 'api'));
    assert.equal(server.count('/ctx/jwks'), warm + 1);
  });

  test('a rotated key is picked up on its first use after the cooldown', async () => {
    const auth = authenticator();
    await auth.authenticate({ 'txn-token': await ctxToken() }, 'api');
    const rotated = await makeKey('ctx-2');
    server.contextKeys = [ctxKey.publicJwk, rotated.publicJwk];
    clock.advance(31_000);
    const token = await ctxToken(ctxClaims(), { ...ctxHeader(), kid: 'ctx-2' }, rotated);
    const { identity } = await auth.authenticate({ 'txn-token': token }, 'api');
    assert.equal(identity.authType, 'contextToken');
    server.contextKeys = [ctxKey.publicJwk];
  });

  test('keys are not fetched per request', async () => {
    const auth = authenticator();
    const before = server.count('/ctx/jwks');
    for (let i = 0; i < 5; i++) await auth.authenticate({ 'txn-token': await ctxToken() }, 'api');
    assert.equal(server.count('/ctx/jwks'), before + 1);
  });
});

describe('canary: nothing of the token reaches identities or errors', () => {
  test('identities serialise without the canary or the token', async () => {
    const auth = authenticator();
    const tokens = [await ctxToken(), await oidcToken()];
    const results = [
      await auth.authenticate({ 'txn-token': tokens[0]! }, 'api'),
      await auth.authenticate({ authorization: `Bearer ${tokens[1]}` }, 'api'),
      await auth.authenticate({ authorization: `Bearer ${SA_TOKEN}` }, 'api'),
    ];
    for (const result of results) {
      for (const text of [
        JSON.stringify(result),
        JSON.stringify(result.identity),
        inspect(result, { depth: 10 }),
      ]) {
        assert.ok(!text.includes(CANARY), `canary leaked: ${text.slice(0, 200)}`);
        for (const token of tokens) assert.ok(!text.includes(token));
      }
    }
  });
});
