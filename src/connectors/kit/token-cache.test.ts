import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../core/clock.ts';
import { TokenCache } from './token-cache.ts';

describe('TokenCache', () => {
  it('fetches once for concurrent callers and reuses the token until shortly before it expires', async () => {
    const clock = new ManualClock();
    let fetches = 0;
    const cache = new TokenCache(async () => ({ value: `t${++fetches}`, expiresInMs: 3_600_000 }), clock);
    assert.deepEqual(await Promise.all([cache.get(), cache.get(), cache.get()]), ['t1', 't1', 't1']);
    clock.advance(3_600_000 - 60_001);
    assert.equal(await cache.get(), 't1');
    clock.advance(2);
    assert.equal(await cache.get(), 't2');
  });

  it('fetches a new token after the vendor refused the current one', async () => {
    let fetches = 0;
    const cache = new TokenCache(async () => ({ value: `t${++fetches}` }), new ManualClock());
    assert.equal(await cache.get(), 't1');
    cache.invalidate();
    assert.equal(await cache.get(), 't2');
  });

  it('does not keep a failed fetch: the next call tries again', async () => {
    let fail = true;
    const cache = new TokenCache(async () => {
      if (fail) throw new Error('token endpoint down');
      return { value: 'ok' };
    }, new ManualClock());
    await assert.rejects(cache.get(), /token endpoint down/);
    fail = false;
    assert.equal(await cache.get(), 'ok');
  });
});
