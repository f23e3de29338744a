import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TokenRejected } from '../../../api/auth/errors.ts';
import {
  TokenReviewAuthenticator,
  TokenReviewCache,
  type TokenReviewStatus,
  tokenCacheKey,
} from '../../../api/auth/token-review.ts';
import { TestClock } from './fixtures.ts';

function reviewer(initial: boolean) {
  const state = { calls: 0, authenticated: initial };
  const review = async (): Promise<TokenReviewStatus> => {
    state.calls++;
    return state.authenticated
      ? { authenticated: true, user: { username: 'system:serviceaccount:ns1:sa', groups: ['g'] } }
      : { authenticated: false };
  };
  return { state, review };
}

describe('TokenReview cache (reference §4.2)', () => {
  test('keys are the lowercase hex SHA-256 of the token', () => {
    assert.equal(
      tokenCacheKey('abc'),
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  test('a second call within 60 s does not call the reviewer', async () => {
    const clock = new TestClock();
    const { state, review } = reviewer(true);
    const auth = new TokenReviewAuthenticator(review, new TokenReviewCache({ now: clock.now }));
    const first = await auth.authenticate('t1');
    clock.advance(59_999);
    const second = await auth.authenticate('t1');
    assert.equal(state.calls, 1);
    assert.deepEqual(second, first);
    assert.equal(first.namespace, 'ns1');
  });

  test('an entry expires 60 s after the successful review', async () => {
    const clock = new TestClock();
    const { state, review } = reviewer(true);
    const auth = new TokenReviewAuthenticator(review, new TokenReviewCache({ now: clock.now }));
    await auth.authenticate('t1');
    clock.advance(60_000);
    await auth.authenticate('t1');
    assert.equal(state.calls, 2);
  });

  test('failures are not cached: every attempt asks the reviewer again', async () => {
    const { state, review } = reviewer(false);
    const auth = new TokenReviewAuthenticator(review);
    await assert.rejects(auth.authenticate('bad'), TokenRejected);
    await assert.rejects(auth.authenticate('bad'), TokenRejected);
    assert.equal(state.calls, 2);
  });

  test('a reviewer error is a rejection that names no token', async () => {
    const auth = new TokenReviewAuthenticator(async () => {
      throw Object.assign(new Error('body: {"spec":{"token":"secret-token"}}'), {
        statusCode: 500,
      });
    });
    await assert.rejects(auth.authenticate('secret-token'), (error: Error) => {
      assert.equal(error.message, 'token review failed: HTTP 500');
      return true;
    });
  });

  test('distinct tokens are distinct entries', async () => {
    const { state, review } = reviewer(true);
    const auth = new TokenReviewAuthenticator(review);
    await auth.authenticate('a');
    await auth.authenticate('b');
    await auth.authenticate('a');
    assert.equal(state.calls, 2);
  });

  test('the sweep on every 1000th insertion drops expired entries', () => {
    const clock = new TestClock();
    const cache = new TokenReviewCache({ now: clock.now });
    const identity = {
      authType: 'serviceAccount' as const,
      username: 'u',
      uid: '',
      groups: [],
      extra: {},
      subject: '',
      issuer: '',
      email: '',
      roles: [],
      namespace: '',
      contextToken: null,
    };
    for (let i = 0; i < 999; i++) cache.set(`k${i}`, identity);
    clock.advance(61_000);
    cache.set('fresh', identity);
    assert.equal(cache.size, 1);
  });

  test('cached identities are frozen so a route cannot alter them for later requests', async () => {
    const { review } = reviewer(true);
    const auth = new TokenReviewAuthenticator(review);
    const identity = await auth.authenticate('t');
    assert.throws(() => {
      (identity as { username: string }).username = 'admin';
    }, TypeError);
  });
});
