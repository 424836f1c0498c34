/**
 * Lead-to-order end to end against the four sandboxes, on both stores: a seeded opportunity is
 * set to Closed Won through Salesforce's REST API, the flow is started with its id, and the test
 * reads back what each system holds — one NetSuite sales order and one Stripe subscription per
 * deal, and the opportunity showing the ids and status — through retriggers, a validation error
 * fixed by the salesperson, a discount approval, a failure that is compensated, and vendor faults.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { getSalesOrder } from '../../src/connectors/netsuite/actions/get-sales-order.ts';
import type { StripeCustomer } from '../../src/connectors/stripe/types.ts';
import { systemClock } from '../../src/core/clock.ts';
import { loadConfig } from '../../src/core/config.ts';
import { InterlockError } from '../../src/core/errors.ts';
import { Engine } from '../../src/engine/engine.ts';
import { FlowRegistry } from '../../src/engine/flows/registry.ts';
import { buildLeadToOrderDeps } from '../../src/flows/lead-to-order/deps.ts';
import type { LeadToOrderDeps } from '../../src/flows/lead-to-order/deps.ts';
import { CLOSED_WON_EVENT, leadToOrderFlow } from '../../src/flows/lead-to-order/flow.ts';
import type { LeadToOrderFlowOptions, LeadToOrderResult } from '../../src/flows/lead-to-order/flow.ts';
import {
  drive,
  integrationFields,
  lineIds,
  opportunityId,
  patchRecord,
  salesOrdersOf,
  subscriptionsOf,
} from '../../src/flows/lead-to-order/test-support.ts';
import type { Sandboxes } from '../../src/flows/lead-to-order/test-support.ts';
import { createDeal } from '../../src/demo/deals.ts';
import { silentLog } from '../support/engine-fixtures.ts';
import { eventually } from '../support/engine-harness.ts';
import { describeEachStore } from '../support/stores.ts';
import { testRuntime, unique, withSandboxes } from './flow-harness.ts';

describeEachStore('lead-to-order against the sandboxes', (get) => {
  let sandboxes: Sandboxes;
  let deps: LeadToOrderDeps;
  withSandboxes((s, d) => {
    sandboxes = s;
    deps = d;
  });

  /** A runtime with the flow under a fresh name, so suites sharing the store do not meet. */
  const runtime = (options: LeadToOrderFlowOptions = {}, flowDeps: LeadToOrderDeps = deps) => {
    const name = unique('l2o');
    const t = testRuntime(get().store, [leadToOrderFlow(flowDeps, { name, ...options })]);
    return { ...t, name };
  };

  const closeWon = async (name: string): Promise<string> => {
    const id = await opportunityId(deps.salesforce, name);
    await patchRecord(deps.salesforce, 'Opportunity', id, { StageName: 'Closed Won' });
    return id;
  };

  it('books a closed-won deal once in NetSuite and Stripe and writes the ids back, however often it is triggered', async () => {
    const { rt, clock, name } = runtime();
    const id = await closeWon('Initech - Support Upgrade');
    const { runId } = await rt.start(name, { key: id, input: { opportunityId: id } });
    const run = await drive(rt, clock, runId);
    assert.equal(run.status, 'completed', run.error ?? '');
    const output = run.output as LeadToOrderResult;
    assert.equal(output.status, 'synced');

    const orders = await salesOrdersOf(deps.netsuite, id);
    assert.equal(orders.length, 1);
    const subs = await subscriptionsOf(deps.stripe, id);
    assert.equal(subs.length, 1);
    assert.equal(subs[0]?.status, 'active');
    const fields = await integrationFields(deps.salesforce, id);
    assert.deepEqual(fields, {
      Integration_Status__c: 'Synced',
      Integration_Error__c: null,
      NetSuite_Order_Number__c: orders[0]?.tranid,
      Stripe_Customer_Id__c: subs[0]?.customer,
      Stripe_Subscription_Id__c: subs[0]?.id,
    });

    // The account holds its Stripe customer too: its next deals use it without a Stripe search.
    const { AccountId } = (await deps.salesforce.rest<{ AccountId: string }>({ method: 'GET', path: `sobjects/Opportunity/${id}`, query: { fields: 'AccountId' } })).body;
    const account = await deps.salesforce.rest<{ Stripe_Customer_Id__c: string | null }>({ method: 'GET', path: `sobjects/Account/${AccountId}`, query: { fields: 'Stripe_Customer_Id__c' } });
    assert.equal(account.body.Stripe_Customer_Id__c, subs[0]?.customer);

    // The same trigger again: a new run (the first ended) that sees the deal is booked.
    const again = await rt.start(name, { key: id, input: { opportunityId: id } });
    assert.notEqual(again.runId, runId);
    const second = await drive(rt, clock, again.runId);
    assert.equal((second.output as LeadToOrderResult).status, 'already-synced');
    // Even with the status cleared by hand, a third run finds the order and subscription made.
    await patchRecord(deps.salesforce, 'Opportunity', id, { Integration_Status__c: null });
    const third = await drive(rt, clock, (await rt.start(name, { key: id })).runId);
    assert.equal(third.status, 'completed', third.error ?? '');
    assert.equal((third.output as LeadToOrderResult).status, 'synced');
    assert.equal((await salesOrdersOf(deps.netsuite, id)).length, 1);
    assert.deepEqual((await subscriptionsOf(deps.stripe, id)).map((s) => s.id), [subs[0]?.id]);
    assert.equal((await integrationFields(deps.salesforce, id)).Stripe_Subscription_Id__c, subs[0]?.id);
  });

  it('makes one Stripe customer and one price for deals of one account booked at the same time', async () => {
    const { rt, clock, name } = runtime();
    const first = await closeWon('Initech - Support Upgrade');
    const account = (await deps.salesforce.rest<{ AccountId: string }>({ method: 'GET', path: `sobjects/Opportunity/${first}`, query: { fields: 'AccountId' } })).body.AccountId;
    const second = await createDeal(deps.salesforce, { key: 'support', account: 'Initech Ltd', title: 'More support', lines: [['SUPPORT-PREM', 5, 'Monthly']], plot: '' }, 'same account');
    await patchRecord(deps.salesforce, 'Opportunity', second.id, { StageName: 'Closed Won' });
    const runs = [(await rt.start(name, { key: first })).runId, (await rt.start(name, { key: second.id })).runId];
    // Both runs are due together: each worker pass takes them side by side.
    for (let i = 0; i < 200; i++) {
      await rt.worker.runDue();
      const states = await Promise.all(runs.map((id) => rt.runs.get(id)));
      if (states.every((r) => r.status === 'completed' || r.status === 'failed')) break;
      const wake = states.map((r) => (r.wakeAt === null ? Infinity : Date.parse(r.wakeAt))).reduce((a, b) => Math.min(a, b));
      if (Number.isFinite(wake)) clock.advance(Math.max(1, wake - clock.now()));
    }
    for (const id of runs) assert.equal((await rt.runs.get(id)).status, 'completed');
    const customers: string[] = [];
    for await (const c of deps.stripe.list<StripeCustomer>('customers')) if (c.metadata['salesforce_account_id'] === account) customers.push(c.id);
    assert.equal(customers.length, 1, `one Stripe customer for the account, got ${customers.join(', ')}`);
    const subs = [...(await subscriptionsOf(deps.stripe, first)), ...(await subscriptionsOf(deps.stripe, second.id))];
    assert.deepEqual(subs.map((x) => x.customer), [customers[0], customers[0]]);
  });

  it('fails a run for an opportunity that does not exist or is not closed won with a clear outcome, touching nothing', async () => {
    const { rt, clock, name } = runtime();
    const missing = await drive(rt, clock, (await rt.start(name, { key: '006Hs0000000999IAA' })).runId);
    assert.equal(missing.status, 'failed');
    assert.match(missing.error ?? '', /Opportunity 006Hs0000000999IAA does not exist/);
    const malformed = await drive(rt, clock, (await rt.start(name, { key: "x' OR Name != '" })).runId);
    assert.equal(malformed.status, 'failed');
    assert.match(malformed.error ?? '', /is not a Salesforce id/);
    const open = await opportunityId(deps.salesforce, 'Umbrella - New Logo');
    const notWon = await drive(rt, clock, (await rt.start(name, { key: open })).runId);
    assert.deepEqual(notWon.output, { status: 'not-closed-won', opportunityId: open });
    assert.equal((await integrationFields(deps.salesforce, open)).Integration_Status__c, null);
    assert.equal((await salesOrdersOf(deps.netsuite, open)).length, 0);
  });

  it('writes a validation failure back and resumes when the salesperson fixes the deal', async () => {
    const { rt, clock, name } = runtime();
    const id = await closeWon('Acme - Platform 2025');
    const { runId } = await rt.start(name, { key: id });
    const waiting = await drive(rt, clock, runId);
    assert.equal(waiting.status, 'waiting');
    assert.equal(waiting.waitingFor, CLOSED_WON_EVENT);
    const flagged = await integrationFields(deps.salesforce, id);
    assert.equal(flagged.Integration_Status__c, 'Error');
    assert.match(flagged.Integration_Error__c ?? '', /Recurring lines bill Annual and Monthly/);
    assert.equal((await salesOrdersOf(deps.netsuite, id)).length, 0);

    // A trigger while the run waits attaches to it rather than starting another.
    assert.deepEqual(await rt.start(name, { key: id }), { runId, outcome: 'attached' });
    // The salesperson aligns the seats with the annual platform line; the change re-triggers.
    const seats = (await lineIds(deps.salesforce, id)).find((l) => l.code === 'SEAT-ADDON');
    assert.ok(seats);
    await patchRecord(deps.salesforce, 'OpportunityLineItem', seats.Id, { Billing_Frequency__c: 'Annual' });
    assert.deepEqual(await rt.runs.sendEvent(CLOSED_WON_EVENT, { type: CLOSED_WON_EVENT, opportunityId: 'someone-else' }), []);
    assert.deepEqual(await rt.runs.sendEvent(CLOSED_WON_EVENT, { type: CLOSED_WON_EVENT, opportunityId: id }), [runId]);
    const done = await drive(rt, clock, runId);
    assert.equal(done.status, 'completed', done.error ?? '');
    const fields = await integrationFields(deps.salesforce, id);
    assert.equal(fields.Integration_Status__c, 'Synced');
    assert.equal(fields.Integration_Error__c, null);
    assert.equal((await salesOrdersOf(deps.netsuite, id)).length, 1);
    assert.equal((await subscriptionsOf(deps.stripe, id)).length, 1);
  });

  it('writes back the tax estimate AvaTax refuses and books once the address is fixed', async () => {
    const { rt, clock, name } = runtime();
    const id = await closeWon('Initech - Support Upgrade');
    const account = await deps.salesforce.rest<{ AccountId: string }>({ method: 'GET', path: `sobjects/Opportunity/${id}`, query: { fields: 'AccountId' } });
    const accountId = account.body.AccountId;
    await patchRecord(deps.salesforce, 'Account', accountId, { BillingCountry: 'United States', BillingState: 'California' });
    const { runId } = await rt.start(name, { key: id });
    const waiting = await drive(rt, clock, runId);
    assert.equal(waiting.waitingFor, CLOSED_WON_EVENT);
    const flagged = await integrationFields(deps.salesforce, id);
    assert.equal(flagged.Integration_Error__c, '1. AvaTax could not calculate tax for this deal: addresses.shipTo.region must be a two-letter US state code.');
    await patchRecord(deps.salesforce, 'Account', accountId, { BillingState: 'CA' });
    await rt.runs.sendEvent(CLOSED_WON_EVENT, { type: CLOSED_WON_EVENT, opportunityId: id });
    const done = await drive(rt, clock, runId);
    assert.equal(done.status, 'completed', done.error ?? '');
    assert.equal((await integrationFields(deps.salesforce, id)).Integration_Status__c, 'Synced');
    assert.equal((await salesOrdersOf(deps.netsuite, id)).length, 1);
  });

  it('is started by its closed-won event and resumed by the next one, through the engine inbox, once each', async () => {
    const name = unique('l2o-inbox');
    const config = loadConfig({ values: { worker: { poll: '50ms', lease: '30s' }, sources: { salesforce: { eventId: { path: 'id' } } } }, env: {} });
    const flows = new FlowRegistry().register(leadToOrderFlow(deps, { name }));
    const engine = new Engine({ store: get().store, config, clock: systemClock, log: silentLog, flows });
    await engine.startWorker();
    try {
      const id = await closeWon('Acme - Platform 2025');
      const accept = (eventId: string) =>
        engine.inbox.accept({ source: 'salesforce', eventId, headers: {}, body: JSON.stringify({ id: eventId, type: CLOSED_WON_EVENT, opportunityId: id }) });
      // A duplicated delivery of the closing event.
      for (const eventId of ['cdc-1', 'cdc-1']) await accept(eventId);
      assert.ok(await eventually(async () => (await engine.flows.runs.list({ flow: name, status: 'waiting' })).length === 1));
      assert.equal((await integrationFields(deps.salesforce, id)).Integration_Status__c, 'Error');
      const seats = (await lineIds(deps.salesforce, id)).find((l) => l.code === 'SEAT-ADDON');
      assert.ok(seats);
      await patchRecord(deps.salesforce, 'OpportunityLineItem', seats.Id, { Billing_Frequency__c: 'Annual' });
      for (const eventId of ['cdc-2', 'cdc-2']) await accept(eventId);
      assert.ok(await eventually(async () => (await engine.flows.runs.list({ flow: name, status: 'completed' })).length === 1));
      assert.equal((await engine.flows.runs.list({ flow: name })).length, 1);
      assert.equal((await salesOrdersOf(deps.netsuite, id)).length, 1);
      assert.equal((await subscriptionsOf(deps.stripe, id)).length, 1);
      assert.equal((await integrationFields(deps.salesforce, id)).Integration_Status__c, 'Synced');
    } finally {
      await engine.stop();
    }
  });

  it('waits for approval when a discount is above the threshold, then books the discounted price', async () => {
    const { rt, clock, name } = runtime();
    const id = await closeWon('Globex - Expansion');
    const platform = (await lineIds(deps.salesforce, id)).find((l) => l.code === 'PLAT-SUB');
    assert.ok(platform);
    await patchRecord(deps.salesforce, 'OpportunityLineItem', platform.Id, { Discount: 30 });
    const { runId } = await rt.start(name, { key: id });
    const waiting = await drive(rt, clock, runId);
    assert.equal(waiting.status, 'waiting');
    assert.equal(waiting.steps.at(-1)?.name, 'discount-approval');
    assert.equal((await integrationFields(deps.salesforce, id)).Integration_Status__c, 'Awaiting Approval');
    assert.equal((await salesOrdersOf(deps.netsuite, id)).length, 0);
    assert.equal((await subscriptionsOf(deps.stripe, id)).length, 0);

    await rt.runs.decide(runId, { approved: true, by: 'cfo@interlock.example' });
    const done = await drive(rt, clock, runId);
    assert.equal(done.status, 'completed', done.error ?? '');
    const subs = await subscriptionsOf(deps.stripe, id);
    assert.equal(subs.length, 1);
    const sub = await deps.stripe.get<{ items: { data: Array<{ price: { unit_amount: number; recurring: { interval: string } } }> } }>(`subscriptions/${subs[0]?.id ?? ''}`);
    // 30 % off the 1200 list price, billed yearly like the line says.
    assert.deepEqual(sub.items.data.map((i) => [i.price.unit_amount, i.price.recurring.interval]), [[84_000, 'year']]);
    assert.equal((await integrationFields(deps.salesforce, id)).Integration_Status__c, 'Synced');
  });

  it('ends rejected without booking when the approver says no', async () => {
    const { rt, clock, name } = runtime();
    const id = await closeWon('Globex - Expansion');
    const platform = (await lineIds(deps.salesforce, id)).find((l) => l.code === 'PLAT-SUB');
    assert.ok(platform);
    await patchRecord(deps.salesforce, 'OpportunityLineItem', platform.Id, { Discount: 45 });
    const { runId } = await rt.start(name, { key: id });
    await drive(rt, clock, runId);
    await rt.runs.decide(runId, { approved: false, by: 'cfo@interlock.example', reason: 'too deep' });
    const done = await drive(rt, clock, runId);
    assert.equal((done.output as LeadToOrderResult).status, 'rejected');
    const fields = await integrationFields(deps.salesforce, id);
    assert.equal(fields.Integration_Status__c, 'Rejected');
    assert.match(fields.Integration_Error__c ?? '', /45% was rejected by cfo@interlock.example: too deep/);
    assert.equal((await salesOrdersOf(deps.netsuite, id)).length, 0);
  });

  it('compensates a permanent failure at the Stripe step: the sales order is cancelled and the opportunity flagged', async () => {
    // A revoked Stripe key: Stripe refuses it with 401, which no retry mends.
    const broken = await buildLeadToOrderDeps({ ...sandboxes.options, stripe: { ...sandboxes.options.stripe, secretKey: 'sk_live_revoked' } });
    try {
      const { rt, clock, name } = runtime({}, broken);
      const id = await closeWon('Initech - Support Upgrade');
      const { runId } = await rt.start(name, { key: id });
      const run = await drive(rt, clock, runId);
      assert.equal(run.status, 'compensated');
      assert.equal(run.steps.find((s) => s.name === 'stripe-customer')?.status, 'failed');
      const orders = await salesOrdersOf(deps.netsuite, id);
      assert.equal(orders.length, 1);
      assert.match(orders[0]?.memo ?? '', /^CANCELLED by Interlock/);
      assert.deepEqual((await getSalesOrder(deps.netsuite, { externalId: id })).item.items.map((l) => l.isClosed), [true]);
      const fields = await integrationFields(deps.salesforce, id);
      assert.equal(fields.Integration_Status__c, 'Failed');
      assert.match(fields.Integration_Error__c ?? '', new RegExp(`cancelled\\. Interlock run ${runId} has the cause`));
      assert.equal(fields.NetSuite_Order_Number__c, null);
      assert.equal((await subscriptionsOf(deps.stripe, id)).length, 0);
    } finally {
      await broken.close();
    }
  });

  it('compensates a write-back Salesforce refuses for good: subscription cancelled, sales order cancelled, opportunity flagged', async () => {
    // The org refuses the Synced write-back (say, a validation rule added that morning) with an
    // error no retry mends; every other call reaches the sandbox unchanged.
    const real = deps.salesforce;
    const refusing = new Proxy(real, {
      get(target, prop) {
        if (prop === 'rest') {
          return async (req: Parameters<typeof real.rest>[0]) => {
            const json = req.json as Record<string, unknown> | undefined;
            if (req.method === 'PATCH' && json?.['Integration_Status__c'] === 'Synced') {
              throw new InterlockError('permanent', 'FIELD_CUSTOM_VALIDATION_EXCEPTION: Synced needs a signed contract', { details: { vendor: 'salesforce' } });
            }
            // The write-back that also records the account's Stripe customer is one collections
            // call: Salesforce answers 200 with the opportunity's record refused and the account's saved.
            const records = json?.['records'] as Array<Record<string, unknown> & { attributes: { type: string }; id: string }> | undefined;
            if (req.method === 'PATCH' && records?.some((r) => r.attributes.type === 'Opportunity' && r['Integration_Status__c'] === 'Synced')) {
              const body = records.map((r) =>
                r.attributes.type === 'Opportunity'
                  ? { id: r.id, success: false, errors: [{ statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', message: 'Synced needs a signed contract', fields: [] }] }
                  : { id: r.id, success: true, errors: [] },
              );
              return { status: 200, headers: {}, body };
            }
            return target.rest(req);
          };
        }
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const { rt, clock, name } = runtime({}, { ...deps, salesforce: refusing });
    const id = await closeWon('Initech - Support Upgrade');
    const { runId } = await rt.start(name, { key: id });
    const run = await drive(rt, clock, runId);
    assert.equal(run.status, 'compensated');
    // Undone in reverse order of the effects.
    assert.deepEqual(run.steps.filter((s) => s.kind === 'compensation').map((s) => [s.name, s.status]), [
      ['compensate:stripe-subscription', 'completed'],
      ['compensate:netsuite-sales-order', 'completed'],
      ['compensate:report-in-progress', 'completed'],
    ]);
    const subs = await subscriptionsOf(deps.stripe, id);
    assert.equal(subs.length, 1);
    assert.equal(subs[0]?.status, 'canceled');
    const orders = await salesOrdersOf(deps.netsuite, id);
    assert.equal(orders.length, 1);
    assert.match(orders[0]?.memo ?? '', /^CANCELLED by Interlock/);
    assert.deepEqual((await getSalesOrder(deps.netsuite, { externalId: id })).item.items.map((l) => l.isClosed), [true]);
    assert.equal((await integrationFields(deps.salesforce, id)).Integration_Status__c, 'Failed');
  });

  it('makes exactly one sales order and one subscription through lost answers at NetSuite and Stripe and a Stripe 429 burst', async () => {
    const { rt, clock, name } = runtime({ retry: { maxAttempts: 40 } });
    const id = await closeWon('Initech - Support Upgrade');
    sandboxes.netsuite.faults.patch({ dropResponseRate: 0.3 });
    // Stripe too loses answers after committing: only the idempotency keys prevent a second subscription.
    sandboxes.stripe.faults.patch({ rateLimit: { burst: 6 }, dropResponseRate: 0.3 });
    const { runId } = await rt.start(name, { key: id });
    const run = await drive(rt, clock, runId);
    // The faults did strike (the transport sends an idempotent call again itself, so a lost
    // answer need not show as a step attempt; the sandbox counts them).
    const struck = { netsuite: { ...sandboxes.netsuite.faults.struck }, stripe: { ...sandboxes.stripe.faults.struck } };
    sandboxes.netsuite.faults.reset();
    sandboxes.stripe.faults.reset();
    assert.equal(run.status, 'completed', run.error ?? '');
    assert.ok(struck.netsuite.dropped > 0 && struck.stripe.dropped > 0, `answers were lost: ${JSON.stringify(struck)}`);
    const retried = run.steps.filter((s) => s.attempts > 1).map((s) => s.name);
    assert.ok(retried.some((s) => s.startsWith('stripe-')), `the 429s were retried: ${retried.join(', ')}`);
    const orders = await salesOrdersOf(deps.netsuite, id);
    const subs = await subscriptionsOf(deps.stripe, id);
    assert.equal(orders.length, 1);
    assert.equal(subs.length, 1);
    const fields = await integrationFields(deps.salesforce, id);
    assert.equal(fields.NetSuite_Order_Number__c, orders[0]?.tranid);
    assert.equal(fields.Stripe_Subscription_Id__c, subs[0]?.id);
    const customers: string[] = [];
    for await (const c of deps.stripe.list<StripeCustomer>('customers')) if (c.metadata['salesforce_account_id'] !== undefined) customers.push(c.id);
    assert.deepEqual(customers, [fields.Stripe_Customer_Id__c]);
  });
});
