/**
 * The API's key cache, on both stores: a verified key is answered synchronously for
 * KEY_CACHE_TTL_MS and then verified again; concurrent misses share one verification; a key
 * revoked through the cache is refused at once, even when its verification was in flight.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ManualClock } from '../core/clock.ts';
import { describeEachStore } from '../../test/support/stores.ts';
import { ApiKeys } from '../security/api-keys.ts';
import { AuditLog } from '../security/audit-log.ts';
import { CachingApiKeys, KEY_CACHE_TTL_MS } from './key-cache.ts';

describeEachStore('API key cache', (get) => {
  const clock = new ManualClock();
  const keysOf = () => new CachingApiKeys(get().store, new AuditLog(get().store, clock), clock);

  it('answers a verified key synchronously until the TTL, then verifies it again', async () => {
    const keys = keysOf();
    const { key, record } = await keys.create({ role: 'viewer', label: 'portal', actor: 'test' });
    assert.equal(keys.cached(key), undefined, 'not verified yet');
    assert.equal((await keys.authenticate(key))?.id, record.id);
    assert.equal(keys.cached(key)?.id, record.id);
    assert.equal(keys.cached(`${key}x`), undefined, 'another string is not the key');
    clock.advance(KEY_CACHE_TTL_MS);
    assert.equal(keys.cached(key), undefined, 'past the TTL');
    assert.equal((await keys.authenticate(key))?.role, 'viewer');
  });

  it('concurrent misses of one key share one verification', async () => {
    const keys = keysOf();
    const { key } = await keys.create({ role: 'viewer', label: 'portal', actor: 'test' });
    const original = ApiKeys.prototype.authenticate;
    let reads = 0;
    ApiKeys.prototype.authenticate = function (this: ApiKeys, presented: string) {
      reads++;
      return original.call(this, presented);
    };
    try {
      const all = await Promise.all(Array.from({ length: 16 }, () => keys.authenticate(key)));
      assert.ok(all.every((r) => r?.role === 'viewer'));
      assert.equal(reads, 1);
      await keys.authenticate(key);
      assert.equal(reads, 1, 'then remembered');
    } finally {
      ApiKeys.prototype.authenticate = original;
    }
  });

  it('a key revoked through the cache is refused at once, also when its verification straddled the revocation', async () => {
    const keys = keysOf();
    const { key, record } = await keys.create({ role: 'operator', label: 'ops', actor: 'test' });
    await keys.authenticate(key);
    await keys.revoke(record.id, 'test');
    assert.equal(keys.cached(key), undefined);
    assert.equal(await keys.authenticate(key), undefined);

    const second = await keys.create({ role: 'operator', label: 'ops 2', actor: 'test' });
    const verifying = keys.authenticate(second.key);
    await keys.revoke(second.record.id, 'test');
    await verifying;
    assert.equal(keys.cached(second.key), undefined, 'not remembered after the revocation');
    assert.equal(await keys.authenticate(second.key), undefined);
  });
});
