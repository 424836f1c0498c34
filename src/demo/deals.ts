/**
 * The demo's deals, and how a salesperson makes them in Salesforce: an opportunity on a seeded
 * account with lines from the standard price book, then "Closed Won". Each demo run makes new
 * opportunities (named with the run's time), so a demo can be run again on the same sandboxes.
 */
import { queryRecords } from '../connectors/salesforce/actions/query-records.ts';
import { soqlString } from '../connectors/salesforce/actions/soql.ts';
import type { SalesforceClient } from '../connectors/salesforce/client.ts';
import { InterlockError } from '../core/errors.ts';

/** One line: product code, quantity, billing frequency, discount percent. */
export type DealLine = readonly [code: string, quantity: number, frequency: 'Monthly' | 'Annual' | 'One-Time', discount?: number];

/** A deal of the scenario and what happens to it. */
export interface DemoDeal {
  /** Short handle in the printout. */
  key: 'support' | 'expansion' | 'platform' | 'new-logo';
  account: string;
  title: string;
  lines: readonly DealLine[];
  /** What the scenario does to it, in words (printed up front). */
  plot: string;
}

/** The four deals of the story. */
export const DEMO_DEALS: readonly DemoDeal[] = [
  { key: 'support', account: 'Initech Ltd', title: 'Premium Support', lines: [['SUPPORT-PREM', 10, 'Monthly']], plot: 'books straight through; later renews' },
  {
    key: 'expansion',
    account: 'Globex GmbH',
    title: 'Platform expansion',
    lines: [['PLAT-SUB', 12, 'Annual', 30], ['TRAIN-DAY', 2, 'One-Time']],
    plot: '30% discount needs approval (auto-approved in the demo)',
  },
  {
    key: 'platform',
    account: 'Acme Corporation',
    title: 'Platform and seats',
    lines: [['PLAT-SUB', 12, 'Annual'], ['SEAT-ADDON', 25, 'Monthly'], ['ONBOARD-SVC', 1, 'One-Time']],
    plot: 'mixed billing terms fail validation; the salesperson fixes them',
  },
  { key: 'new-logo', account: 'Umbrella Health', title: 'New logo', lines: [['PLAT-SUB', 12, 'Annual'], ['SUPPORT-PREM', 12, 'Annual']], plot: "the customer's card is declined" },
];

interface Catalogue {
  pricebookId: string;
  entries: Map<string, { id: string; price: number }>;
}

async function catalogue(sf: SalesforceClient): Promise<Catalogue> {
  const entries = new Map<string, { id: string; price: number }>();
  let pricebookId = '';
  const soql = 'SELECT Id, Pricebook2Id, UnitPrice, Product2.ProductCode FROM PricebookEntry WHERE IsActive = true';
  for await (const e of queryRecords(sf, { soql })) {
    const code = (e['Product2'] as { ProductCode?: string } | null)?.ProductCode;
    if (code === undefined) continue;
    entries.set(code, { id: String(e['Id']), price: Number(e['UnitPrice']) });
    pricebookId = String(e['Pricebook2Id']);
  }
  return { pricebookId, entries };
}

async function accountId(sf: SalesforceClient, name: string): Promise<string> {
  for await (const a of queryRecords(sf, { soql: `SELECT Id FROM Account WHERE Name = ${soqlString(name)}` })) return String(a['Id']);
  throw new InterlockError('not-found', `the Salesforce sandbox has no account named ${name}; was it seeded?`);
}

/** Creates the deal as an open opportunity with its lines; returns the opportunity's id and name. */
export async function createDeal(sf: SalesforceClient, deal: DemoDeal, suffix: string): Promise<{ id: string; name: string; accountId: string }> {
  const book = await catalogue(sf);
  const account = await accountId(sf, deal.account);
  const name = `${deal.account} — ${deal.title} (${suffix})`;
  const closeDate = new Date().toISOString().slice(0, 10);
  const made = await sf.rest<{ id: string }>({
    method: 'POST',
    path: 'sobjects/Opportunity',
    json: { Name: name, AccountId: account, StageName: 'Negotiation/Review', CloseDate: closeDate, Pricebook2Id: book.pricebookId, Type: 'New Business' },
  });
  for (const [code, quantity, frequency, discount] of deal.lines) {
    const entry = book.entries.get(code);
    if (entry === undefined) throw new InterlockError('not-found', `the price book has no product ${code}`);
    await sf.rest({
      method: 'POST',
      path: 'sobjects/OpportunityLineItem',
      json: {
        OpportunityId: made.body.id,
        PricebookEntryId: entry.id,
        Quantity: quantity,
        UnitPrice: entry.price,
        Billing_Frequency__c: frequency,
        Subscription_Term_Months__c: frequency === 'One-Time' ? null : 12,
        ...(discount === undefined ? {} : { Discount: discount }),
      },
    });
  }
  return { id: made.body.id, name, accountId: account };
}

/** Sets the opportunity to Closed Won, as the salesperson does. */
export async function closeWon(sf: SalesforceClient, opportunityId: string): Promise<void> {
  await sf.rest({ method: 'PATCH', path: `sobjects/Opportunity/${opportunityId}`, json: { StageName: 'Closed Won' } });
}

/** The salesperson's fix of the "platform" deal: every recurring line billed annually. */
export async function alignBillingTerms(sf: SalesforceClient, opportunityId: string): Promise<void> {
  for await (const line of queryRecords(sf, { soql: `SELECT Id FROM OpportunityLineItem WHERE OpportunityId = ${soqlString(opportunityId)} AND Billing_Frequency__c = 'Monthly'` })) {
    await sf.rest({ method: 'PATCH', path: `sobjects/OpportunityLineItem/${String(line['Id'])}`, json: { Billing_Frequency__c: 'Annual' } });
  }
}
