import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeEachStore } from '../../../test/support/stores.ts';
import { CursorStore } from './cursor-store.ts';

describeEachStore('CursorStore', (get) => {
  it('has no value for a cursor never set, then keeps what was set', async () => {
    const cursors = new CursorStore(get().store, 'salesforce:a');
    assert.equal(await cursors.get('cdc'), undefined);
    assert.equal(await cursors.set('cdc', 'r1', undefined), true);
    assert.equal(await cursors.get('cdc'), 'r1');
  });

  it('advances only from the value it was read at', async () => {
    const cursors = new CursorStore(get().store, 'salesforce:b');
    await cursors.set('cdc', 'r1', undefined);
    assert.equal(await cursors.set('cdc', 'r2', 'r1'), true);
    // A second reader that also started from r1 loses and the cursor stays where the winner put it.
    assert.equal(await cursors.set('cdc', 'r2-other', 'r1'), false);
    assert.equal(await cursors.set('cdc', 'again', undefined), false);
    assert.equal(await cursors.get('cdc'), 'r2');
  });

  it('lets exactly one of concurrent writers from the same value win', async () => {
    const cursors = new CursorStore(get().store, 'salesforce:c');
    await cursors.set('cdc', 'start', undefined);
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => cursors.set('cdc', `w${i}`, 'start')));
    assert.equal(results.filter(Boolean).length, 1);
    const winner = results.indexOf(true);
    assert.equal(await cursors.get('cdc'), `w${winner}`);
  });

  it('keeps cursors apart by connector instance and by name', async () => {
    const a = new CursorStore(get().store, 'netsuite:a');
    const b = new CursorStore(get().store, 'netsuite:b');
    await a.set('poll', '10', undefined);
    await a.set('other', 'x', undefined);
    await b.set('poll', '20', undefined);
    assert.equal(await a.get('poll'), '10');
    assert.equal(await a.get('other'), 'x');
    assert.equal(await b.get('poll'), '20');
  });
});
