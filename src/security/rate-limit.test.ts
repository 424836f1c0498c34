import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../core/clock.ts';
import { KeyRateLimiter } from './rate-limit.ts';

describe('per-key rate limiter', () => {
  it('allows the burst, then refuses with the seconds until the next token', () => {
    const clock = new ManualClock();
    const limiter = new KeyRateLimiter({ rate: { perSecond: 2, burst: 3 }, quota: null }, clock);
    const answers = Array.from({ length: 4 }, () => limiter.check('k1'));
    assert.deepEqual(answers.map((a) => a.allowed), [true, true, true, false]);
    assert.equal(answers[3]!.retryAfterSeconds, 1);
    assert.equal(answers[0]!.headers['ratelimit-policy'], '"burst";q=3;w=2');
    assert.equal(answers[0]!.headers.ratelimit, '"burst";r=2;t=1');
    assert.equal(answers[3]!.headers.ratelimit, '"burst";r=0;t=2');
    clock.advance(500);
    assert.equal(limiter.check('k1').allowed, true, 'one token back after half a second');
  });

  it('keeps a bucket per key', () => {
    const clock = new ManualClock();
    const limiter = new KeyRateLimiter({ rate: { perSecond: 1, burst: 1 }, quota: null }, clock);
    assert.equal(limiter.check('a').allowed, true);
    assert.equal(limiter.check('a').allowed, false);
    assert.equal(limiter.check('b').allowed, true);
  });

  it('enforces a quota per window and says when the window resets', () => {
    const clock = new ManualClock();
    const limiter = new KeyRateLimiter({ rate: { perSecond: 1000, burst: 1000 }, quota: { limit: 2, windowSeconds: 3600 } }, clock);
    assert.equal(limiter.check('k').allowed, true);
    clock.advance(1000);
    const second = limiter.check('k');
    assert.equal(second.allowed, true);
    assert.match(second.headers.ratelimit, /"quota";r=0;t=3599/);
    assert.match(second.headers['ratelimit-policy'], /"quota";q=2;w=3600/);
    const third = limiter.check('k');
    assert.equal(third.allowed, false);
    assert.equal(third.retryAfterSeconds, 3599);
    clock.advance(3_599_000);
    assert.equal(limiter.check('k').allowed, true, 'a new window');
  });
});
