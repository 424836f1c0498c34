import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextDelay, parseRetryAfter } from './backoff.ts';

const policy = { initialDelayMs: 500, maxDelayMs: 60_000 };

describe('nextDelay', () => {
  it('draws from 1 ms up to a cap that doubles each attempt (full jitter)', () => {
    assert.equal(nextDelay(policy, 1, undefined, () => 0.999999), 499);
    assert.equal(nextDelay(policy, 3, undefined, () => 0.999999), 1999);
    assert.equal(nextDelay(policy, 1, undefined, () => 0), 1, 'a retry is never due in the pass that scheduled it');
  });

  it('never exceeds maxDelay however many attempts', () => {
    assert.equal(nextDelay(policy, 50, undefined, () => 0.999999), 59_999);
  });

  it('never retries before the time a Retry-After named', () => {
    assert.equal(nextDelay(policy, 1, 7_000, () => 0.5), 7_000);
    assert.equal(nextDelay(policy, 10, 100, () => 0.999999), 59_999);
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds and HTTP dates, and ignores garbage', () => {
    const now = Date.parse('2026-11-26T10:00:00Z');
    assert.equal(parseRetryAfter('3', now), 3000);
    assert.equal(parseRetryAfter('Thu, 26 Nov 2026 10:00:05 GMT', now), 5000);
    assert.equal(parseRetryAfter('soon', now), undefined);
    assert.equal(parseRetryAfter(undefined, now), undefined);
  });
});
