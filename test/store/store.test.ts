/**
 * Store conformance for the store itself: transactions (durable and relaxed), migrations, and
 * wake-up signals — on SQLite and PostgreSQL alike.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { sql } from 'kysely';
import { migrationsApplied, openStore } from '../../src/store/open-store.ts';
import { describeEachStore } from '../support/stores.ts';

describeEachStore('store', (get) => {
  const insert = (id: string) => (trx: Parameters<Parameters<ReturnType<typeof get>['store']['transaction']>[0]>[0]) =>
    trx
      .insertInto('destination_state')
      .values({ destination: id, tokens: 0, refilled_at: 0, paused_until: 0, circuit: 'closed', consecutive_failures: 0, opened_at: null })
      .execute();
  const exists = async (id: string) =>
    (await get().store.db.selectFrom('destination_state').select('destination').where('destination', '=', id).executeTakeFirst()) !== undefined;

  it('applies every migration', async () => {
    assert.equal(await migrationsApplied(get().store), true);
  });

  for (const durable of [true, false]) {
    it(`commits a ${durable ? 'durable' : 'relaxed'} transaction whole, and rolls a failing one back whole`, async () => {
      const { store } = get();
      await store.transaction(insert(`ok-${durable}`), { durable });
      assert.equal(await exists(`ok-${durable}`), true);
      await assert.rejects(
        store.transaction(async (trx) => {
          await insert(`rolled-back-${durable}`)(trx);
          throw new Error('boom');
        }, { durable }),
        /boom/,
      );
      assert.equal(await exists(`rolled-back-${durable}`), false);
    });
  }

  it('a relaxed transaction commits without waiting for the disk, and one a statement error aborted is not committed', async () => {
    const { store } = get();
    if (store.dialect === 'postgres') {
      const inside = await store.transaction(async (trx) => (await sql<{ synchronous_commit: string }>`SHOW synchronous_commit`.execute(trx)).rows[0]!.synchronous_commit, { durable: false });
      assert.equal(inside, 'off');
    }
    const attempt = store.transaction(async (trx) => {
      await insert('aborted')(trx);
      // A failed statement whose error is swallowed: PostgreSQL aborts the transaction.
      await sql`SELECT * FROM no_such_table`.execute(trx).catch(() => undefined);
    }, { durable: false });
    if (store.dialect === 'postgres') await assert.rejects(attempt, /aborted/);
    else await attempt; // SQLite carries on after a failed statement
    assert.equal(await exists('aborted'), store.dialect === 'sqlite');
  });

  it('returns to full durability after a relaxed transaction', async () => {
    const { store } = get();
    await store.transaction(insert('relaxed-then'), { durable: false });
    if (store.dialect === 'sqlite') {
      const { rows } = await sql<{ synchronous: number }>`PRAGMA synchronous`.execute(store.db);
      assert.equal(rows[0]!.synchronous, 2, 'FULL');
    } else {
      const { rows } = await sql<{ synchronous_commit: string }>`SHOW synchronous_commit`.execute(store.db);
      assert.equal(rows[0]!.synchronous_commit, 'on');
    }
  });

  it('SQLite: a synchronous transaction commits whole, rolls back whole, and restores full durability', async (t) => {
    const { store } = get();
    if (store.syncTransaction === undefined) return t.skip('SQLite only');
    const row = ['sync-ok', 0, 0, 0, 'closed', 0, null] as const;
    const insertSql = 'INSERT INTO destination_state (destination, tokens, refilled_at, paused_until, circuit, consecutive_failures, opened_at) VALUES (?, ?, ?, ?, ?, ?, ?)';
    assert.equal(await store.syncTransaction((db) => db.run(insertSql, row)), 1);
    assert.equal(await exists('sync-ok'), true);
    await assert.rejects(
      store.syncTransaction((db) => {
        db.run(insertSql, ['sync-rolled-back', ...row.slice(1)]);
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.equal(await exists('sync-rolled-back'), false);
    const { rows } = await sql<{ synchronous: number }>`PRAGMA synchronous`.execute(store.db);
    assert.equal(rows[0]!.synchronous, 2, 'FULL');
  });

  it('SQLite: a synchronous transaction waits for a query-builder transaction under way', async (t) => {
    const { store } = get();
    if (store.syncTransaction === undefined) return t.skip('SQLite only');
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const order: string[] = [];
    const first = store.transaction(async (trx) => {
      await insert('held')(trx);
      await held;
      order.push('builder committed');
    });
    // Started while the other transaction is open: it must not run inside it.
    const second = store.syncTransaction((db) => {
      order.push('sync ran');
      return db.all("SELECT destination FROM destination_state WHERE destination = 'held'", []).length;
    });
    await new Promise((r) => setTimeout(r, 20));
    release();
    await first;
    assert.equal(await second, 1, 'sees the committed row');
    assert.deepEqual(order, ['builder committed', 'sync ran']);
  });

  it('wakes listeners of a channel, coalescing a burst into one call', async () => {
    const { store } = get();
    let calls = 0;
    const stop = store.listen('outbox', () => (calls += 1));
    for (let i = 0; i < 10; i++) store.notify('outbox');
    await new Promise((r) => setTimeout(r, 50));
    stop();
    assert.equal(calls, 1);
  });

  it('wakes a listener in another connection (another process, on PostgreSQL)', async (t) => {
    const { store, config } = get();
    if (store.dialect === 'sqlite') return t.skip('SQLite has one process; in-process signals cover it');
    const other = await openStore(config);
    try {
      let woken = false;
      const stop = other.listen('inbox', () => (woken = true));
      await new Promise((r) => setTimeout(r, 200)); // LISTEN is set up asynchronously
      store.notify('inbox');
      const end = Date.now() + 5000;
      while (!woken && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      stop();
      assert.equal(woken, true);
    } finally {
      await other.close();
    }
  });
});
