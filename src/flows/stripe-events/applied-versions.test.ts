import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeEachStore } from '../../../test/support/stores.ts';
import { AppliedVersions } from './applied-versions.ts';

describeEachStore('AppliedVersions', (get) => {
  it('has no version for an object never applied, then keeps the one recorded', async () => {
    const versions = new AppliedVersions(get().store, 'stripe-a');
    assert.equal(await versions.get('sub_1'), undefined);
    assert.equal(await versions.advance({ objectId: 'sub_1', rank: [0, 100, 2, 5], eventId: 'evt_1' }), true);
    assert.deepEqual(await versions.get('sub_1'), { objectId: 'sub_1', rank: [0, 100, 2, 5], eventId: 'evt_1' });
  });

  it('moves forward only: an older version leaves the newer one in place', async () => {
    const versions = new AppliedVersions(get().store, 'stripe-b');
    await versions.advance({ objectId: 'sub_1', rank: [0, 200, 2, 9], eventId: 'evt_new' });
    assert.equal(await versions.advance({ objectId: 'sub_1', rank: [0, 100, 2, 50], eventId: 'evt_old' }), false);
    assert.equal((await versions.get('sub_1'))?.eventId, 'evt_new');
    // An equal version is recorded again (a replayed run), a newer one replaces it.
    assert.equal(await versions.advance({ objectId: 'sub_1', rank: [0, 200, 2, 9], eventId: 'evt_new' }), true);
    assert.equal(await versions.advance({ objectId: 'sub_1', rank: [1, 200, 2, 10], eventId: 'evt_deleted' }), true);
    assert.equal((await versions.get('sub_1'))?.eventId, 'evt_deleted');
  });

  it('keeps the newest of concurrent records, whatever order they commit in', async () => {
    const versions = new AppliedVersions(get().store, 'stripe-c');
    const ranks = [3, 7, 1, 9, 4, 2, 8, 5];
    await Promise.all(ranks.map((r) => versions.advance({ objectId: 'in_1', rank: [1, r], eventId: `evt_${r}` })));
    assert.deepEqual((await versions.get('in_1'))?.rank, [1, 9]);
  });

  it('keeps the objects of each source apart', async () => {
    const a = new AppliedVersions(get().store, 'stripe-d');
    const b = new AppliedVersions(get().store, 'stripe-e');
    await a.advance({ objectId: 'in_1', rank: [3, 1], eventId: 'evt_a' });
    assert.equal(await b.get('in_1'), undefined);
  });
});
