/**
 * Reconciliation against the seeded sandboxes, on both stores: a clean data set gives no
 * discrepancy; seeded drift of every class is found exactly; healing (safe classes at once, the
 * rest approved) brings the systems into agreement but for what only a person can decide; a
 * replayed heal creates nothing.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { upsertCustomer } from '../../src/connectors/netsuite/actions/upsert-customer.ts';
import { createSalesOrder } from '../../src/connectors/netsuite/actions/create-sales-order.ts';
import { billSalesOrder } from '../../src/connectors/netsuite/actions/bill-sales-order.ts';
import { createCustomer } from '../../src/connectors/stripe/actions/create-customer.ts';
import { cancelSubscription } from '../../src/connectors/stripe/actions/cancel-subscription.ts';
import type { StripeCustomer, StripeSubscription } from '../../src/connectors/stripe/types.ts';
import { systemClock } from '../../src/core/clock.ts';
import { startSandboxes, type Sandboxes } from '../../src/flows/lead-to-order/test-support.ts';
import { ReconcileService } from '../../src/sync/reconcile-service.ts';
import type { StoredDiscrepancy } from '../../src/sync/reconcile/discrepancy.ts';
import { ensureStripeCustomer, upsertNetSuiteCustomer, getAccount } from '../../src/sync/systems/account-commands.ts';
import { connectSystems, type Systems } from '../../src/sync/systems/systems.ts';
import { describeEachStore } from '../support/stores.ts';
import { accountIds, bill, book, counts, createWonDeal, invoicesOf, replay } from './support/data-set.ts';

let sandboxes: Sandboxes;
before(async () => {
  sandboxes = await startSandboxes();
});
after(async () => {
  await sandboxes.close();
});

const JOBS = ['customers', 'deals', 'invoices'] as const;

function brief(d: StoredDiscrepancy, names: Record<string, string>): string {
  return `${d.kind}@${d.system}${d.field === undefined ? '' : `.${d.field}`}:${names[d.key] ?? d.key}`;
}

async function found(service: ReconcileService, runId: number, names: Record<string, string>): Promise<string[]> {
  const out: string[] = [];
  for await (const d of service.runs.discrepancies(runId)) out.push(brief(d, names));
  return out.sort();
}

/** Makes Salesforce, NetSuite and Stripe agree: every customer everywhere, two deals booked and billed. */
async function cleanDataSet(systems: Systems): Promise<Record<string, string>> {
  const accounts = await accountIds(systems);
  for (const id of Object.values(accounts)) {
    const account = await getAccount(systems, id);
    await upsertNetSuiteCustomer(systems, account);
    await ensureStripeCustomer(systems, account);
  }
  // The seed's own NetSuite customers carry keys no Account has: retired, as a steward would.
  for (const ext of ['ACME-001', 'GLOBEX-002']) await upsertCustomer(systems.netsuite, { externalId: ext, fields: { isInactive: true } });
  const initech = await createWonDeal(systems, accounts['Initech Ltd'] ?? '', 'Initech - Support', [['SUPPORT-PREM', 12, 'Monthly']]);
  const umbrella = await createWonDeal(systems, accounts['Umbrella Health'] ?? '', 'Umbrella - Platform', [['PLAT-SUB', 12, 'Annual']]);
  for (const deal of [initech, umbrella]) {
    await book(systems, deal);
    await bill(systems, deal);
  }
  const names: Record<string, string> = { 'initech-deal': initech, 'umbrella-deal': umbrella };
  for (const [name, id] of Object.entries(accounts)) names[name.split(' ')[0]?.toLowerCase() ?? name] = id;
  return names;
}

describeEachStore('reconciliation across the sandboxes', (get) => {
  it('finds nothing in a clean data set, every seeded drift exactly, heals to agreement, and never heals twice', { timeout: 120_000 }, async () => {
    await sandboxes.reset();
    const systems = connectSystems(sandboxes.options);
    const service = new ReconcileService({ store: get().store, clock: systemClock, systems: () => systems });
    const ids = await cleanDataSet(systems);
    const names = (): Record<string, string> => Object.fromEntries(Object.entries(ids).map(([n, id]) => [id, n]));
    for (const job of JOBS) {
      const { run } = await service.reconcile(job, { actor: 'test' });
      assert.deepEqual(await found(service, run.id, names()), [], `clean ${job}`);
    }

    // Drift of every class.
    const created = await systems.salesforce.rest<{ id: string }>({ method: 'POST', path: 'sobjects/Account', json: { Name: 'Newco', Type: 'Customer', Legal_Entity__c: 'Interlock US Inc', CurrencyIsoCode: 'USD' } });
    ids['newco'] = created.body.id;
    const globexStripe = (await ensureStripeCustomer(systems, await getAccount(systems, ids['globex'] ?? ''))).id;
    await systems.stripe.post<StripeCustomer>(`customers/${globexStripe}`, { name: 'Globex Inc.' }, 'drift-rename');
    await createCustomer(systems.stripe, { canonicalCustomerId: 'x', salesforceAccountId: ids['initech'] ?? '', name: 'Initech Ltd', idempotencyKey: 'drift-dup' });
    ids['ghost-account'] = '001Hs00000000ZZIAA';
    await upsertCustomer(systems.netsuite, { externalId: ids['ghost-account'], fields: { companyName: 'Ghost', subsidiary: { id: '1' } } });

    ids['globex-seats'] = await createWonDeal(systems, ids['globex'] ?? '', 'Globex - Seats', [['SEAT-ADDON', 10, 'Monthly']]);
    for await (const s of systems.stripe.list<StripeSubscription>('subscriptions')) {
      if (s.metadata['salesforce_opportunity_id'] === ids['initech-deal']) await cancelSubscription(systems.stripe, s.id);
    }
    const umbrellaOrder = await systems.netsuite.rest<{ item: { items: Array<{ line: number }> } }>({ method: 'GET', path: `record/v1/salesOrder/eid:${ids['umbrella-deal']}`, query: { expandSubResources: 'true' } });
    const line = umbrellaOrder.body.item.items[0]?.line ?? 1;
    await systems.netsuite.rest({ method: 'PATCH', path: `record/v1/salesOrder/eid:${ids['umbrella-deal']}`, json: { item: { items: [{ line, rate: 1100 }] } } });
    ids['ghost-deal'] = '006Hs00000000ZZIAA';
    const ghostOrder = await createSalesOrder(systems.netsuite, { externalId: ids['ghost-deal'], customer: { externalId: ids['acme'] ?? '' }, lines: [{ item: { externalId: 'PLAT-SUB' }, quantity: 1 }] });

    ids['acme-seats'] = await createWonDeal(systems, ids['acme'] ?? '', 'Acme - Seats', [['SEAT-ADDON', 5, 'Monthly']]);
    await book(systems, ids['acme-seats']);
    const [acmeSeatsInvoice] = await invoicesOf(systems, ids['acme-seats']);
    ids['acme-seats-invoice'] = acmeSeatsInvoice?.id ?? '';
    await billSalesOrder(systems.netsuite, { salesOrder: { externalId: ids['acme-seats'] }, externalId: ids['acme-seats-invoice'] });
    ids['initech-seats'] = await createWonDeal(systems, ids['initech'] ?? '', 'Initech - Seats', [['SEAT-ADDON', 3, 'Monthly']]);
    await book(systems, ids['initech-seats']);
    ids['initech-seats-invoice'] = (await invoicesOf(systems, ids['initech-seats']))[0]?.id ?? '';
    const [umbrellaInvoice] = await invoicesOf(systems, ids['umbrella-deal'] ?? '');
    ids['umbrella-invoice'] = umbrellaInvoice?.id ?? '';
    const nsInvoice = await systems.netsuite.rest<{ id: string; item: { items: Array<{ line: number }> } }>({ method: 'GET', path: `record/v1/invoice/eid:${ids['umbrella-invoice']}`, query: { expandSubResources: 'true' } });
    await systems.netsuite.rest({ method: 'PATCH', path: `record/v1/invoice/eid:${ids['umbrella-invoice']}`, json: { item: { items: [{ line: nsInvoice.body.item.items[0]?.line ?? 1, rate: 1000 }] } } });
    ids['ghost-invoice'] = 'in_ghost';
    await billSalesOrder(systems.netsuite, { salesOrder: { id: ghostOrder.order.id }, externalId: ids['ghost-invoice'] });

    // Booking above upserts the account's customer, so the rename comes last.
    await upsertCustomer(systems.netsuite, { externalId: ids['acme'] ?? '', fields: { companyName: 'Acme Corp (old)' } });

    const report: Record<string, string[]> = {};
    for (const job of JOBS) report[job] = await found(service, (await service.reconcile(job, { actor: 'test' })).run.id, names());
    assert.deepEqual(report, {
      customers: ['duplicate@stripe:initech', 'field-drift@netsuite.name:acme', 'field-drift@stripe.name:globex', 'missing@netsuite:newco', 'missing@stripe:newco', 'orphan@netsuite:ghost-account'],
      deals: ['amount-mismatch@netsuite.amount:umbrella-deal', 'missing@netsuite:globex-seats', 'missing@stripe:globex-seats', 'orphan@netsuite:ghost-deal', 'status-mismatch@stripe.status:initech-deal'],
      invoices: ['amount-mismatch@netsuite.total:umbrella-invoice', 'missing@netsuite:initech-seats-invoice', 'orphan@netsuite:ghost-invoice', 'status-mismatch@netsuite.status:acme-seats-invoice'],
    });

    // Heal: safe classes at once, the rest approved by a person; in this order, so the deals
    // healed (a new subscription bills at once) reach the invoices job's run.
    const healed: StoredDiscrepancy[] = [];
    const summaries: Record<string, unknown> = {};
    for (const job of JOBS) {
      const { run, heal } = await service.reconcile(job, { actor: 'cli:ops', heal: true });
      summaries[job] = heal;
      for await (const d of service.runs.discrepancies(run.id, { healStatus: 'pending-approval' })) await service.approve(d.id, 'key:approver');
      for await (const d of service.runs.discrepancies(run.id)) {
        if (d.healStatus === 'healed') healed.push(d);
        else assert.equal(d.healStatus, 'manual', `${brief(d, names())}: ${d.healDetail}`);
      }
    }
    assert.deepEqual(summaries, {
      customers: { healed: 4, failed: 0, pendingApproval: 0, manual: 2 },
      deals: { healed: 0, failed: 0, pendingApproval: 2, manual: 3 },
      invoices: { healed: 0, failed: 0, pendingApproval: 3, manual: 2 },
    });
    const left = {
      customers: ['duplicate@stripe:initech', 'orphan@netsuite:ghost-account'],
      deals: ['amount-mismatch@netsuite.amount:umbrella-deal', 'orphan@netsuite:ghost-deal', 'status-mismatch@stripe.status:initech-deal'],
      invoices: ['amount-mismatch@netsuite.total:umbrella-invoice', 'orphan@netsuite:ghost-invoice'],
    };
    const second: Record<string, string[]> = {};
    for (const job of JOBS) second[job] = await found(service, (await service.reconcile(job, { actor: 'test' })).run.id, names());
    assert.deepEqual(second, left, 'only what a person must decide is left');

    // Every heal replayed: nothing is created twice, and the systems still agree.
    const before = await counts(systems);
    for (const d of healed) {
      const job = (await service.runs.get(d.runId)).job as (typeof JOBS)[number];
      const result = await replay(systems, job, d);
      if ('created' in result) assert.equal(result['created'], false, `${brief(d, names())} replayed`);
    }
    assert.deepEqual(await counts(systems), before);
    for (const job of JOBS) assert.deepEqual(await found(service, (await service.reconcile(job, { actor: 'test' })).run.id, names()), left[job]);
  });
});
