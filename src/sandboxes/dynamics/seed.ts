/**
 * The demo data set (`seed: true`): a manufacturer of industrial pumps selling to plant operators,
 * created through the same write rules as API calls, with ids derived from names so they are the
 * same in every run:
 *
 * - currencies USD, EUR, GBP; the unit "Primary Unit"; price list "Manufacturer List 2026";
 * - products by `productnumber` (the SKU, and the material number the ERP side uses):
 *   PUMP-CP100, PUMP-CP250, MOTOR-E15, VALVE-BV50, SPARE-SEALKIT, SVC-COMMISSION;
 * - accounts CUST-1001 Contoso Manufacturing GmbH (DE, EUR), CUST-1002 Fabrikam Industries Inc.
 *   (US, USD), CUST-1003 Adventure Works Plant Services Ltd (GB, GBP), each with a billing
 *   address, a tax id (`il_taxid`), a credit limit and a primary contact;
 * - three open opportunities with product lines and system-calculated revenue.
 */
import type { RecordKey } from './keys.ts';
import { nameGuid, type Records } from './records.ts';
import { entityByName, type EntityDef } from './schema.ts';

const t = (name: string): EntityDef => entityByName(name) as EntityDef;
const id = (name: string): RecordKey => ({ kind: 'id', id: nameGuid(name) });
const bind = (set: string, name: string): string => `/${set}(${nameGuid(name)})`;

const PRODUCTS = [
  ['PUMP-CP100', 'Centrifugal Pump CP-100', 4200],
  ['PUMP-CP250', 'Centrifugal Pump CP-250', 7900],
  ['MOTOR-E15', 'Electric Motor 15 kW', 2650],
  ['VALVE-BV50', 'Ball Valve DN50', 310],
  ['SPARE-SEALKIT', 'Mechanical Seal Kit', 145],
  ['SVC-COMMISSION', 'Commissioning Service (day)', 1200],
] as const;

const ACCOUNTS = [
  { number: 'CUST-1001', name: 'Contoso Manufacturing GmbH', currency: 'EUR', taxid: 'DE811234567', limit: 250_000, phone: '+49 711 555 0100', email: 'einkauf@contoso-mfg.example', address: ['Industriestraße 12', 'Stuttgart', 'BW', '70565', 'DE'], contact: ['Anna', 'Keller', 'Head of Procurement'] },
  { number: 'CUST-1002', name: 'Fabrikam Industries Inc.', currency: 'USD', taxid: '38-1234567', limit: 400_000, phone: '+1 313 555 0142', email: 'purchasing@fabrikam.example', address: ['4000 Assembly Ave', 'Detroit', 'MI', '48201', 'US'], contact: ['Marcus', 'Reed', 'Plant Engineer'] },
  { number: 'CUST-1003', name: 'Adventure Works Plant Services Ltd', currency: 'GBP', taxid: 'GB123456789', limit: 80_000, phone: '+44 161 555 0190', email: 'orders@adventure-works.example', address: ['22 Mill Lane', 'Manchester', 'Greater Manchester', 'M1 2AB', 'GB'], contact: ['Priya', 'Shah', 'Maintenance Manager'] },
] as const;

const OPPORTUNITIES = [
  { key: 'OPP-1', account: 'CUST-1001', name: 'Contoso line 3 pump retrofit', close: '2026-12-15', lines: [['PUMP-CP250', 4], ['MOTOR-E15', 4], ['SVC-COMMISSION', 2]] },
  { key: 'OPP-2', account: 'CUST-1002', name: 'Fabrikam cooling loop valves', close: '2026-12-20', lines: [['VALVE-BV50', 40], ['PUMP-CP100', 1], ['SPARE-SEALKIT', 20]] },
  { key: 'OPP-3', account: 'CUST-1003', name: 'Adventure Works seal kit restock', close: '2027-01-10', lines: [['SPARE-SEALKIT', 50]] },
] as const;

/** Loads the demo data set. */
export function seedDynamics(records: Records): void {
  for (const [iso, name, symbol, rate] of [['USD', 'US Dollar', '$', 1], ['EUR', 'Euro', '€', 0.92], ['GBP', 'Pound Sterling', '£', 0.79]] as const) {
    records.create(t('transactioncurrency'), { currencyname: name, isocurrencycode: iso, currencysymbol: symbol, exchangerate: rate }, id(`currency:${iso}`));
  }
  records.create(t('uom'), { name: 'Primary Unit', quantity: 1 }, id('uom:primary'));
  records.create(t('pricelevel'), { name: 'Manufacturer List 2026', 'transactioncurrencyid@odata.bind': bind('transactioncurrencies', 'currency:USD') }, id('pricelevel:list'));
  for (const [sku, name, price] of PRODUCTS) {
    records.create(t('product'), {
      name, productnumber: sku, price, standardcost: Math.round(price * 0.55), quantitydecimal: 0, productstructure: 1,
      'defaultuomid@odata.bind': bind('uoms', 'uom:primary'), 'pricelevelid@odata.bind': bind('pricelevels', 'pricelevel:list'),
    }, id(`product:${sku}`));
  }
  for (const a of ACCOUNTS) {
    const [line1, city, region, postal, country] = a.address;
    records.create(t('account'), {
      name: a.name, accountnumber: a.number, telephone1: a.phone, emailaddress1: a.email, creditlimit: a.limit, creditonhold: false, il_taxid: a.taxid,
      address1_line1: line1, address1_city: city, address1_stateorprovince: region, address1_postalcode: postal, address1_country: country,
      'transactioncurrencyid@odata.bind': bind('transactioncurrencies', `currency:${a.currency}`),
    }, id(`account:${a.number}`));
    const [first, last, title] = a.contact;
    records.create(t('contact'), {
      firstname: first, lastname: last, jobtitle: title, emailaddress1: `${first.toLowerCase()}.${last.toLowerCase()}@${a.email.split('@')[1] ?? 'example.com'}`,
      'parentcustomerid_account@odata.bind': bind('accounts', `account:${a.number}`),
    }, id(`contact:${a.number}`));
    records.update(t('account'), records.require(t('account'), id(`account:${a.number}`)), { 'primarycontactid@odata.bind': bind('contacts', `contact:${a.number}`) });
  }
  for (const o of OPPORTUNITIES) {
    const currency = ACCOUNTS.find((a) => a.number === o.account)?.currency ?? 'USD';
    records.create(t('opportunity'), {
      name: o.name, estimatedclosedate: o.close, closeprobability: 60, isrevenuesystemcalculated: true, stepname: '3-Propose',
      'customerid_account@odata.bind': bind('accounts', `account:${o.account}`), 'parentaccountid@odata.bind': bind('accounts', `account:${o.account}`),
      'pricelevelid@odata.bind': bind('pricelevels', 'pricelevel:list'), 'transactioncurrencyid@odata.bind': bind('transactioncurrencies', `currency:${currency}`),
    }, id(`opportunity:${o.key}`));
    o.lines.forEach(([sku, quantity], index) => {
      records.create(t('opportunityproduct'), {
        quantity, lineitemnumber: index + 1, sequencenumber: index + 1,
        'opportunityid@odata.bind': bind('opportunities', `opportunity:${o.key}`), 'productid@odata.bind': bind('products', `product:${sku}`), 'uomid@odata.bind': bind('uoms', 'uom:primary'),
      }, id(`opportunityproduct:${o.key}:${index + 1}`));
    });
  }
}
