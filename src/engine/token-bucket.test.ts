import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { takeTokens } from './token-bucket.ts';

describe('takeTokens', () => {
  const limit = { perSecond: 10, burst: 5 };

  it('grants up to the burst, then refills at the configured rate', () => {
    const first = takeTokens(limit, { tokens: 5, refilledAt: 0 }, 0, 8);
    assert.equal(first.granted, 5);
    const empty = takeTokens(limit, first.state, 0, 1);
    assert.equal(empty.granted, 0);
    assert.equal(empty.waitMs, 100);
    const later = takeTokens(limit, first.state, 300, 10);
    assert.equal(later.granted, 3);
  });

  it('never holds more than the burst after a long idle time', () => {
    const r = takeTokens(limit, { tokens: 0, refilledAt: 0 }, 3_600_000, 100);
    assert.equal(r.granted, 5);
  });
});
