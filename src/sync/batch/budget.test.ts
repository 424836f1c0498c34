import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../core/clock.ts';
import { InterlockError } from '../../core/errors.ts';
import { ApiBudget } from './budget.ts';

function budget(options: { attempts?: number } = {}) {
  const clock = new ManualClock(0);
  const waits: number[] = [];
  const b = new ApiBudget({
    budgets: { salesforce: { perSecond: 2, burst: 2, maxDailyShare: 0.8 } },
    clock,
    sleep: async (ms) => {
      waits.push(ms);
      clock.advance(ms);
    },
    ...options,
  });
  return { b, waits };
}

describe('ApiBudget', () => {
  it('keeps a sync to its share of a vendor: a burst, then one call per token', async () => {
    const { b, waits } = budget();
    for (let i = 0; i < 4; i++) await b.call('salesforce', async () => i);
    assert.deepEqual(waits, [500, 500]);
    await b.call('stripe', async () => 'unlimited');
    assert.equal(waits.length, 2, 'a vendor without a budget is not held back');
  });

  it('backs off when the vendor pushes back, never sooner than it asked, then succeeds', async () => {
    const { b, waits } = budget();
    let calls = 0;
    const answer = await b.call('netsuite', async () => {
      if (++calls < 3) throw new InterlockError('rate-limited', '429', { retryAfterMs: 2000 });
      return 'ok';
    });
    assert.equal(answer, 'ok');
    assert.equal(waits.length, 2);
    assert.ok(waits.every((ms) => ms >= 2000));
  });

  it('gives up after its attempts, and at once on failures a retry cannot fix', async () => {
    const { b } = budget({ attempts: 2 });
    let calls = 0;
    await assert.rejects(b.call('netsuite', async () => { calls++; throw new InterlockError('transient', 'down'); }), /down/);
    assert.equal(calls, 2);
    await assert.rejects(b.call('netsuite', async () => { calls++; throw new InterlockError('validation', 'bad field'); }), /bad field/);
    assert.equal(calls, 3);
  });

  it('stops a sync when Salesforce daily usage passes its share, leaving the rest to real-time flows', () => {
    const { b } = budget();
    b.checkDaily('salesforce', { used: 79, max: 100 });
    assert.throws(() => b.checkDaily('salesforce', { used: 80, max: 100 }), (err: unknown) => err instanceof InterlockError && err.code === 'rate-limited' && /80\/100.*resumes from its cursor/.test(err.message));
  });
});
