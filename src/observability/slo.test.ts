import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateSlo, perBucket, quantile } from './slo.ts';

describe('SLO arithmetic', () => {
  it('leaves the whole error budget when every event is good, and burns at rate 0', () => {
    assert.deepEqual(evaluateSlo(0.95, { good: 100, total: 100 }, { good: 10, total: 10 }), { sli: 1, errorBudgetRemaining: 1, burnRate: 0 });
  });

  it('spends the budget in proportion to the bad share: 2 % bad of a 5 % allowance leaves 60 %', () => {
    const r = evaluateSlo(0.95, { good: 98, total: 100 }, { good: 98, total: 100 });
    assert.equal(r.sli, 0.98);
    assert.ok(Math.abs(r.errorBudgetRemaining! - 0.6) < 1e-9);
    assert.equal(r.burnRate, 0.4);
  });

  it('never reports less than no budget, and a burn rate above 1 when the last hour is worse than allowed', () => {
    const r = evaluateSlo(0.99, { good: 50, total: 100 }, { good: 0, total: 4 });
    assert.equal(r.errorBudgetRemaining, 0);
    assert.equal(r.burnRate, 100);
  });

  it('answers null where there were no events to judge by', () => {
    assert.deepEqual(evaluateSlo(0.95, { good: 0, total: 0 }, { good: 0, total: 0 }), { sli: null, errorBudgetRemaining: null, burnRate: null });
  });

  it('takes quantiles by nearest rank', () => {
    assert.equal(quantile([], 0.5), null);
    assert.equal(quantile([5, 1, 3, 2, 4], 0.5), 3);
    assert.equal(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.95), 10);
  });

  it('counts times into hourly buckets, oldest first, dropping those outside', () => {
    const end = Date.parse('2026-01-02T00:00:00Z');
    const h = 3_600_000;
    const series = perBucket([end - 1, end - 2, end - h - 1, end + 5, end - 3 * h], end, h, 3);
    assert.deepEqual(series, [['2026-01-01T21:00:00.000Z', 1], ['2026-01-01T22:00:00.000Z', 1], ['2026-01-01T23:00:00.000Z', 2]]);
  });
});
