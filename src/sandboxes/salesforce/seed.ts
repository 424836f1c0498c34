/**
 * The demo data set (`seed: true`), written through the same record logic as API calls:
 *
 * - 4 Accounts with billing address, `Legal_Entity__c` (Interlock US Inc / Interlock GmbH /
 *   Interlock Ltd), `External_Id__c` (`ACME-001`…);
 * - 5 Product2 with `ProductCode` = NetSuite item SKU (`PLAT-SUB`, `SEAT-ADDON`, `SUPPORT-PREM`
 *   recurring; `ONBOARD-SVC`, `TRAIN-DAY` one-time, `Recurring__c` says which);
 * - the standard Pricebook2 and one PricebookEntry per product (USD);
 * - 4 open Opportunities with OpportunityLineItems mixing recurring and one-time lines
 *   (`Billing_Frequency__c` Monthly/Annual/One-Time), ready to be set to "Closed Won".
 *
 * Integration write-back fields (`NetSuite_Order_Number__c`, `Stripe_Subscription_Id__c`,
 * `Stripe_Customer_Id__c`, `Integration_Status__c`, `Integration_Error__c`) start empty.
 * Seeding produces no CDC events: the log starts empty, as in a fresh org subscription.
 */
import { createRecord } from './records.ts';
import { findType } from './schema.ts';
import type { SObjectType } from './schema.ts';
import type { RecordStore, Transaction } from './store.ts';

/** The product catalogue, shared in spirit with the NetSuite seed (same SKUs). */
export const SEED_PRODUCTS = [
  { code: 'PLAT-SUB', name: 'Interlock Platform Subscription', family: 'Subscription', price: 1200, recurring: true },
  { code: 'SEAT-ADDON', name: 'Additional Seat', family: 'Subscription', price: 40, recurring: true },
  { code: 'SUPPORT-PREM', name: 'Premium Support', family: 'Support', price: 300, recurring: true },
  { code: 'ONBOARD-SVC', name: 'Onboarding Services', family: 'Services', price: 5000, recurring: false },
  { code: 'TRAIN-DAY', name: 'Training Day', family: 'Services', price: 1500, recurring: false },
] as const;

const ACCOUNTS = [
  { ext: 'ACME-001', name: 'Acme Corporation', street: '1 Market St', city: 'San Francisco', state: 'CA', zip: '94105', country: 'United States', entity: 'Interlock US Inc' },
  { ext: 'GLOBEX-002', name: 'Globex GmbH', street: 'Friedrichstraße 10', city: 'Berlin', state: 'BE', zip: '10117', country: 'Germany', entity: 'Interlock GmbH' },
  { ext: 'INITECH-003', name: 'Initech Ltd', street: '20 Finsbury Sq', city: 'London', state: 'LND', zip: 'EC2A 1DX', country: 'United Kingdom', entity: 'Interlock Ltd' },
  { ext: 'UMBRELLA-004', name: 'Umbrella Health', street: '500 Pine St', city: 'Seattle', state: 'WA', zip: '98101', country: 'United States', entity: 'Interlock US Inc' },
] as const;

const OPPORTUNITIES = [
  { account: 0, name: 'Acme - Platform 2025', stage: 'Negotiation/Review', lines: [['PLAT-SUB', 12, 'Annual'], ['SEAT-ADDON', 25, 'Monthly'], ['ONBOARD-SVC', 1, 'One-Time']] },
  { account: 1, name: 'Globex - Expansion', stage: 'Proposal/Price Quote', lines: [['PLAT-SUB', 12, 'Annual'], ['TRAIN-DAY', 2, 'One-Time']] },
  { account: 2, name: 'Initech - Support Upgrade', stage: 'Qualification', lines: [['SUPPORT-PREM', 12, 'Monthly']] },
  { account: 3, name: 'Umbrella - New Logo', stage: 'Prospecting', lines: [['PLAT-SUB', 12, 'Annual'], ['SUPPORT-PREM', 12, 'Monthly'], ['ONBOARD-SVC', 1, 'One-Time']] },
] as const;

function type(name: string): SObjectType {
  const t = findType(name);
  if (!t) throw new Error(`seed: unknown type ${name}`);
  return t;
}

/** Loads the demo data set. */
export function seedSalesforce(store: RecordStore, tx: Transaction): void {
  const accounts = ACCOUNTS.map((a) =>
    createRecord(store, tx, type('Account'), {
      Name: a.name, External_Id__c: a.ext, Type: 'Customer', Industry: 'Technology',
      BillingStreet: a.street, BillingCity: a.city, BillingState: a.state, BillingPostalCode: a.zip, BillingCountry: a.country,
      Legal_Entity__c: a.entity, CurrencyIsoCode: 'USD',
    }),
  );
  const book = createRecord(store, tx, type('Pricebook2'), { Name: 'Standard Price Book', IsActive: true });
  // The standard price book is a system record, not creatable through the API: flag it directly.
  store.update(tx, book, { IsStandard: true });
  const entries = new Map<string, string>();
  for (const p of SEED_PRODUCTS) {
    const product = createRecord(store, tx, type('Product2'), {
      Name: p.name, ProductCode: p.code, StockKeepingUnit: p.code, Family: p.family, IsActive: true, Recurring__c: p.recurring,
    });
    const entry = createRecord(store, tx, type('PricebookEntry'), { Pricebook2Id: book.id, Product2Id: product.id, UnitPrice: p.price, IsActive: true, CurrencyIsoCode: 'USD' });
    entries.set(p.code, entry.id);
  }
  const closeDate = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
  for (const o of OPPORTUNITIES) {
    const opp = createRecord(store, tx, type('Opportunity'), {
      Name: o.name, StageName: o.stage, CloseDate: closeDate, AccountId: accounts[o.account]?.id, Pricebook2Id: book.id, Type: 'New Business',
    });
    for (const [code, quantity, frequency] of o.lines) {
      const product = SEED_PRODUCTS.find((p) => p.code === code);
      createRecord(store, tx, type('OpportunityLineItem'), {
        OpportunityId: opp.id, PricebookEntryId: entries.get(code), Quantity: quantity, UnitPrice: product?.price,
        Billing_Frequency__c: frequency, Subscription_Term_Months__c: product?.recurring ? 12 : null,
      });
    }
  }
}
