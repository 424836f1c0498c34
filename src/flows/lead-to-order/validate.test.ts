import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { OpportunityLine, OpportunityWithLines } from '../../connectors/salesforce/actions/get-opportunity.ts';
import { toCanonical } from './canonical.ts';
import { DEFAULT_LEAD_TO_ORDER_CONFIG } from './config.ts';
import { loadLeadToOrderMappers } from './deps.ts';
import type { LeadToOrderMappers } from './deps.ts';
import { checkDeal, maxDiscountPercent, problemText } from './validate.ts';

const line = (over: Partial<OpportunityLine> = {}): OpportunityLine => ({
  Id: '00kHs0000000001IAA',
  Product2Id: '01tHs0000000001IAA',
  Product2: { ProductCode: 'PLAT-SUB', Name: 'Platform', Recurring__c: true },
  PricebookEntryId: '01uHs0000000001IAA',
  Quantity: 2,
  UnitPrice: 1200,
  ListPrice: 1200,
  TotalPrice: 2400,
  Discount: null,
  SortOrder: null,
  Billing_Frequency__c: 'Annual',
  ...over,
});

const opportunity = (lines: OpportunityLine[], account: Partial<NonNullable<OpportunityWithLines['Account']>> = {}): OpportunityWithLines => ({
  Id: '006Hs0000000001IAA',
  Name: 'Acme - Platform',
  StageName: 'Closed Won',
  CloseDate: '2026-11-30',
  AccountId: '001Hs0000000001IAA',
  Amount: 2400,
  CurrencyIsoCode: 'USD',
  IsWon: true,
  IsClosed: true,
  Pricebook2Id: '01sHs0000000001IAA',
  SystemModstamp: '2026-11-26T10:00:00.000+0000',
  Account: { Id: '001Hs0000000001IAA', Name: 'Acme Corporation', Legal_Entity__c: 'Interlock US Inc', BillingCountry: 'United States', BillingState: 'CA', CurrencyIsoCode: 'USD', ...account },
  OpportunityLineItems: { totalSize: lines.length, done: true, records: lines },
});

describe('lead-to-order validation', () => {
  let mappers: LeadToOrderMappers;
  before(async () => {
    mappers = await loadLeadToOrderMappers();
  });

  const check = async (opp: OpportunityWithLines): Promise<string[]> => {
    const deal = await toCanonical(opp, mappers);
    assert.ok(deal.ok, deal.ok ? '' : deal.problems.join('; '));
    return checkDeal(opp, deal.order, DEFAULT_LEAD_TO_ORDER_CONFIG);
  };

  it('maps an opportunity whose lines Salesforce left unsorted, with the account as customer and its billing address', async () => {
    const deal = await toCanonical(opportunity([line(), line({ Id: '00kHs0000000002IAA', Product2: { ProductCode: 'ONBOARD-SVC', Recurring__c: false } })]), mappers);
    assert.ok(deal.ok);
    assert.deepEqual(deal.order.lines.map((l) => [l.lineNumber, l.sku]), [[1, 'PLAT-SUB'], [2, 'ONBOARD-SVC']]);
    assert.equal(deal.order.customerId, deal.customer.id);
    assert.equal(deal.order.status, 'booked');
    assert.deepEqual(deal.order.billingAddress, { region: 'CA', country: 'US' });
  });

  it('accepts a deal with a known legal entity, a NetSuite currency and price-book lines of one frequency', async () => {
    assert.deepEqual(await check(opportunity([line(), line({ Product2: { ProductCode: 'TRAIN-DAY', Recurring__c: false }, Billing_Frequency__c: 'One-Time' })])), []);
  });

  it('names each problem in words a salesperson can act on', async () => {
    const problems = await check(
      opportunity(
        [line(), line({ Billing_Frequency__c: 'Monthly' }), line({ PricebookEntryId: null, UnitPrice: 1500, Product2: { ProductCode: null, Name: 'Custom', Recurring__c: false } })],
        { Legal_Entity__c: 'Interlock Narnia' },
      ),
    );
    assert.deepEqual(problems, [
      'Account Legal Entity "Interlock Narnia" is not a NetSuite subsidiary: use one of Interlock US Inc, Interlock GmbH, Interlock Ltd.',
      "Line 3 (Custom) is not from the opportunity's price book: re-add it from the price book.",
      'Line 3 (Custom) has a product without a Product Code (the NetSuite item).',
      'Line 3 (Custom) sells at 1500, above its list price 1200: price-book prices are the ceiling.',
      'Recurring lines bill Annual and Monthly: one subscription bills at one frequency, so give every recurring line the same Billing Frequency.',
    ]);
    assert.equal(problemText(problems.slice(0, 2)), `1. ${problems[0] ?? ''}\n2. ${problems[1] ?? ''}`);
  });

  it('refuses a currency NetSuite does not keep and an opportunity without products', async () => {
    const opp = { ...opportunity([]), CurrencyIsoCode: 'JPY' };
    assert.deepEqual(await check(opp), ['Currency JPY is not set up in NetSuite: use one of USD, EUR, GBP.', 'The opportunity has no products: add its line items.']);
  });

  it('reports an opportunity without an account instead of failing', async () => {
    const deal = await toCanonical({ ...opportunity([line()]), AccountId: null, Account: null }, mappers);
    assert.deepEqual(deal, { ok: false, problems: ['The opportunity has no account: set Account.'] });
  });

  it('turns a value the mappings cannot translate into a problem naming the field', async () => {
    const deal = await toCanonical(opportunity([line()], { BillingCountry: 'Narnia' }), mappers);
    assert.deepEqual(deal, { ok: false, problems: ['Account field billingAddress.country is not usable (map: country): "Narnia" is not in value map "country"'] });
  });

  it('takes the largest discount, given as Discount or as a sales price below list', () => {
    assert.equal(maxDiscountPercent(opportunity([line()])), 0);
    assert.equal(maxDiscountPercent(opportunity([line({ Discount: 12.5 }), line({ UnitPrice: 900 })])), 25);
    assert.equal(maxDiscountPercent(opportunity([line({ Discount: 30 }), line({ UnitPrice: 900 })])), 30);
  });
});
