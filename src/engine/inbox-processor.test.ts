import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ManualClock } from '../core/clock.ts';
import type { Store, WakeChannel } from '../store/store.ts';
import { silentLog } from '../../test/support/engine-fixtures.ts';
import { describeEachStore } from '../../test/support/stores.ts';
import { Inbox } from './inbox.ts';
import { InboxProcessor } from './inbox-processor.ts';
import { Router } from './router.ts';

describeEachStore('inbox processor', (get) => {
  it('wakes the run worker and the dispatcher only once the batch has committed', async () => {
    // A wake-up sent while the batch's transaction is open reaches a worker whose claim (on
    // PostgreSQL, on another connection) cannot see the runs and messages yet: they would wait
    // for the next poll.
    const { store } = get();
    let open = 0;
    const woken: Array<[WakeChannel, 'in transaction' | 'after commit']> = [];
    const watched: Store = {
      dialect: store.dialect,
      db: store.db,
      lockClause: store.lockClause,
      transaction: async (fn, options) => {
        open += 1;
        try {
          return await store.transaction(fn, options);
        } finally {
          open -= 1;
        }
      },
      notify: (channel) => {
        woken.push([channel, open > 0 ? 'in transaction' : 'after commit']);
        store.notify(channel);
      },
      listen: (channel, listener) => store.listen(channel, listener),
      close: () => store.close(),
    };
    const clock = new ManualClock();
    const router = new Router({ orders: { eventId: { path: 'id' }, routes: [{ destination: 'd', key: 'order' }] } });
    await new Inbox(store, clock).accept({ source: 'orders', eventId: 'wake-1', headers: {}, body: JSON.stringify({ id: 'wake-1', order: 'SO-1' }) });
    const processor = new InboxProcessor({ store: watched, router, clock, log: silentLog, batchSize: 10, onEvent: async (_trx, events) => events.map(() => true) });
    assert.equal(await processor.runOnce(), 1);
    assert.deepEqual(woken, [['runs', 'after commit'], ['outbox', 'after commit']]);
  });
});
