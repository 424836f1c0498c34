import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { admits, afterOutcomes, onProbe, type Circuit } from './circuit-breaker.ts';

const policy = { failureThreshold: 3, cooldownMs: 1000 };
const closed: Circuit = { state: 'closed', consecutiveFailures: 0, openedAt: null };

describe('circuit breaker', () => {
  it('opens after the threshold of consecutive failures and admits nothing while cooling down', () => {
    const c = afterOutcomes(policy, closed, [false, false, false], 50);
    assert.equal(c.state, 'open');
    assert.equal(admits(policy, c, 500, 0), 0);
  });

  it('a success in between resets the count', () => {
    const c = afterOutcomes(policy, closed, [false, false, true, false, false], 0);
    assert.equal(c.state, 'closed');
    assert.equal(c.consecutiveFailures, 2);
  });

  it('after the cooldown admits a single probe; its success closes, its failure reopens', () => {
    const open = afterOutcomes(policy, closed, [false, false, false], 0);
    assert.equal(admits(policy, open, 1000, 0), 1);
    assert.equal(admits(policy, open, 1000, 1), 0);
    const half = onProbe(open);
    assert.equal(half.state, 'half-open');
    assert.equal(afterOutcomes(policy, half, [true], 1100).state, 'closed');
    const reopened = afterOutcomes(policy, half, [false], 1100);
    assert.equal(reopened.state, 'open');
    assert.equal(reopened.openedAt, 1100);
  });
});
