/**
 * The demo data set (`seed: true`), created through the same record logic as API calls:
 *
 * - currencies USD (id 1), EUR (2), GBP (3);
 * - subsidiaries (legal entities) Interlock US Inc (1, USD), Interlock GmbH (2, EUR),
 *   Interlock Ltd (3, GBP) — the values of Salesforce's `Legal_Entity__c` in its sandbox seed;
 * - items whose `itemId` is the SKU the Salesforce seed uses as `ProductCode`: PLAT-SUB and
 *   SEAT-ADDON (nonInventorySaleItem), SUPPORT-PREM, ONBOARD-SVC, TRAIN-DAY (serviceSaleItem),
 *   plus one inventoryItem HW-GATEWAY; `basePrice` is the default line rate;
 * - two existing customers: Acme Corporation (externalId `ACME-001`, US, no credit limit) and
 *   Globex GmbH (externalId `GLOBEX-002`, DE, credit limit 50,000 EUR), so an integration's upsert
 *   by external id updates them; both owe nothing until transactions are booked.
 */
import { createRecord } from './records.ts';
import { findRecordType } from './schema.ts';
import type { NsRecordType } from './schema.ts';
import type { NsStore } from './store.ts';

function type(name: string): NsRecordType {
  const t = findRecordType(name);
  if (!t) throw new Error(`seed: unknown record type ${name}`);
  return t;
}

const ITEMS = [
  ['nonInventorySaleItem', 'PLAT-SUB', 'Interlock Platform Subscription', 1200],
  ['nonInventorySaleItem', 'SEAT-ADDON', 'Additional Seat', 40],
  ['serviceSaleItem', 'SUPPORT-PREM', 'Premium Support', 300],
  ['serviceSaleItem', 'ONBOARD-SVC', 'Onboarding Services', 5000],
  ['serviceSaleItem', 'TRAIN-DAY', 'Training Day', 1500],
  ['inventoryItem', 'HW-GATEWAY', 'Edge Gateway Appliance', 899],
] as const;

/** Loads the demo data set. */
export function seedNetSuite(store: NsStore): void {
  const usd = createRecord(store, type('currency'), { name: 'US Dollar', symbol: 'USD', exchangeRate: 1, isBaseCurrency: true });
  const eur = createRecord(store, type('currency'), { name: 'Euro', symbol: 'EUR', exchangeRate: 1.08, isBaseCurrency: false });
  const gbp = createRecord(store, type('currency'), { name: 'British Pound', symbol: 'GBP', exchangeRate: 1.27, isBaseCurrency: false });
  const us = createRecord(store, type('subsidiary'), { name: 'Interlock US Inc', legalName: 'Interlock US Inc.', country: 'US', currency: { id: usd.id } });
  const de = createRecord(store, type('subsidiary'), { name: 'Interlock GmbH', legalName: 'Interlock GmbH', country: 'DE', currency: { id: eur.id } });
  createRecord(store, type('subsidiary'), { name: 'Interlock Ltd', legalName: 'Interlock Ltd', country: 'GB', currency: { id: gbp.id } });
  for (const [itemType, sku, name, price] of ITEMS) {
    createRecord(store, type(itemType), { itemId: sku, displayName: name, salesDescription: name, basePrice: price, externalId: sku });
  }
  createRecord(store, type('customer'), {
    entityId: 'CUST-ACME', companyName: 'Acme Corporation', email: 'ap@acme.example', subsidiary: { id: us.id }, externalId: 'ACME-001',
    defaultAddress: '1 Market St\nSan Francisco CA 94105\nUnited States',
  });
  createRecord(store, type('customer'), {
    entityId: 'CUST-GLOBEX', companyName: 'Globex GmbH', email: 'buchhaltung@globex.example', subsidiary: { id: de.id }, externalId: 'GLOBEX-002', creditLimit: 50_000,
    defaultAddress: 'Friedrichstraße 10\n10117 Berlin\nGermany',
  });
}
