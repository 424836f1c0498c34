/**
 * Lineage precision and cost, on both stores, from a journal written the way the engine writes
 * it: two deals of one account share a NetSuite customer, a Stripe customer and a price, and a
 * NetSuite invoice number equals the other deal's sales order number. The lineage of each deal is
 * exactly its own chain (its runs, the billing and renewal runs about what it created, the renewal
 * deal's run, the event that started it, the messages its steps sent); an event's routed message
 * is found without any trace; and no query lineage makes scans a whole table.
 */
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { CompiledQuery, sql, type KyselyPlugin, type RootOperationNode } from 'kysely';
import { stepMessageKey } from '../../src/engine/flows/replay-context.ts';
import { lineageOf, type Lineage } from '../../src/observability/lineage/lineage.ts';
import { RUN_KEY_STEP } from '../../src/observability/lineage/refs.ts';
import type { Store } from '../../src/store/store.ts';
import { describeEachStore } from '../support/stores.ts';

const T0 = Date.UTC(2026, 0, 5, 9);
// Salesforce ids whose case-safe suffixes check out (see ids.ts), so they are recognised as such.
const OPP_A = '006Hs00000000AAIAY';
const OPP_B = '006Hs00000000ABIAY';
const OPP_RENEWAL = '006Hs00000000ACIAY';
const tp = (n: number) => `00-${n.toString(16).padStart(32, 'a')}-${n.toString(16).padStart(16, 'b')}-01`;

type Ref = [step: string, relation: 'read' | 'wrote', system: string, type: string, id: string];

async function run(store: Store, flow: string, key: string, traceparent: string | null, refs: Ref[], steps: string[] = [], input: unknown = {}): Promise<number> {
  const { id } = await store.db
    .insertInto('flow_runs')
    .values({ flow, version: 1, key, status: 'completed', input: JSON.stringify(input), created_at: T0, updated_at: T0, ended_at: T0, traceparent } as never)
    .returning('id')
    .executeTakeFirstOrThrow();
  const runId = Number(id);
  const names = [...new Set([...refs.map((r) => r[0]).filter((s) => s !== RUN_KEY_STEP), ...steps])];
  for (const [seq, name] of names.entries()) {
    await store.db.insertInto('flow_steps').values({ run_id: runId, name, seq, kind: 'run', status: 'completed', attempts: 1, result: 'null', started_at: T0, ended_at: T0 } as never).execute();
  }
  const rows = refs.map(([step, relation, system, type, external_id]) => ({ system, type, external_id, run_id: runId, step, relation, at: T0 }));
  if (rows.length > 0) await store.db.insertInto('lineage_refs').values(rows).execute();
  return runId;
}

async function event(store: Store, eventId: string, headers: Record<string, string>, source = 'salesforce'): Promise<number> {
  const { id } = await store.db
    .insertInto('inbox')
    .values({ source, event_id: eventId, received_at: T0, headers: JSON.stringify(headers), body: '{"type":"opportunity.closed-won"}', status: 'processed', attempts: 1, duplicates: 0 } as never)
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(id);
}

async function message(store: Store, idempotencyKey: string, inboxId: number | null, status = 'delivered'): Promise<number> {
  const { id } = await store.db
    .insertInto('outbox')
    .values({ destination: 'ledger', key: 'k', idempotency_key: idempotencyKey, payload: '{}', headers: '{}', status, attempts: 1, next_attempt_at: T0, created_at: T0, inbox_id: inboxId } as never)
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(id);
}

const runsOf = (l: Lineage | undefined) => new Set(l?.nodes.filter((n) => n.kind === 'run').map((n) => n.key));
const keysOf = (l: Lineage | undefined, kind: string) => new Set(l?.nodes.filter((n) => n.kind === kind).map((n) => n.key));

describeEachStore('lineage of one record', (get) => {
  const r: Record<string, number> = {};
  const m: Record<string, number> = {};
  const e: Record<string, number> = {};

  before(async () => {
    const { store } = get();
    const deal = (opp: string, so: string, sub: string): Ref[] => [
      [RUN_KEY_STEP, 'read', 'salesforce', 'Opportunity', opp],
      ['read-opportunity', 'read', 'salesforce', 'Opportunity', opp],
      ['read-opportunity', 'read', 'salesforce', 'Account', '001Hs00000000AAIAY'],
      ['netsuite-customer', 'wrote', 'netsuite', 'customer', '7'],
      ['netsuite-sales-order', 'wrote', 'netsuite', 'salesOrder', so],
      ['stripe-customer', 'wrote', 'stripe', 'customer', 'cus_SharedCustomer1'],
      ['stripe-prices', 'wrote', 'stripe', 'price', 'price_SharedPrice123'],
      ['stripe-subscription', 'wrote', 'stripe', 'subscription', sub],
    ];
    // A run started by an event has the event's body as its input, and the event's traceparent.
    r.a1 = await run(store, 'lead-to-order', OPP_A, tp(1), deal(OPP_A, '12', 'sub_DealAsubscription'), ['notify'], { id: `evt-a:${OPP_A}`, type: 'opportunity.closed-won' });
    r.b1 = await run(store, 'lead-to-order', OPP_B, tp(2), deal(OPP_B, '13', 'sub_DealBsubscription'), ['notify'], { id: `evt-b:${OPP_B}`, type: 'opportunity.closed-won' });
    const billing = (opp: string, sub: string, invoice: string): Ref[] => [
      [RUN_KEY_STEP, 'read', 'stripe', 'customer', 'cus_SharedCustomer1'],
      ['check-stale', 'wrote', 'stripe', 'invoice', `in_${sub.slice(4)}`],
      ['find-deal', 'read', 'salesforce', 'Opportunity', opp],
      ['find-deal', 'read', 'stripe', 'subscription', sub],
      ['netsuite-invoice', 'wrote', 'netsuite', 'invoice', invoice],
    ];
    // A's invoice is NetSuite record 13, like B's sales order: same number, another record.
    r.a2 = await run(store, 'billing-feedback', 'cus_SharedCustomer1', tp(3), billing(OPP_A, 'sub_DealAsubscription', '13'));
    r.b2 = await run(store, 'billing-feedback', 'cus_SharedCustomer1', tp(4), billing(OPP_B, 'sub_DealBsubscription', '14'));
    r.a3 = await run(store, 'renewals', 'sub_DealAsubscription', tp(5), [
      [RUN_KEY_STEP, 'read', 'stripe', 'subscription', 'sub_DealAsubscription'],
      ['read-deal', 'read', 'salesforce', 'Opportunity', OPP_A],
      ['salesforce-renewal', 'wrote', 'salesforce', 'Opportunity', OPP_RENEWAL],
    ]);
    r.renewal = await run(store, 'lead-to-order', OPP_RENEWAL, tp(6), [[RUN_KEY_STEP, 'read', 'salesforce', 'Opportunity', OPP_RENEWAL]]);
    e.a = await event(store, `evt-a:${OPP_A}`, { traceparent: tp(1) });
    e.b = await event(store, `evt-b:${OPP_B}`, { traceparent: tp(2) });
    // Another source's event with A's event id, in another trace: not the one that started A's run.
    e.twin = await event(store, `evt-a:${OPP_A}`, { traceparent: tp(9) }, 'stripe');
    // An event routed to a destination with tracing off: no traceparent anywhere.
    e.routed = await event(store, 'order-routed-1', {});
    m.routed = await message(store, 'ilk_routed_1', e.routed);
    await store.db
      .insertInto('dead_letters')
      .values({ kind: 'delivery', message_id: m.routed, destination: 'ledger', error_class: 'permanent', reason: 'HTTP 422', attempts: 1, parked_at: T0 + 1000, state: 'replayed', resolved_at: T0 + 5000, resolved_by: 'ops laptop (key:k1)' } as never)
      .execute();
    m.a0 = await message(store, stepMessageKey(r.a1, 'notify', 0), null);
    m.a1 = await message(store, stepMessageKey(r.a1, 'notify', 1), null, 'pending');
    m.b0 = await message(store, stepMessageKey(r.b1, 'notify', 0), null);
  });

  it('lists exactly the chain of a deal: its runs, the runs about what it created, its event and its messages', async () => {
    const a = await lineageOf(get().store, OPP_A);
    assert.deepEqual(runsOf(a), new Set([`run:${r.a1}`, `run:${r.a2}`, `run:${r.a3}`, `run:${r.renewal}`]));
    assert.deepEqual(keysOf(a, 'event'), new Set([`event:${e.a}`]));
    assert.deepEqual(keysOf(a, 'message'), new Set([`message:${m.a0}`, `message:${m.a1}`]));
    assert.ok(a?.edges.some((x) => x.from === `event:${e.a}` && x.to === `run:${r.a1}` && x.relation === 'caused'));
    assert.ok(a?.edges.some((x) => x.from === `run:${r.a1}` && x.to === `message:${m.a1}` && x.relation === 'caused'));
    const records = keysOf(a, 'record');
    assert.ok(records.has('stripe:subscription:sub_DealAsubscription') && records.has('netsuite:invoice:13') && records.has(`salesforce:Opportunity:${OPP_RENEWAL}`));
    assert.ok(!records.has('stripe:subscription:sub_DealBsubscription') && !records.has('netsuite:salesOrder:13'), 'nothing of the other deal');

    const b = await lineageOf(get().store, OPP_B);
    assert.deepEqual(runsOf(b), new Set([`run:${r.b1}`, `run:${r.b2}`]));
    assert.deepEqual(keysOf(b, 'message'), new Set([`message:${m.b0}`]));
  });

  it('leads from a subscription or an invoice to the deal it came from and what it caused, and not to the other deal', async () => {
    const sub = await lineageOf(get().store, 'sub_DealAsubscription');
    assert.deepEqual(runsOf(sub), new Set([`run:${r.a1}`, `run:${r.a2}`, `run:${r.a3}`, `run:${r.renewal}`]));
    const invoice = await lineageOf(get().store, 'in_DealAsubscription');
    assert.deepEqual(runsOf(invoice), new Set([`run:${r.a2}`, `run:${r.a1}`]), 'the invoice came from the deal that made its subscription');
    const run = await lineageOf(get().store, `run:${r.b2}`);
    assert.deepEqual(runsOf(run), new Set([`run:${r.b2}`, `run:${r.b1}`]));
  });

  it('finds the message routed from an event by the event id, with no trace to join on', async () => {
    const l = await lineageOf(get().store, 'order-routed-1');
    assert.deepEqual(keysOf(l, 'event'), new Set([`event:${e.routed}`]));
    const msg = l?.nodes.find((n) => n.key === `message:${m.routed}`);
    assert.equal(msg?.status, 'delivered');
    assert.ok(l?.edges.some((x) => x.from === `event:${e.routed}` && x.to === `message:${m.routed}` && x.relation === 'caused'));
    // With no trace recorded, the timeline is the store's own history of the event and its message.
    assert.deepEqual(l?.timeline.map((t) => t.name), ['event salesforce order-routed-1', 'deliver to ledger', 'parked as dead letter #1: HTTP 422', 'replayed by ops laptop (key:k1)']);
  });

  it('answers every lookup from an index: no query scans a whole table', async () => {
    const { store } = get();
    const seen: Array<{ node: RootOperationNode; queryId: unknown }> = [];
    const spy: KyselyPlugin = {
      transformQuery: (args) => {
        seen.push({ node: args.node, queryId: args.queryId });
        return args.node;
      },
      transformResult: async (args) => args.result,
    };
    const spied = Object.assign(Object.create(Object.getPrototypeOf(store) as object) as Store, store, { db: store.db.withPlugin(spy) });
    for (const id of [OPP_A, 'order-routed-1', 'sub_DealAsubscription', `run:${r.a1}`]) assert.ok(await lineageOf(spied, id));
    assert.ok(seen.length > 5);
    const executor = store.db.getExecutor();
    for (const q of seen) {
      const compiled = executor.compileQuery(q.node, q.queryId as never);
      if (store.dialect === 'sqlite') {
        const plan = await store.db.executeQuery<{ detail: string }>(CompiledQuery.raw(`EXPLAIN QUERY PLAN ${compiled.sql}`, [...compiled.parameters]));
        const scans = plan.rows.map((p) => p.detail).filter((d) => /^SCAN /.test(d));
        assert.deepEqual(scans, [], compiled.sql);
      } else {
        // Tiny tables make a sequential scan cheapest; forbidding it shows whether an index can answer.
        const plan = await store.transaction(async (trx) => {
          await sql`SET LOCAL enable_seqscan = off`.execute(trx);
          return trx.executeQuery<{ 'QUERY PLAN': string }>(CompiledQuery.raw(`EXPLAIN ${compiled.sql}`, [...compiled.parameters]));
        });
        const scans = plan.rows.map((p) => p['QUERY PLAN']).filter((d) => /Seq Scan/.test(d));
        assert.deepEqual(scans, [], compiled.sql);
      }
    }
  });
});
