/**
 * Renewals and amendments end to end against the sandboxes, on both stores: a deal is booked by
 * lead-to-order, its subscription is renewed (`/__sandbox/advance`), amended and cancelled in
 * Stripe, and the subscription events Stripe sent are run through the flow — the test reads back
 * the renewal and amendment opportunities and statuses in Salesforce and the sales order in
 * NetSuite, through duplicate deliveries, an out-of-order older event, lost NetSuite answers and
 * a Stripe 429 burst.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { getSalesOrder } from '../../src/connectors/netsuite/actions/get-sales-order.ts';
import { queryRecords } from '../../src/connectors/salesforce/actions/query-records.ts';
import { ensurePrice } from '../../src/connectors/stripe/actions/ensure-price.ts';
import { updateSubscriptionItems } from '../../src/connectors/stripe/actions/update-subscription-items.ts';
import type { StripeSubscription } from '../../src/connectors/stripe/types.ts';
import { systemClock } from '../../src/core/clock.ts';
import { loadConfig } from '../../src/core/config.ts';
import { Engine } from '../../src/engine/engine.ts';
import { FlowRegistry } from '../../src/engine/flows/registry.ts';
import type { LeadToOrderDeps } from '../../src/flows/lead-to-order/deps.ts';
import { leadToOrderFlow } from '../../src/flows/lead-to-order/flow.ts';
import type { LeadToOrderResult } from '../../src/flows/lead-to-order/flow.ts';
import { advanceStripe, drive, opportunityId, patchRecord, stripeEvents } from '../../src/flows/lead-to-order/test-support.ts';
import type { Sandboxes, StripeEventBody } from '../../src/flows/lead-to-order/test-support.ts';
import { renewalsFlow } from '../../src/flows/renewals/flow.ts';
import type { RenewalsApplied, RenewalsFlowOptions, RenewalsResult } from '../../src/flows/renewals/flow.ts';
import { silentLog } from '../support/engine-fixtures.ts';
import { eventually } from '../support/engine-harness.ts';
import { describeEachStore } from '../support/stores.ts';
import { testRuntime, unique, withSandboxes } from './flow-harness.ts';

interface FollowUp {
  Id: string;
  Type: string;
  Amount: number;
  StageName: string;
  CloseDate: string;
  External_Id__c: string;
  Description: string | null;
  Integration_Status__c: string;
}

describeEachStore('renewals and amendments against the sandboxes', (get) => {
  let sandboxes: Sandboxes;
  let deps: LeadToOrderDeps;
  withSandboxes((s, d) => {
    sandboxes = s;
    deps = d;
  });

  const runtime = (options: Partial<RenewalsFlowOptions> = {}) => {
    const l2o = unique('l2o');
    const renewals = unique('renewals');
    const t = testRuntime(get().store, [leadToOrderFlow(deps, { name: l2o }), renewalsFlow(deps, { store: get().store, name: renewals, ...options })]);
    return { ...t, l2o, renewals };
  };

  const book = async (t: ReturnType<typeof runtime>) => {
    const id = await opportunityId(deps.salesforce, 'Initech - Support Upgrade');
    await patchRecord(deps.salesforce, 'Opportunity', id, { StageName: 'Closed Won' });
    const run = await drive(t.rt, t.clock, (await t.rt.start(t.l2o, { key: id })).runId);
    assert.equal(run.status, 'completed', run.error ?? '');
    return { opportunityId: id, subscriptionId: (run.output as LeadToOrderResult).stripeSubscriptionId ?? '' };
  };

  const feed = async (t: ReturnType<typeof runtime>, event: StripeEventBody) => {
    const started = await t.rt.start(t.renewals, { key: event.data.object.id, input: event });
    return drive(t.rt, t.clock, started.runId);
  };

  const subscriptionEvents = async (type: string, subscriptionId: string) => stripeEvents(deps.stripe, type, (o) => o.id === subscriptionId);
  const renewalEvent = async (subscriptionId: string) => {
    const all = await subscriptionEvents('customer.subscription.updated', subscriptionId);
    return all.find((e) => typeof e.data.previous_attributes?.['current_period_start'] === 'number');
  };

  const followUps = async (original: string): Promise<FollowUp[]> => {
    const out: FollowUp[] = [];
    const soql = `SELECT Id, Type, Amount, StageName, CloseDate, External_Id__c, Description, Integration_Status__c FROM Opportunity WHERE Renewal_Of__c = '${original}' ORDER BY CloseDate`;
    for await (const r of queryRecords(deps.salesforce, { soql })) out.push(r as unknown as FollowUp);
    return out;
  };
  const subscriptionStatus = async (id: string) =>
    (await deps.salesforce.rest<{ Subscription_Status__c: string | null }>({ method: 'GET', path: `sobjects/Opportunity/${id}`, query: { fields: 'Subscription_Status__c' } })).body.Subscription_Status__c;
  const orderFields = async (id: string) => (await getSalesOrder(deps.netsuite, { externalId: id })) as unknown as Record<string, unknown> & Awaited<ReturnType<typeof getSalesOrder>>;

  it('makes one renewal opportunity per period and extends the sales order, even when the renewal is delivered twice', async () => {
    const t = runtime();
    const deal = await book(t);
    const [renewed] = await advanceStripe(sandboxes.stripe, { subscription: deal.subscriptionId });
    assert.ok(renewed);
    const event = await renewalEvent(deal.subscriptionId);
    assert.ok(event, 'Stripe sent the renewal');
    const run = await feed(t, event);
    assert.equal(run.status, 'completed', run.error ?? '');
    const out = run.output as RenewalsApplied;
    assert.deepEqual(out.changes, ['renewal']);

    // A second delivery of the same renewal (as a re-sent webhook with a new id would be).
    const again = await feed(t, { ...event, id: `${event.id}_resent` });
    assert.equal(again.status, 'completed', again.error ?? '');
    assert.equal((again.output as RenewalsApplied).renewalOpportunityId, out.renewalOpportunityId);

    const made = await followUps(deal.opportunityId);
    assert.equal(made.length, 1);
    const start = new Date(renewed.current_period_start * 1000).toISOString().slice(0, 10);
    assert.deepEqual(
      { type: made[0]?.Type, stage: made[0]?.StageName, close: made[0]?.CloseDate, amount: made[0]?.Amount, ext: made[0]?.External_Id__c, synced: made[0]?.Integration_Status__c },
      { type: 'Renewal', stage: 'Closed Won', close: start, amount: 3600, ext: `stripe-renewal:${deal.subscriptionId}:${renewed.current_period_start}`, synced: 'Synced' },
    );
    const order = await orderFields(deal.opportunityId);
    const end = (await deps.stripe.get<StripeSubscription>(`subscriptions/${deal.subscriptionId}`)).current_period_end ?? 0;
    assert.equal(order['endDate'], new Date(end * 1000).toISOString().slice(0, 10));
    assert.equal(order['custbody_interlock_subscription_status'], 'active');
    assert.equal(await subscriptionStatus(deal.opportunityId), 'active');
  });

  it('takes subscription events from the engine inbox: duplicates absorbed, one renewal opportunity', async () => {
    const t = runtime();
    const deal = await book(t);
    await advanceStripe(sandboxes.stripe, { subscription: deal.subscriptionId });
    const config = loadConfig({ values: { worker: { poll: '50ms', lease: '30s' }, sources: { stripe: { eventId: { path: 'id' } } } }, env: {} });
    const flows = new FlowRegistry().register(renewalsFlow(deps, { store: get().store, name: t.renewals }));
    const engine = new Engine({ store: get().store, config, clock: systemClock, log: silentLog, flows });
    await engine.startWorker();
    try {
      const event = await renewalEvent(deal.subscriptionId);
      assert.ok(event);
      for (const e of [event, event]) await engine.inbox.accept({ source: 'stripe', eventId: e.id, headers: {}, body: JSON.stringify(e) });
      assert.ok(await eventually(async () => (await engine.flows.runs.list({ flow: t.renewals, status: 'completed' })).length === 1));
      assert.equal((await engine.flows.runs.list({ flow: t.renewals })).length, 1);
      assert.equal((await followUps(deal.opportunityId)).filter((o) => o.Type === 'Renewal').length, 1);
    } finally {
      await engine.stop();
    }
  });

  it('skips an older subscription event that arrives after a newer one, with the reason in the run', async () => {
    const t = runtime();
    const deal = await book(t);
    const older = (await subscriptionEvents('customer.subscription.updated', deal.subscriptionId))[0];
    assert.ok(older, 'the update Stripe sent when the first invoice was paid');
    await advanceStripe(sandboxes.stripe, { subscription: deal.subscriptionId, paymentOutcome: 'fail' });
    const newer = (await subscriptionEvents('customer.subscription.updated', deal.subscriptionId)).at(-1);
    assert.equal(newer?.data.object['status'], 'past_due');
    assert.equal((await feed(t, newer!)).status, 'completed');
    assert.equal(await subscriptionStatus(deal.opportunityId), 'past_due');

    const late = await feed(t, older);
    assert.equal(late.status, 'completed');
    const out = late.output as RenewalsResult;
    assert.equal(out.status, 'skipped');
    assert.match(JSON.stringify(late.steps.find((s) => s.name === 'check-stale')?.result), /skipped: stale/);
    assert.deepEqual(late.steps.map((s) => s.name), ['check-stale']);
    // What the newer event wrote stands.
    assert.equal(await subscriptionStatus(deal.opportunityId), 'past_due');
    assert.equal((await orderFields(deal.opportunityId))['custbody_interlock_subscription_status'], 'past_due');
  });

  it('records an amendment in Salesforce and brings the sales order lines to the subscription, once, through lost answers and 429s', async () => {
    const t = runtime({ retry: { maxAttempts: 40 } });
    const deal = await book(t);
    const sub = await deps.stripe.get<StripeSubscription>(`subscriptions/${deal.subscriptionId}`);
    const seats = await ensurePrice(deps.stripe, { lookupKey: 'test_seat_addon_month', productName: 'Seats', sku: 'SEAT-ADDON', currency: 'usd', unitAmount: 2500, recurring: { interval: 'month' }, idempotencyKey: unique('price') });
    await updateSubscriptionItems(deps.stripe, {
      subscriptionId: deal.subscriptionId,
      items: [{ id: sub.items.data[0]?.id ?? '', quantity: 15 }, { price: seats.price.id, quantity: 4 }],
      idempotencyKey: unique('amend'),
    });
    const event = (await subscriptionEvents('customer.subscription.updated', deal.subscriptionId)).at(-1);
    assert.ok(event?.data.previous_attributes?.['items']);
    sandboxes.netsuite.faults.patch({ dropResponseRate: 0.3 });
    sandboxes.stripe.faults.patch({ rateLimit: { burst: 3 } });
    const run = await feed(t, event);
    sandboxes.netsuite.faults.reset();
    sandboxes.stripe.faults.reset();
    assert.equal(run.status, 'completed', run.error ?? '');
    assert.deepEqual((run.output as RenewalsApplied).changes, ['amendment']);
    assert.ok((run.steps.find((s) => s.name === 'netsuite-amendment')?.attempts ?? 0) > 1, 'the 429s were retried');
    // Replayed (a re-sent event): nothing more is made.
    assert.equal((await feed(t, { ...event, id: `${event.id}_resent` })).status, 'completed');

    const made = await followUps(deal.opportunityId);
    assert.equal(made.length, 1);
    assert.equal(made[0]?.Type, 'Amendment');
    // 3 more support seats at 300 and 4 seats at 25, per month.
    assert.equal(made[0]?.Amount, 3 * 300 + 4 * 25);
    assert.equal(made[0]?.Description, 'SUPPORT-PREM: 12 → 15 at 300.00\nSEAT-ADDON: added 4 at 25.00');
    const lines = (await orderFields(deal.opportunityId)).item.items.filter((l) => l.isClosed !== true);
    assert.deepEqual(lines.map((l) => [l.item.refName, l.quantity, l.rate]).sort(), [['SEAT-ADDON', 4, 25], ['SUPPORT-PREM', 15, 300]]);
  });

  it('writes a cancelled subscription back to the opportunity and the sales order', async () => {
    const t = runtime();
    const deal = await book(t);
    await deps.stripe.delete(`subscriptions/${deal.subscriptionId}`);
    const [deleted] = await subscriptionEvents('customer.subscription.deleted', deal.subscriptionId);
    assert.ok(deleted);
    const run = await feed(t, deleted);
    assert.equal(run.status, 'completed', run.error ?? '');
    assert.deepEqual((run.output as RenewalsApplied).changes, ['ended', 'status']);
    assert.equal(await subscriptionStatus(deal.opportunityId), 'canceled');
    assert.equal((await orderFields(deal.opportunityId))['custbody_interlock_subscription_status'], 'canceled');
    // An update from before the cancellation, arriving now, is stale.
    const before = (await subscriptionEvents('customer.subscription.updated', deal.subscriptionId)).at(-1);
    assert.ok(before);
    assert.equal(((await feed(t, before)).output as RenewalsResult).status, 'skipped');
    assert.equal(await subscriptionStatus(deal.opportunityId), 'canceled');
  });
});
