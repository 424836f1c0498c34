/**
 * Test data across the seeded sandboxes: a clean data set in which Salesforce, NetSuite and
 * Stripe agree (built with the same idempotent commands the heals replay), deals made from
 * scratch, and counts of what each system holds, to prove heals create nothing twice.
 */
import { suiteQl } from '../../../src/connectors/netsuite/actions/suiteql-query.ts';
import { queryRecords } from '../../../src/connectors/salesforce/actions/query-records.ts';
import type { StripeCustomer, StripeInvoice, StripeSubscription } from '../../../src/connectors/stripe/types.ts';
import { customersJob } from '../../../src/sync/jobs/customers.ts';
import { dealsJob } from '../../../src/sync/jobs/deals.ts';
import { invoicesJob } from '../../../src/sync/jobs/invoices.ts';
import type { Discrepancy } from '../../../src/sync/reconcile/discrepancy.ts';
import type { Systems } from '../../../src/sync/systems/systems.ts';

/** Runs the heal command of a job for a discrepancy made up by the test. */
export async function replay(systems: Systems, job: 'customers' | 'deals' | 'invoices', d: Omit<Discrepancy, 'recordIds' | 'context'> & Partial<Discrepancy>): Promise<Record<string, unknown>> {
  const definition = { customers: customersJob, deals: dealsJob, invoices: invoicesJob }[job];
  const command = definition.build(systems, {}).plan({ recordIds: [], context: {}, ...d });
  if (command === undefined) throw new Error(`no command for ${d.kind}@${d.system}`);
  return command.run();
}

/** The Salesforce Account ids by name. */
export async function accountIds(systems: Systems): Promise<Record<string, string>> {
  const ids: Record<string, string> = {};
  for await (const a of queryRecords<{ Id: string; Name: string }>(systems.salesforce, { soql: 'SELECT Id, Name FROM Account' })) ids[a.Name] = a.Id;
  return ids;
}

/** Creates a closed-won opportunity with recurring lines `[sku, quantity, frequency]`. */
export async function createWonDeal(systems: Systems, accountId: string, name: string, lines: Array<[string, number, string]>): Promise<string> {
  const entries: Record<string, { Id: string; UnitPrice: number; Pricebook2Id: string }> = {};
  for await (const e of queryRecords<{ Id: string; UnitPrice: number; Pricebook2Id: string; Product2: { ProductCode: string } }>(systems.salesforce, {
    soql: 'SELECT Id, UnitPrice, Pricebook2Id, Product2.ProductCode FROM PricebookEntry',
  })) entries[e.Product2.ProductCode] = e;
  const book = Object.values(entries)[0]?.Pricebook2Id;
  const closeDate = new Date().toISOString().slice(0, 10);
  const opp = await systems.salesforce.rest<{ id: string }>({ method: 'POST', path: 'sobjects/Opportunity', json: { Name: name, StageName: 'Prospecting', CloseDate: closeDate, AccountId: accountId, Pricebook2Id: book, Type: 'New Business' } });
  for (const [sku, quantity, frequency] of lines) {
    const entry = entries[sku];
    await systems.salesforce.rest({
      method: 'POST',
      path: 'sobjects/OpportunityLineItem',
      json: { OpportunityId: opp.body.id, PricebookEntryId: entry?.Id, Quantity: quantity, UnitPrice: entry?.UnitPrice, Billing_Frequency__c: frequency, Subscription_Term_Months__c: 12 },
    });
  }
  await systems.salesforce.rest({ method: 'PATCH', path: `sobjects/Opportunity/${opp.body.id}`, json: { StageName: 'Closed Won' } });
  return opp.body.id;
}

/** Books a won deal in NetSuite and Stripe as lead-to-order does. */
export async function book(systems: Systems, opportunityId: string): Promise<void> {
  await replay(systems, 'deals', { kind: 'missing', system: 'netsuite', key: opportunityId });
  await replay(systems, 'deals', { kind: 'missing', system: 'stripe', key: opportunityId });
}

/** The Stripe invoices of the deal's subscriptions. */
export async function invoicesOf(systems: Systems, opportunityId: string): Promise<StripeInvoice[]> {
  const subs = new Set<string>();
  for await (const s of systems.stripe.list<StripeSubscription>('subscriptions', { status: 'all' })) if (s.metadata['salesforce_opportunity_id'] === opportunityId) subs.add(s.id);
  const out: StripeInvoice[] = [];
  for await (const i of systems.stripe.list<StripeInvoice>('invoices')) if (subs.has(i.parent?.subscription_details?.subscription ?? i.subscription ?? '')) out.push(i);
  return out;
}

/** Bills (and, when paid in Stripe, pays) each Stripe invoice of the deal in NetSuite. */
export async function bill(systems: Systems, opportunityId: string): Promise<void> {
  for (const i of await invoicesOf(systems, opportunityId)) {
    await replay(systems, 'invoices', { kind: 'missing', system: 'netsuite', key: i.id, context: { 'stripe.subscription': i.parent?.subscription_details?.subscription ?? '' } });
  }
}

/** What each system holds, to prove a replayed heal made nothing new. */
export async function counts(systems: Systems): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [name, q] of [
    ['netsuite.customer', 'SELECT id FROM customer'],
    ['netsuite.salesOrder', "SELECT id FROM transaction WHERE type = 'SalesOrd'"],
    ['netsuite.invoice', "SELECT id FROM transaction WHERE type = 'CustInvc'"],
    ['netsuite.payment', "SELECT id FROM transaction WHERE type = 'CustPymt'"],
  ] as const) {
    out[name] = 0;
    for await (const _ of suiteQl(systems.netsuite, { q })) out[name]++;
  }
  for (const [name, path] of [['stripe.customer', 'customers'], ['stripe.subscription', 'subscriptions'], ['stripe.invoice', 'invoices']] as const) {
    out[name] = 0;
    for await (const _ of systems.stripe.list<StripeCustomer>(path, path === 'subscriptions' ? { status: 'all' } : {})) out[name]++;
  }
  return out;
}
