/**
 * The inbox's batch writes on both stores: what one batch stores, byte for byte and in order.
 * (Duplicates, parking and the wait behind older pending events are in the store conformance
 * suite, test/store/engine-store.test.ts.)
 */
import assert from 'node:assert/strict';
import { beforeEach, it } from 'node:test';
import { ManualClock } from '../core/clock.ts';
import { describeEachStore } from '../../test/support/stores.ts';
import { silentLog } from '../../test/support/engine-fixtures.ts';
import { Inbox } from './inbox.ts';
import { Router } from './router.ts';

// Characters that a hand-made literal, an array literal or a JSON text would each have to escape.
const AWKWARD = ['plain', 'a "quoted" word', 'back\\slash \\" and \\\\', '{braces}, (parens), commas', 'NULL', "it's", 'line\nbreak\ttab', 'été 💡 日本'];

describeEachStore('inbox batch writes', (get) => {
  beforeEach(async () => {
    for (const t of ['outbox', 'inbox'] as const) await get().store.db.deleteFrom(t).execute();
  });

  it('stores each event of a batch and its message exactly as given, ids in the order received', async () => {
    const router = new Router({ orders: { eventId: { path: 'id' }, routes: [{ destination: 'd', key: 'order' }] } });
    const inbox = new Inbox(get().store, new ManualClock(), { routing: { router, enabled: () => true, log: silentLog } });
    const events = AWKWARD.map((text, i) => ({
      source: 'orders',
      eventId: `e-${i} ${text}`,
      headers: { 'content-type': 'application/json', 'x-note': text },
      body: JSON.stringify({ id: `e-${i} ${text}`, order: text, n: i }),
    }));
    // Submitted in one turn of the event loop: one batch.
    const accepted = await Promise.all(events.map((e) => inbox.accept(e)));
    assert.ok(accepted.every((a) => !a.duplicate));
    const ids = accepted.map((a) => a.id);
    assert.deepEqual(ids, [...ids].sort((a, b) => a - b), 'ids follow the order received');

    const rows = await get().store.db.selectFrom('inbox').select(['id', 'event_id', 'headers', 'body', 'status']).orderBy('id').execute();
    assert.deepEqual(
      rows.map((r) => [Number(r.id), r.event_id, JSON.parse(r.headers), r.body, r.status]),
      events.map((e, i) => [ids[i], e.eventId, e.headers, e.body, 'processed']),
    );
    const out = await get().store.db.selectFrom('outbox').select(['inbox_id', 'key', 'payload']).orderBy('id').execute();
    assert.deepEqual(
      out.map((m) => [Number(m.inbox_id), m.key, m.payload]),
      events.map((e, i) => [ids[i], AWKWARD[i], e.body]),
    );
  });

  it('refuses an event whose id PostgreSQL cannot store, that event alone: the rest of its batch is stored', async () => {
    const router = new Router({ orders: { eventId: { path: 'id' }, routes: [{ destination: 'd', key: 'order' }] } });
    const inbox = new Inbox(get().store, new ManualClock(), { routing: { router, enabled: () => true, log: silentLog } });
    const event = (id: string) => ({ source: 'orders', eventId: id, headers: {}, body: JSON.stringify({ id, order: `SO-${id}` }) });
    const [first, refused, last] = await Promise.allSettled([inbox.accept(event('1')), inbox.accept(event('2\u0000')), inbox.accept(event('3'))]);
    assert.equal(first.status, 'fulfilled');
    assert.equal(last.status, 'fulfilled');
    assert.equal(refused.status, 'rejected');
    assert.match(String((refused as PromiseRejectedResult).reason), /NUL/);
    const rows = await get().store.db.selectFrom('inbox').select(['event_id', 'status']).orderBy('id').execute();
    assert.deepEqual(rows.map((r) => [r.event_id, r.status]), [['1', 'processed'], ['3', 'processed']]);
  });

  it('parks an event whose business key PostgreSQL cannot store, and stores the rest of its batch', async () => {
    const router = new Router({ orders: { eventId: { path: 'id' }, routes: [{ destination: 'd', key: 'order' }] } });
    const inbox = new Inbox(get().store, new ManualClock(), { routing: { router, enabled: () => true, log: silentLog } });
    const event = (id: string, order: string) => ({ source: 'orders', eventId: id, headers: {}, body: JSON.stringify({ id, order }) });
    const accepted = await Promise.all([inbox.accept(event('1', 'SO-1')), inbox.accept(event('2', 'SO\u00002')), inbox.accept(event('3', 'SO-3'))]);
    assert.ok(accepted.every((a) => !a.duplicate));
    const rows = await get().store.db.selectFrom('inbox').select(['event_id', 'status', 'error']).orderBy('id').execute();
    assert.deepEqual(rows.map((r) => [r.event_id, r.status]), [['1', 'processed'], ['2', 'dead'], ['3', 'processed']]);
    assert.match(rows[1]!.error ?? '', /NUL/);
    const out = await get().store.db.selectFrom('outbox').select('key').orderBy('id').execute();
    assert.deepEqual(out.map((m) => m.key), ['SO-1', 'SO-3']);
  });
});
