/**
 * Store conformance for the engine: every store operation the engine relies on, run against
 * SQLite and PostgreSQL with the same assertions.
 */
import assert from 'node:assert/strict';
import { beforeEach, it } from 'node:test';
import { CompiledQuery, sql } from 'kysely';
import { ManualClock } from '../../src/core/clock.ts';
import { Claimer, claimMessages } from '../../src/engine/claims.ts';
import { CompletionRecorder } from '../../src/engine/completions.ts';
import { DeadLetters } from '../../src/engine/dead-letters.ts';
import { Inbox } from '../../src/engine/inbox.ts';
import { InboxProcessor } from '../../src/engine/inbox-processor.ts';
import { enqueue } from '../../src/engine/outbox.ts';
import { prune } from '../../src/engine/retention.ts';
import { Router } from '../../src/engine/router.ts';
import { destination, message, silentLog } from '../support/engine-fixtures.ts';
import { describeEachStore } from '../support/stores.ts';

describeEachStore('engine store operations', (get) => {
  let clock: ManualClock;
  beforeEach(async () => {
    clock = new ManualClock();
    const { db } = get().store;
    for (const t of ['outbox', 'inbox', 'dead_letters', 'destination_state'] as const) await db.deleteFrom(t).execute();
  });
  const recorder = (dest = destination(), worker = 'w1') =>
    new CompletionRecorder({ store: get().store, clock, destinations: { d: dest }, worker });
  const claim = (n: number, dest = destination(), worker = 'w1', leaseMs = 10_000) =>
    claimMessages(get().store, 'd', dest, worker, n, clock.now(), leaseMs);
  const enqueueAll = (msgs: ReturnType<typeof message>[]) => get().store.transaction((trx) => enqueue(trx, msgs, clock.now()));

  it('inbox: stores an event once; a redelivery is absorbed, counted, and keeps the first id', async () => {
    const inbox = new Inbox(get().store, clock);
    const e = { source: 'stripe', eventId: 'evt_1', headers: { 'content-type': 'application/json' }, body: '{"a":1}' };
    const [a, b, c] = await Promise.all([inbox.accept(e), inbox.accept(e), inbox.accept({ ...e, eventId: 'evt_2' })]);
    assert.equal(a!.duplicate, false);
    assert.equal(b!.duplicate, true);
    assert.equal(b!.id, a!.id);
    assert.equal(c!.duplicate, false);
    const again = await inbox.accept(e);
    assert.deepEqual(again, { id: a!.id, duplicate: true });
    const row = await get().store.db.selectFrom('inbox').selectAll().where('event_id', '=', 'evt_1').executeTakeFirstOrThrow();
    assert.equal(row.duplicates, 2);
    assert.equal(row.body, '{"a":1}');
    assert.equal(inbox.duplicatesAbsorbed, 2);
  });

  it('outbox: the same idempotency key is enqueued once, whatever happens', async () => {
    assert.equal(await enqueueAll([message('d', 'k', 1), message('d', 'k', 1), message('d', 'k', 2)]), 2);
    assert.equal(await enqueueAll([message('d', 'k', 2)]), 0);
  });

  it('routing: each pending inbox row becomes its messages exactly once; an unroutable one is parked', async () => {
    const router = new Router({
      orders: { eventId: { path: 'id' }, routes: [{ destination: 'd', key: 'order', transform: '{"order": order, "total": $number(total)}' }] },
    });
    const inbox = new Inbox(get().store, clock);
    await inbox.accept({ source: 'orders', eventId: '1', headers: {}, body: '{"id":"1","order":"SO-1","total":"12.5"}' });
    await inbox.accept({ source: 'orders', eventId: '2', headers: {}, body: '{"id":"2","order":"SO-1","total":"abc"}' });
    const processor = new InboxProcessor({ store: get().store, router, clock, log: silentLog, batchSize: 10 });
    assert.equal(await processor.runOnce(), 2);
    assert.equal(await processor.runOnce(), 0);
    const out = await get().store.db.selectFrom('outbox').selectAll().execute();
    assert.equal(out.length, 1);
    assert.equal(out[0]!.key, 'SO-1');
    assert.deepEqual(JSON.parse(out[0]!.payload), { order: 'SO-1', total: 12.5 });
    const dead = await new DeadLetters(get().store, clock).list();
    assert.equal(dead.length, 1);
    assert.equal(dead[0]!.kind, 'inbox');
    assert.match(dead[0]!.reason, /route 0 of source "orders" failed/);
  });

  it('routing at intake: an event and its messages commit together; a duplicate adds nothing; an unroutable one is parked', async () => {
    const router = new Router({
      orders: { eventId: { path: 'id' }, routes: [{ destination: 'd', key: 'order', transform: '{"order": order, "total": $number(total)}' }] },
    });
    const inbox = new Inbox(get().store, clock, { routing: { router, enabled: () => true, log: silentLog } });
    const body = (id: string, total: string) => JSON.stringify({ id, order: 'SO-1', total });
    const [a, dup, c] = await Promise.all([
      inbox.accept({ source: 'orders', eventId: '1', headers: {}, body: body('1', '1') }),
      inbox.accept({ source: 'orders', eventId: '1', headers: {}, body: body('1', '1') }),
      inbox.accept({ source: 'orders', eventId: '3', headers: {}, body: body('3', '3') }),
    ]);
    assert.deepEqual(dup, { id: a!.id, duplicate: true });
    assert.deepEqual(await inbox.accept({ source: 'orders', eventId: '3', headers: {}, body: body('3', '3') }), { id: c!.id, duplicate: true });
    const bad = await inbox.accept({ source: 'orders', eventId: '2', headers: {}, body: body('2', 'abc') });
    const rows = await get().store.db.selectFrom('inbox').select(['id', 'status', 'processed_at', 'duplicates']).orderBy('id').execute();
    assert.deepEqual(rows.map((r) => [Number(r.id), r.status, r.duplicates]), [[a!.id, 'processed', 1], [c!.id, 'processed', 1], [bad.id, 'dead', 0]]);
    assert.equal(rows[0]!.processed_at, clock.now());
    const out = await get().store.db.selectFrom('outbox').selectAll().orderBy('id').execute();
    assert.deepEqual(out.map((m) => [Number(m.inbox_id), m.key, JSON.parse(m.payload).total, m.status]), [[a!.id, 'SO-1', 1, 'pending'], [c!.id, 'SO-1', 3, 'pending']]);
    const processor = new InboxProcessor({ store: get().store, router, clock, log: silentLog, batchSize: 10 });
    assert.equal(await processor.runOnce(), 0, 'nothing left for the routing pass');
    const dead = await new DeadLetters(get().store, clock).list();
    assert.deepEqual(dead.map((d) => [d.kind, d.messageId]), [['inbox', bad.id]]);
    assert.match(dead[0]!.reason, /route 0 of source "orders" failed/);
  });

  it('routing at intake waits while older events of the source are pending, so per-key order holds', async () => {
    const router = new Router({ orders: { eventId: { path: 'id' }, routes: [{ destination: 'd', key: 'order' }] } });
    let enabled = false;
    const inbox = new Inbox(get().store, clock, { routing: { router, enabled: () => enabled, log: silentLog } });
    const accept = (id: string) => inbox.accept({ source: 'orders', eventId: id, headers: {}, body: JSON.stringify({ id, order: 'SO-9' }) });
    await accept('1'); // routing off (a flow could react): left for the processor
    enabled = true;
    await accept('2'); // an older event of the source is pending: this one queues behind it
    assert.deepEqual((await get().store.db.selectFrom('inbox').select('status').orderBy('id').execute()).map((r) => r.status), ['pending', 'pending']);
    assert.equal((await get().store.db.selectFrom('outbox').select('id').execute()).length, 0);
    await new InboxProcessor({ store: get().store, router, clock, log: silentLog, batchSize: 10 }).runOnce();
    await accept('3'); // drained: routed at intake
    const out = await get().store.db.selectFrom('outbox').select('payload').orderBy('id').execute();
    assert.deepEqual(out.map((m) => JSON.parse(m.payload).id), ['1', '2', '3']);
    assert.deepEqual((await get().store.db.selectFrom('inbox').select('status').orderBy('id').execute()).map((r) => r.status), ['processed', 'processed', 'processed']);
  });

  it('claims only the head of each business key, different keys side by side, in order', async () => {
    await enqueueAll([message('d', 'A', 1), message('d', 'A', 2), message('d', 'B', 3), message('d', 'A', 4), message('d', 'B', 5)]);
    const first = await claim(10);
    assert.deepEqual(first.messages.map((m) => JSON.parse(m.payload).n), [1, 3]);
    assert.equal((await claim(10)).messages.length, 0, 'nothing more while heads are in flight');
    await recorder().record({ message: first.messages[0]!, outcome: { ok: true } });
    assert.deepEqual((await claim(10)).messages.map((m) => JSON.parse(m.payload).n), [2]);
  });

  it('a hot key at the front does not hide the other keys, and every claimed message is handed out', async () => {
    await enqueueAll([...Array.from({ length: 40 }, (_, i) => message('d', 'HOT', `h${i}`)), ...Array.from({ length: 10 }, (_, i) => message('d', `k${i}`, i))]);
    const { messages } = await claim(8);
    assert.equal(messages.length, 8);
    assert.equal(messages[0]!.key, 'HOT');
    assert.deepEqual(messages.slice(1).map((m) => m.key), ['k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6']);
    const delivering = await get().store.db.selectFrom('outbox').select('id').where('status', '=', 'delivering').execute();
    assert.deepEqual(delivering.map((r) => Number(r.id)).sort((a, b) => a - b), messages.map((m) => m.id));
  });

  it('a claim holds a lease; when it expires another worker takes over and the first is fenced out', async () => {
    await enqueueAll([message('d', 'A', 1)]);
    const mine = (await claim(1, destination(), 'w1', 5_000)).messages[0]!;
    assert.equal((await claim(1, destination(), 'w2')).messages.length, 0);
    clock.advance(5_001);
    const theirs = (await claim(1, destination(), 'w2')).messages[0]!;
    assert.equal(theirs.id, mine.id);
    assert.equal(theirs.attempt, 2);
    assert.equal(await recorder(destination(), 'w1').record({ message: mine, outcome: { ok: true } }), 'lost-lease');
    assert.equal(await recorder(destination(), 'w2').record({ message: theirs, outcome: { ok: true } }), 'delivered');
  });

  it('the concurrency cap is shared by all workers', async () => {
    await enqueueAll([1, 2, 3, 4, 5].map((n) => message('d', `k${n}`, n)));
    const dest = destination({ concurrency: 2 });
    assert.equal((await claim(10, dest, 'w1')).messages.length, 2);
    assert.equal((await claim(10, dest, 'w2')).messages.length, 0);
  });

  it('long-lived claimers (short path: PostgreSQL one call of a stored function, SQLite straight on the connection) keep the shared cap, key order and leases; a paused destination still blocks', async () => {
    const store = get().store;
    let shortPaths = 0;
    // Counts each store's short path (PostgreSQL's session, SQLite's synchronous transaction), to show it is the one these claims take.
    const counted = new Proxy(store, {
      get(target, prop) {
        if ((prop === 'withSession' || prop === 'syncTransaction') && target[prop] !== undefined) {
          return (...args: unknown[]) => {
            shortPaths += 1;
            return (target[prop] as (...a: unknown[]) => unknown).apply(target, args);
          };
        }
        const v = Reflect.get(target, prop, target) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    await enqueueAll([message('d', 'A', 1), message('d', 'A', 2), ...[3, 4, 5, 6, 7].map((n) => message('d', `k${n}`, n))]);
    const dest = destination({ concurrency: 4 });
    const w1 = new Claimer(counted, 'd', dest, 'w1', 10_000);
    const w2 = new Claimer(counted, 'd', dest, 'w2', 10_000);
    assert.deepEqual((await w1.claim(1, clock.now())).messages.map((m) => JSON.parse(m.payload).n), [1]);
    assert.deepEqual((await w2.claim(1, clock.now())).messages.map((m) => JSON.parse(m.payload).n), [3]);
    const [a, b] = await Promise.all([w1.claim(10, clock.now()), w2.claim(10, clock.now())]);
    const both = [...a.messages, ...b.messages];
    assert.equal(both.length, 2, 'two more fit under the cap of 4, shared by both workers');
    assert.ok(!both.some((m) => m.key === 'A'), 'A:2 waits behind A:1, in flight');
    assert.ok(both.every((m) => m.attempt === 1));
    const rows = await store.db.selectFrom('outbox').select(['id', 'lease_owner']).where('status', '=', 'delivering').execute();
    assert.equal(rows.length, 4);
    for (const m of a.messages) assert.equal(rows.find((r) => Number(r.id) === m.id)?.lease_owner, 'w1');
    for (const m of b.messages) assert.equal(rows.find((r) => Number(r.id) === m.id)?.lease_owner, 'w2');
    assert.equal(shortPaths, 2, 'the later claims took the short path');
    assert.deepEqual(await w1.claim(10, clock.now()), { messages: [], blockedUntil: 0 }, 'the cap is full: nothing claimed, nothing blocked');
    assert.equal(shortPaths, 3, 'a full cap is answered by the short path itself');
    await store.db.updateTable('destination_state').set({ paused_until: clock.now() + 5_000 }).where('destination', '=', 'd').execute();
    await recorder(dest).record({ message: both[0]!, outcome: { ok: true } });
    const paused = await w1.claim(10, clock.now());
    assert.deepEqual([paused.messages.length, paused.blockedUntil], [0, clock.now() + 5_000]);
  });

  it('two first claims of one claimer side by side both go through (the second waits for the state row the first inserts)', async () => {
    await enqueueAll([1, 2, 3, 4].map((n) => message('d', `k${n}`, n)));
    const c = new Claimer(get().store, 'd', destination(), 'w1', 10_000);
    const [a, b] = await Promise.all([c.claim(2, clock.now()), c.claim(2, clock.now())]);
    assert.deepEqual([...a.messages, ...b.messages].map((m) => JSON.parse(m.payload).n).sort(), [1, 2, 3, 4]);
  });

  it('a batch of deliveries is marked delivered, fenced by the lease; one to a destination with failures behind it also resets them', async () => {
    const { store } = get();
    await enqueueAll([1, 2, 3].map((n) => message('d', `k${n}`, n)));
    const claimed = (await claim(10)).messages;
    assert.equal(claimed.length, 3);
    // Another worker took the third over (its lease expired).
    await store.db.updateTable('outbox').set({ lease_owner: 'w2' }).where('id', '=', claimed[2]!.id).execute();
    const r = recorder();
    const decisions = await Promise.all(claimed.map((m) => r.record({ message: m, outcome: { ok: true, status: 200 } })));
    assert.deepEqual(decisions, ['delivered', 'delivered', 'lost-lease']);
    const rows = await store.db.selectFrom('outbox').select(['status', 'lease_owner', 'delivered_at']).orderBy('id').execute();
    assert.deepEqual(rows.map((x) => [x.status, x.lease_owner, x.delivered_at]), [['delivered', null, clock.now()], ['delivered', null, clock.now()], ['delivering', 'w2', null]]);

    await store.db.updateTable('destination_state').set({ consecutive_failures: 2 }).where('destination', '=', 'd').execute();
    await enqueueAll([message('d', 'k4', 4)]);
    const [m4] = (await claim(10)).messages;
    assert.equal(await r.record({ message: m4!, outcome: { ok: true } }), 'delivered');
    const state = await store.db.selectFrom('destination_state').select(['consecutive_failures', 'circuit']).where('destination', '=', 'd').executeTakeFirstOrThrow();
    assert.deepEqual([Number(state.consecutive_failures), state.circuit], [0, 'closed']);
  });

  it('the rate limit is a token bucket shared by all workers', async () => {
    await enqueueAll([1, 2, 3, 4, 5, 6].map((n) => message('d', `k${n}`, n)));
    const dest = destination({ rateLimit: { perSecond: 2, burst: 3 } });
    assert.equal((await claim(10, dest, 'w1')).messages.length, 3);
    const blocked = await claim(10, dest, 'w2');
    assert.equal(blocked.messages.length, 0);
    assert.ok(blocked.blockedUntil > clock.now());
    clock.advance(1000);
    assert.equal((await claim(10, dest, 'w2')).messages.length, 2);
  });

  it('a retryable failure is rescheduled with backoff; a permanent one is parked at once', async () => {
    await enqueueAll([message('d', 'A', 1), message('d', 'B', 2)]);
    const [a, b] = (await claim(10)).messages;
    const r = recorder();
    assert.equal(await r.record({ message: a!, outcome: { ok: false, failure: 'retryable', reason: 'HTTP 503', status: 503 } }), 'retry');
    assert.equal(await r.record({ message: b!, outcome: { ok: false, failure: 'permanent', reason: 'HTTP 400', status: 400, response: '{"bad":1}' } }), 'dead');
    const row = await get().store.db.selectFrom('outbox').selectAll().where('id', '=', a!.id).executeTakeFirstOrThrow();
    assert.equal(row.status, 'pending');
    assert.ok(row.next_attempt_at >= clock.now() && row.next_attempt_at <= clock.now() + 100);
    const [dl] = await new DeadLetters(get().store, clock).list();
    assert.equal(dl!.lastStatus, 400);
    assert.equal(dl!.lastResponse, '{"bad":1}');
    assert.equal(dl!.errorClass, 'permanent');
  });

  it('parks a message after its policy\'s attempts', async () => {
    await enqueueAll([message('d', 'A', 1)]);
    const r = recorder();
    for (let attempt = 1; attempt <= 3; attempt++) {
      clock.advance(10_000);
      const [m] = (await claim(1)).messages;
      assert.equal(m!.attempt, attempt);
      const decision = await r.record({ message: m!, outcome: { ok: false, failure: 'retryable', reason: 'HTTP 500', status: 500 } });
      assert.equal(decision, attempt < 3 ? 'retry' : 'dead');
    }
    const [dl] = await new DeadLetters(get().store, clock).list();
    assert.match(dl!.reason, /gave up after 3 attempts/);
  });

  it('a 429 pauses the destination until Retry-After and does not use up an attempt', async () => {
    await enqueueAll([message('d', 'A', 1), message('d', 'B', 2)]);
    const [m] = (await claim(1)).messages;
    assert.equal(await recorder().record({ message: m!, outcome: { ok: false, failure: 'rate-limited', reason: '429', status: 429, retryAfterMs: 4000 } }), 'retry');
    const paused = await claim(10);
    assert.equal(paused.messages.length, 0);
    assert.equal(paused.blockedUntil, clock.now() + 4000);
    clock.advance(3999);
    assert.equal((await claim(10)).messages.length, 0);
    clock.advance(1);
    const again = await claim(10);
    assert.equal(again.messages.find((x) => x.id === m!.id)?.attempt, 1);
  });

  it('the circuit opens after a failure burst and admits one probe after the cooldown', async () => {
    const dest = destination({ circuit: { failureThreshold: 2, cooldownMs: 1000 }, retry: { maxAttempts: 10, maxAgeMs: 1e9, initialDelayMs: 1, maxDelayMs: 1 } });
    await enqueueAll([1, 2, 3, 4].map((n) => message('d', `k${n}`, n)));
    const r = recorder(dest);
    for (const m of (await claim(2, dest)).messages) await r.record({ message: m, outcome: { ok: false, failure: 'retryable', reason: '503' } });
    clock.advance(10);
    assert.equal((await claim(10, dest)).messages.length, 0, 'open');
    clock.advance(1000);
    const probe = await claim(10, dest);
    assert.equal(probe.messages.length, 1, 'half-open: one probe');
    assert.equal((await claim(10, dest)).messages.length, 0, 'only one probe at a time');
    await r.record({ message: probe.messages[0]!, outcome: { ok: true } });
    assert.equal((await claim(10, dest)).messages.length, 3, 'closed again');
  });

  it('dead letters: filter, replay once with the same idempotency key, discard', async () => {
    await enqueueAll([message('d', 'A', 1), message('d', 'B', 2)]);
    const [a, b] = (await claim(10)).messages;
    const r = recorder();
    await r.record({ message: a!, outcome: { ok: false, failure: 'permanent', reason: 'HTTP 422', status: 422 } });
    clock.advance(60_000);
    await r.record({ message: b!, outcome: { ok: false, failure: 'permanent', reason: 'HTTP 404', status: 404 } });
    const dl = new DeadLetters(get().store, clock);
    assert.equal((await dl.list({ destination: 'd' })).length, 2);
    assert.equal((await dl.list({ destination: 'other' })).length, 0);
    assert.equal((await dl.list({ to: clock.now() })).length, 1);
    const [newest] = await dl.list();
    const detail = await dl.get(newest!.id);
    assert.equal(detail.message?.idempotencyKey, b!.idempotencyKey);

    assert.equal(await dl.replay({ ids: [newest!.id] }, 'tester'), 1);
    assert.equal(await dl.replay({ ids: [newest!.id] }, 'tester'), 0, 'a replayed letter cannot be replayed again');
    const replayed = (await claim(10)).messages;
    assert.deepEqual(replayed.map((m) => m.idempotencyKey), [b!.idempotencyKey]);
    assert.equal(replayed[0]!.attempt, 1);
    assert.equal(await dl.discard({ destination: 'd' }, 'tester'), 1);
    assert.equal((await dl.list({ state: 'discarded' }))[0]!.resolvedBy, 'tester');
    await assert.rejects(dl.get(999_999), /no dead letter with id 999999/);
  });

  it('retention prunes delivered messages and processed events after their period, and nothing still owed', async () => {
    await enqueueAll([message('d', 'A', 1), message('d', 'B', 2), message('d', 'C', 3)]);
    const [a, b] = (await claim(2)).messages;
    await recorder().record({ message: a!, outcome: { ok: true } });
    await recorder().record({ message: b!, outcome: { ok: false, failure: 'permanent', reason: 'x' } });
    const inbox = new Inbox(get().store, clock);
    await inbox.accept({ source: 's', eventId: '1', headers: {}, body: '{}' });
    await get().store.db.updateTable('inbox').set({ status: 'processed', processed_at: clock.now() }).execute();
    clock.advance(8 * 86_400_000);
    const removed = await prune(get().store, clock, { deliveredMs: 7 * 86_400_000, processedMs: 7 * 86_400_000 });
    assert.deepEqual(removed, { outbox: 1, inbox: 1 });
    const left = await get().store.db.selectFrom('outbox').select('status').orderBy('id').execute();
    assert.deepEqual(left.map((r) => r.status), ['dead', 'pending']);
  });

  it('retention finds delivered messages through the partial delivered_at index, not a table scan', async () => {
    const { store } = get();
    const text = `SELECT id FROM outbox WHERE status IN ('delivered', 'discarded') AND delivered_at < ${store.dialect === 'sqlite' ? '?' : '$1'} LIMIT 5000`;
    let plan: string[];
    if (store.dialect === 'sqlite') {
      const { rows } = await store.db.executeQuery<{ detail: string }>(CompiledQuery.raw(`EXPLAIN QUERY PLAN ${text}`, [clock.now()]));
      plan = rows.map((r) => r.detail);
    } else {
      // An empty table makes a sequential scan cheapest; forbidding it shows whether the index can answer.
      const { rows } = await store.transaction(async (trx) => {
        await sql`SET LOCAL enable_seqscan = off`.execute(trx);
        return trx.executeQuery<{ 'QUERY PLAN': string }>(CompiledQuery.raw(`EXPLAIN ${text}`, [clock.now()]));
      });
      plan = rows.map((r) => r['QUERY PLAN']);
    }
    assert.ok(plan.some((line) => line.includes('outbox_delivered_at')), plan.join('\n'));
    assert.ok(!plan.some((line) => /^SCAN |Seq Scan/.test(line.trim())), plan.join('\n'));
  });
});
