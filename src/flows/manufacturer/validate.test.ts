/**
 * The manufacturer's deal checks without I/O: the Dynamics mappings to canonical, legal entity →
 * SAP sales area, currency, price list, catalogue products, account number, and the discount.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { DynamicsOpportunity } from '../../connectors/dynamics/actions/get-opportunity.ts';
import { DEFAULT_MANUFACTURER_CONFIG } from './config.ts';
import { loadManufacturerMappers, type ManufacturerMappers } from './deps.ts';
import { checkDeal, maxDiscountPercent, toCanonical } from './validate.ts';

const ACCOUNT = 'a1a1a1a1-0000-4000-a000-000000000001';
const OPP = 'b2b2b2b2-0000-4000-a000-000000000002';

function opportunity(overrides: { account?: Record<string, unknown>; currency?: string; lines?: Array<Record<string, unknown>>; priceList?: string | null } = {}): DynamicsOpportunity {
  return {
    opportunityid: OPP, name: 'Pumps', statecode: 1, statuscode: 3, versionnumber: 7, totalamount: 8400, actualclosedate: '2026-11-20',
    _customerid_value: ACCOUNT, _pricelevelid_value: overrides.priceList === null ? null : (overrides.priceList ?? 'c3c3c3c3-0000-4000-a000-000000000003'),
    customerid_account: { accountid: ACCOUNT, name: 'Contoso Manufacturing GmbH', accountnumber: 'CUST-1001', versionnumber: 3, address1_line1: 'Industriestraße 12', address1_city: 'Stuttgart', address1_postalcode: '70565', address1_country: 'DE', ...overrides.account },
    transactioncurrencyid: { isocurrencycode: overrides.currency ?? 'EUR' },
    opportunityproducts: overrides.lines ?? [
      { opportunityproductid: 'd4d4d4d4-0000-4000-a000-000000000004', sequencenumber: 1, quantity: 2, priceperunit: 4200, baseamount: 8400, extendedamount: 8400, _productid_value: 'e5', productid: { productnumber: 'PUMP-CP100', name: 'Pump' } },
    ],
  } as unknown as DynamicsOpportunity;
}

describe('manufacturer deal checks', () => {
  let mappers: ManufacturerMappers;
  before(async () => {
    mappers = await loadManufacturerMappers();
  });

  const problemsOf = async (o: DynamicsOpportunity, config = DEFAULT_MANUFACTURER_CONFIG): Promise<string[]> => {
    const c = await toCanonical(o, mappers);
    if (!c.ok) return c.problems;
    return checkDeal(o, c.order, c.customer, config);
  };

  it('passes a deal from the price list in a kept currency, with the customer in the deal currency', async () => {
    const c = await toCanonical(opportunity(), mappers);
    assert.ok(c.ok);
    assert.equal(c.order.legalEntity, 'DE01');
    assert.equal(c.customer.currency, 'EUR');
    assert.equal(c.order.billingAddress?.country, 'DE');
    assert.deepEqual(checkDeal(opportunity(), c.order, c.customer, DEFAULT_MANUFACTURER_CONFIG), []);
  });

  it('names a legal entity no sales area sells for, a currency SAP does not keep, and a missing price list', async () => {
    const problems = await problemsOf(opportunity({ account: { address1_country: 'FR' }, currency: 'CHF', priceList: null }));
    assert.equal(problems.length, 3, problems.join('\n'));
    assert.match(problems[0] ?? '', /legal entity FR01.*US01, DE01, UK01/);
    assert.match(problems[1] ?? '', /Currency CHF/);
    assert.match(problems[2] ?? '', /no price list/);
  });

  it('refuses write-in products and a missing account number', async () => {
    const problems = await problemsOf(opportunity({
      account: { accountnumber: null },
      lines: [{ opportunityproductid: 'x', sequencenumber: 1, quantity: 1, priceperunit: 10, baseamount: 10, extendedamount: 10, isproductoverridden: true, productid: null, productdescription: 'Custom flange' }],
    }));
    assert.ok(problems.some((p) => /Account Number/.test(p)), problems.join('\n'));
    assert.ok(problems.some((p) => /Custom flange.*write-in/.test(p)), problems.join('\n'));
  });

  it('reports an account without a customer account as a problem, not a failure', async () => {
    const o = { ...opportunity(), customerid_account: null } as DynamicsOpportunity;
    assert.deepEqual(await problemsOf(o), ['The opportunity has no account as its customer: set Potential Customer to an account.']);
  });

  it('measures the largest manual discount against the line amount', () => {
    const lines = [
      { baseamount: 1000, manualdiscountamount: 100 },
      { baseamount: 400, manualdiscountamount: 100 },
      { baseamount: 0, manualdiscountamount: 5 },
    ];
    assert.equal(maxDiscountPercent(opportunity({ lines })), 25);
  });
});
