/**
 * Billing feedback end to end against the sandboxes, on both stores: a deal is booked by
 * lead-to-order, Stripe bills it, and the invoice events Stripe sent are run through the flow —
 * the test reads back the NetSuite invoice and payment and the Salesforce billing fields, through
 * a declined renewal and its later payment, a stale event delivered late, the engine inbox with
 * duplicate deliveries, and lost NetSuite answers with a Stripe 429 burst.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { getInvoice } from '../../src/connectors/netsuite/actions/get-invoice.ts';
import { systemClock } from '../../src/core/clock.ts';
import { loadConfig } from '../../src/core/config.ts';
import { Engine } from '../../src/engine/engine.ts';
import { FlowRegistry } from '../../src/engine/flows/registry.ts';
import { billingFeedbackFlow } from '../../src/flows/billing-feedback/flow.ts';
import type { BillingFeedbackApplied, BillingFeedbackFlowOptions, BillingFeedbackResult } from '../../src/flows/billing-feedback/flow.ts';
import type { LeadToOrderDeps } from '../../src/flows/lead-to-order/deps.ts';
import { leadToOrderFlow } from '../../src/flows/lead-to-order/flow.ts';
import type { LeadToOrderResult } from '../../src/flows/lead-to-order/flow.ts';
import {
  advanceStripe,
  billingFields,
  drive,
  opportunityId,
  patchRecord,
  stripeEvents,
  transactionsByExternalId,
} from '../../src/flows/lead-to-order/test-support.ts';
import type { Sandboxes, StripeEventBody } from '../../src/flows/lead-to-order/test-support.ts';
import { silentLog } from '../support/engine-fixtures.ts';
import { eventually } from '../support/engine-harness.ts';
import { describeEachStore } from '../support/stores.ts';
import { testRuntime, unique, withSandboxes } from './flow-harness.ts';

describeEachStore('billing feedback against the sandboxes', (get) => {
  let sandboxes: Sandboxes;
  let deps: LeadToOrderDeps;
  withSandboxes((s, d) => {
    sandboxes = s;
    deps = d;
  });

  /** Lead-to-order and billing feedback under fresh names on one runtime. */
  const runtime = (options: Partial<BillingFeedbackFlowOptions> = {}) => {
    const l2o = unique('l2o');
    const billing = unique('billing');
    const t = testRuntime(get().store, [leadToOrderFlow(deps, { name: l2o }), billingFeedbackFlow(deps, { store: get().store, name: billing, ...options })]);
    return { ...t, l2o, billing };
  };

  /** Books a seeded deal through lead-to-order; answers its ids. */
  const book = async (t: ReturnType<typeof runtime>, name = 'Initech - Support Upgrade') => {
    const id = await opportunityId(deps.salesforce, name);
    await patchRecord(deps.salesforce, 'Opportunity', id, { StageName: 'Closed Won' });
    const run = await drive(t.rt, t.clock, (await t.rt.start(t.l2o, { key: id })).runId);
    assert.equal(run.status, 'completed', run.error ?? '');
    const out = run.output as LeadToOrderResult;
    const account = await deps.salesforce.rest<{ AccountId: string }>({ method: 'GET', path: `sobjects/Opportunity/${id}`, query: { fields: 'AccountId' } });
    return { opportunityId: id, accountId: account.body.AccountId, subscriptionId: out.stripeSubscriptionId ?? '', customerId: out.stripeCustomerId ?? '' };
  };

  const invoiceEvents = (type: string, subscriptionId: string) => stripeEvents(deps.stripe, type, (o) => o['subscription'] === subscriptionId);

  /** Runs the billing flow for one Stripe event, as its trigger would start it. */
  const feed = async (t: ReturnType<typeof runtime>, event: StripeEventBody) => {
    const customer = String(event.data.object['customer']);
    const started = await t.rt.start(t.billing, { key: customer, input: event });
    return drive(t.rt, t.clock, started.runId);
  };

  it('records a paid invoice in NetSuite (billed from the sales order, paid in full) and on the opportunity and account', async () => {
    const t = runtime();
    const deal = await book(t);
    const [paid] = await invoiceEvents('invoice.paid', deal.subscriptionId);
    assert.ok(paid, 'Stripe paid the first invoice');
    const run = await feed(t, paid);
    assert.equal(run.status, 'completed', run.error ?? '');
    const out = run.output as BillingFeedbackApplied;
    assert.equal(out.status, 'paid');
    assert.equal(out.opportunityId, deal.opportunityId);

    const invoice = await getInvoice(deps.netsuite, { externalId: paid.data.object.id });
    assert.equal(invoice.status?.refName, 'Paid In Full');
    assert.equal(invoice.amountRemaining, 0);
    assert.equal(invoice.total, Number(paid.data.object['amount_paid']) / 100);
    const order = (await transactionsByExternalId(deps.netsuite, 'SalesOrd', deal.opportunityId))[0];
    assert.equal(invoice.createdFrom?.id, order);
    assert.equal((await transactionsByExternalId(deps.netsuite, 'CustPymt', `${paid.data.object.id}:payment`)).length, 1);

    const expected = { Billing_Status__c: 'Paid', Last_Invoice_Id__c: paid.data.object.id };
    for (const [sobject, id] of [['Opportunity', deal.opportunityId], ['Account', deal.accountId]] as const) {
      const fields = await billingFields(deps.salesforce, sobject, id);
      assert.deepEqual({ Billing_Status__c: fields.Billing_Status__c, Last_Invoice_Id__c: fields.Last_Invoice_Id__c }, expected);
      assert.match(fields.Last_Payment_Date__c ?? '', /^\d{4}-\d{2}-\d{2}$/);
    }
  });

  it('marks a declined renewal failed in both systems, then paid when Stripe collects it, and skips the late failure with a record', async () => {
    const t = runtime();
    const deal = await book(t);
    const [first] = await invoiceEvents('invoice.paid', deal.subscriptionId);
    assert.ok(first);
    await feed(t, first);
    const [renewed] = await advanceStripe(sandboxes.stripe, { subscription: deal.subscriptionId, paymentOutcome: 'fail' });
    assert.equal(renewed?.status, 'past_due');
    const [failed] = await invoiceEvents('invoice.payment_failed', deal.subscriptionId);
    assert.ok(failed);
    const run = await feed(t, failed);
    assert.equal(run.status, 'completed', run.error ?? '');
    assert.equal((run.output as BillingFeedbackResult).status, 'payment-failed');
    const open = await getInvoice(deps.netsuite, { externalId: failed.data.object.id });
    assert.equal(open.status?.refName, 'Open');
    assert.equal((open as unknown as Record<string, unknown>)['custbody_interlock_payment_status'], 'Payment Failed');
    assert.equal((await billingFields(deps.salesforce, 'Opportunity', deal.opportunityId)).Billing_Status__c, 'Payment Failed');
    assert.equal((await billingFields(deps.salesforce, 'Account', deal.accountId)).Last_Invoice_Id__c, failed.data.object.id);

    // Stripe's retry of the open invoice goes through.
    await deps.stripe.post(`invoices/${failed.data.object.id}/pay`, {}, unique('pay'));
    const paid = (await invoiceEvents('invoice.paid', deal.subscriptionId)).find((e) => e.data.object.id === failed.data.object.id);
    assert.ok(paid);
    assert.equal((await feed(t, paid)).status, 'completed');
    const settled = await getInvoice(deps.netsuite, { externalId: failed.data.object.id });
    assert.equal(settled.status?.refName, 'Paid In Full');
    assert.equal((settled as unknown as Record<string, unknown>)['custbody_interlock_payment_status'], 'Paid');
    assert.equal((await billingFields(deps.salesforce, 'Opportunity', deal.opportunityId)).Billing_Status__c, 'Paid');

    // The failure delivered again, late (a new delivery the inbox has not seen): skipped, with the reason in the run.
    const late = await feed(t, { ...failed, id: `${failed.id}_late` });
    assert.equal(late.status, 'completed');
    assert.deepEqual((late.output as BillingFeedbackResult).status, 'skipped');
    const check = late.steps.find((s) => s.name === 'check-stale');
    assert.match(JSON.stringify(check?.result), /skipped: stale/);
    assert.deepEqual(late.steps.map((s) => s.name), ['check-stale']);
    assert.equal((await getInvoice(deps.netsuite, { externalId: failed.data.object.id })).status?.refName, 'Paid In Full');
    assert.equal((await billingFields(deps.salesforce, 'Opportunity', deal.opportunityId)).Billing_Status__c, 'Paid');
  });

  it('keeps the newest invoice on the opportunity when an older invoice is reported after it', async () => {
    const t = runtime();
    const deal = await book(t);
    const [first] = await invoiceEvents('invoice.paid', deal.subscriptionId);
    assert.ok(first);
    await advanceStripe(sandboxes.stripe, { subscription: deal.subscriptionId });
    const renewal = (await invoiceEvents('invoice.paid', deal.subscriptionId)).find((e) => e.data.object.id !== first.data.object.id);
    assert.ok(renewal);
    // The renewal's payment arrives before the first invoice's.
    await feed(t, renewal);
    const run = await feed(t, first);
    assert.equal(run.status, 'completed', run.error ?? '');
    assert.equal((run.output as BillingFeedbackApplied).salesforceWritten, false);
    assert.match(JSON.stringify(run.steps.find((s) => s.name === 'salesforce-billing-status')?.result), /skipped: stale/);
    // Both invoices are in NetSuite; Salesforce shows the newer one.
    assert.equal((await getInvoice(deps.netsuite, { externalId: first.data.object.id })).status?.refName, 'Paid In Full');
    assert.equal((await billingFields(deps.salesforce, 'Opportunity', deal.opportunityId)).Last_Invoice_Id__c, renewal.data.object.id);
  });

  it('is started by Stripe invoice events through the engine inbox, duplicates absorbed, one run per event', async () => {
    const t = runtime();
    const deal = await book(t);
    const config = loadConfig({ values: { worker: { poll: '50ms', lease: '30s' }, sources: { stripe: { eventId: { path: 'id' } } } }, env: {} });
    const flows = new FlowRegistry().register(billingFeedbackFlow(deps, { store: get().store, name: t.billing }));
    const engine = new Engine({ store: get().store, config, clock: systemClock, log: silentLog, flows });
    await engine.startWorker();
    try {
      const [paid] = await invoiceEvents('invoice.paid', deal.subscriptionId);
      assert.ok(paid);
      // Events the flow does not act on are accepted and start nothing.
      const created = (await invoiceEvents('invoice.created', deal.subscriptionId))[0];
      for (const event of [created, paid, paid]) {
        if (event !== undefined) await engine.inbox.accept({ source: 'stripe', eventId: event.id, headers: {}, body: JSON.stringify(event) });
      }
      assert.ok(await eventually(async () => (await engine.flows.runs.list({ flow: t.billing, status: 'completed' })).length === 1));
      assert.equal((await engine.flows.runs.list({ flow: t.billing })).length, 1);
      assert.equal((await getInvoice(deps.netsuite, { externalId: paid.data.object.id })).status?.refName, 'Paid In Full');
      assert.equal((await billingFields(deps.salesforce, 'Opportunity', deal.opportunityId)).Billing_Status__c, 'Paid');
    } finally {
      await engine.stop();
    }
  });

  it('bills and pays once through lost NetSuite answers and a Stripe 429 burst, however often a step is retried', async () => {
    const t = runtime({ retry: { maxAttempts: 40 } });
    const deal = await book(t);
    const [paid] = await invoiceEvents('invoice.paid', deal.subscriptionId);
    assert.ok(paid);
    // As API versions send it that copy no subscription metadata onto the invoice and name line
    // prices by id (`pricing.price_details`): the flow must ask Stripe, through the 429s.
    const bare = structuredClone(paid) as StripeEventBody & { data: { object: { parent: { subscription_details: Record<string, unknown> }; lines: { data: Array<Record<string, unknown>> } } } };
    delete bare.data.object.parent.subscription_details['metadata'];
    for (const line of bare.data.object.lines.data) {
      line['pricing'] = { price_details: { price: (line['price'] as { id: string }).id } };
      delete line['price'];
    }
    sandboxes.netsuite.faults.patch({ dropResponseRate: 0.3 });
    sandboxes.stripe.faults.patch({ rateLimit: { burst: 4 } });
    const run = await feed(t, bare);
    // Lost answers of idempotent calls are sent again by the transport itself, so they need not
    // show as step attempts; the sandbox counts them.
    const dropped = sandboxes.netsuite.faults.struck.dropped;
    sandboxes.netsuite.faults.reset();
    sandboxes.stripe.faults.reset();
    assert.equal(run.status, 'completed', run.error ?? '');
    const attempts = Object.fromEntries(run.steps.map((s) => [s.name, s.attempts]));
    assert.ok((attempts['find-deal'] ?? 0) > 1, `the 429s were retried: ${JSON.stringify(attempts)}`);
    assert.ok(dropped > 0, 'NetSuite lost answers');
    assert.equal((await transactionsByExternalId(deps.netsuite, 'CustInvc', paid.data.object.id)).length, 1);
    assert.equal((await transactionsByExternalId(deps.netsuite, 'CustPymt', `${paid.data.object.id}:payment`)).length, 1);
    assert.equal((await getInvoice(deps.netsuite, { externalId: paid.data.object.id })).status?.refName, 'Paid In Full');
    // The same event run again (a replay) changes nothing.
    const again = await feed(t, { ...paid, id: `${paid.id}_replayed` });
    assert.equal(again.status, 'completed');
    assert.equal((await transactionsByExternalId(deps.netsuite, 'CustPymt', `${paid.data.object.id}:payment`)).length, 1);
  });

  it('leaves invoices of subscriptions Interlock did not make alone', async () => {
    const t = runtime();
    const sub = await deps.stripe.post<{ id: string }>('subscriptions', { customer: 'cus_SandboxAcme', items: [{ price: 'price_SandboxPlatformMonthly' }] }, unique('sub'));
    const [paid] = await invoiceEvents('invoice.paid', sub.id);
    assert.ok(paid);
    const run = await feed(t, paid);
    assert.deepEqual(run.output, { status: 'not-ours', invoiceId: paid.data.object.id });
  });
});
