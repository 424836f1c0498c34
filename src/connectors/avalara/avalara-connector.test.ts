/**
 * The Avalara connector against the AvaTax sandbox: estimates, a committed invoice whose retry
 * finds the first document instead of creating a second, ping, and AvaTax failures translated
 * into the error taxonomy.
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Order } from '../../canonical/order.ts';
import { InterlockError, type ErrorCode } from '../../core/errors.ts';
import { avalaraSandbox } from '../../sandboxes/avalara/avalara-sandbox.ts';
import type { SandboxInstance } from '../../sandboxes/kit/index.ts';
import { commitInvoiceTax } from './actions/commit-invoice-tax.ts';
import { estimateTax } from './actions/estimate-tax.ts';
import { ping } from './actions/ping.ts';
import { voidInvoiceTax } from './actions/void-invoice-tax.ts';
import { AvalaraClient } from './client.ts';
import { classifyAvaTax } from './errors.ts';
import { taxDocumentFromOrder } from './from-order.ts';
import type { TaxDocumentInput } from './types.ts';

const SHIP_FROM = { line1: '100 Market St', city: 'San Francisco', region: 'CA', postalCode: '94105', country: 'US' };

const order: Order = {
  id: 'ord-1',
  customerId: 'cust-7',
  status: 'booked',
  orderDate: '2026-03-02',
  currency: 'USD',
  shippingAddress: { line1: '1 Main St', city: 'Los Angeles', region: 'CA', postalCode: '90001', country: 'US' },
  lines: [
    { lineNumber: 1, sku: 'HW-1', description: 'Appliance', quantity: '2', unitPrice: { amount: '500.00', currency: 'USD' }, taxCode: 'P0000000' },
    { lineNumber: 2, sku: 'PLAT', quantity: '1', unitPrice: { amount: '1000.00', currency: 'USD' }, discountPercent: '10', taxCode: 'SW054000' },
  ],
} as unknown as Order;

describe('Avalara connector', () => {
  let sandbox: SandboxInstance;
  let avalara: AvalaraClient;
  let document: TaxDocumentInput;

  before(async () => {
    sandbox = await avalaraSandbox.start();
    avalara = new AvalaraClient({ accountId: '2001', licenseKey: 'license', baseUrl: sandbox.url, allow: ['127.0.0.1'] });
    document = taxDocumentFromOrder(order, { shipFrom: SHIP_FROM });
  });
  after(async () => {
    await avalara.close();
    await sandbox.close();
  });
  beforeEach(async () => {
    await sandbox.reset();
  });

  const storedDocuments = async (): Promise<number> =>
    ((await (await fetch(`${sandbox.url}/__sandbox/state`)).json()) as { transactions: number }).transactions;

  it('builds the tax document from a canonical order', () => {
    assert.deepEqual(document, {
      customerCode: 'cust-7',
      date: '2026-03-02',
      currency: 'USD',
      shipFrom: SHIP_FROM,
      shipTo: { line1: '1 Main St', city: 'Los Angeles', region: 'CA', postalCode: '90001', country: 'US' },
      lines: [
        { number: '1', amount: 1000, quantity: 2, taxCode: 'P0000000', itemCode: 'HW-1', description: 'Appliance' },
        { number: '2', amount: 900, quantity: 1, taxCode: 'SW054000', itemCode: 'PLAT' },
      ],
    });
    assert.throws(() => taxDocumentFromOrder({ ...order, shippingAddress: undefined } as unknown as Order, { shipFrom: SHIP_FROM }), hasCode('validation'));
  });

  it('estimates tax as an unsaved SalesOrder, as often as asked', async () => {
    const estimate = await estimateTax(avalara, document);
    assert.deepEqual([estimate.type, estimate.status, estimate.id], ['SalesOrder', 'Temporary', 0]);
    // CA taxes the appliance at 7.25 % and exempts SaaS.
    assert.equal(estimate.totalTax, 72.5);
    assert.deepEqual(estimate.lines.map((l) => [l.lineNumber, l.tax, l.exemptAmount]), [
      ['1', 72.5, 0],
      ['2', 0, 900],
    ]);
    await estimateTax(avalara, document);
    assert.equal(await storedDocuments(), 0);
    const exempt = await estimateTax(avalara, { ...document, exemptionNo: 'EX-1' });
    assert.equal(exempt.totalTax, 0);
  });

  it('commits the invoice document under the idempotency key; a retry after a dropped response finds it', async () => {
    sandbox.faults.patch({ dropResponseRate: 1 });
    await assert.rejects(commitInvoiceTax(avalara, { document, idempotencyKey: 'inv-ord-1' }), hasCode('transient'));
    sandbox.faults.patch({ dropResponseRate: 0 });
    const retried = await commitInvoiceTax(avalara, { document, idempotencyKey: 'inv-ord-1' });
    assert.equal(retried.existed, true);
    assert.deepEqual([retried.transaction.code, retried.transaction.status, retried.transaction.totalTax], ['inv-ord-1', 'Committed', 72.5]);
    assert.equal(await storedDocuments(), 1);

    const fresh = await commitInvoiceTax(avalara, { document, idempotencyKey: 'inv-ord-2' });
    assert.equal(fresh.existed, false);
    assert.equal(fresh.transaction.status, 'Committed');
    assert.ok(fresh.transaction.id > 0);
    assert.equal(await storedDocuments(), 2);

    await assert.rejects(commitInvoiceTax(avalara, { document: { ...document, customerCode: 'someone-else' }, idempotencyKey: 'inv-ord-2' }), hasCode('conflict'));
    await assert.rejects(commitInvoiceTax(avalara, { document, idempotencyKey: 'x'.repeat(51) }), hasCode('validation'));
  });

  it('voids a committed document as compensation, repeatably', async () => {
    await commitInvoiceTax(avalara, { document, idempotencyKey: 'inv-void' });
    assert.equal((await voidInvoiceTax(avalara, 'inv-void')).status, 'Cancelled');
    assert.equal((await voidInvoiceTax(avalara, 'inv-void')).status, 'Cancelled');
    await assert.rejects(voidInvoiceTax(avalara, 'inv-never'), hasCode('not-found'));
  });

  it('pings with the configured credentials', async () => {
    const answer = await ping(avalara);
    assert.equal(answer.authenticated, true);
    assert.equal(answer.authenticationType, 'AccountIdLicenseKey');
    assert.throws(() => new AvalaraClient({ accountId: 'not-a-number', licenseKey: 'k', baseUrl: sandbox.url }), hasCode('validation'));
  });

  it('translates AvaTax failures into the taxonomy', async () => {
    const unknownCode = { ...document, lines: [{ number: '1', amount: 10, quantity: 1, taxCode: 'ZZ999' }] };
    await assert.rejects(estimateTax(avalara, unknownCode), (err: unknown) => hasCode('validation')(err) && (err as InterlockError).details?.avataxCode === 'EntityNotFoundError');
    await assert.rejects(estimateTax(avalara, { ...document, shipTo: { country: 'US', region: 'California' } }), (err: unknown) => {
      return hasCode('validation')(err) && (err as InterlockError).details?.refersTo === 'addresses.shipTo.region';
    });
    await assert.rejects(estimateTax(avalara, { ...document, lines: [] }), hasCode('validation'));
    await assert.rejects(avalara.get('companies/DEFAULT/transactions/nope'), hasCode('not-found'));

    sandbox.faults.patch({ rateLimit: { burst: 1 } });
    await assert.rejects(estimateTax(avalara, document), (err: unknown) => hasCode('rate-limited')(err) && (err as InterlockError).retryAfterMs === 1000);
    sandbox.faults.patch({ errorRate: 1 });
    await assert.rejects(estimateTax(avalara, document), hasCode('transient'));
    sandbox.faults.patch({ errorRate: 0, maintenance: true });
    await assert.rejects(ping(avalara), hasCode('transient'));
  });

  it('reads refused credentials as auth and a reused committed code as a conflict', () => {
    const body = (code: string) => ({ error: { code, message: code, target: 'HttpRequestHeaders', details: [{ code, message: code }] } });
    assert.equal(classifyAvaTax({ status: 401, headers: {}, body: body('AuthenticationException') })?.code, 'auth');
    assert.equal(classifyAvaTax({ status: 400, headers: {}, body: body('DocumentCodeConflict') })?.code, 'conflict');
    assert.equal(classifyAvaTax({ status: 400, headers: {}, body: body('SomethingElse') })?.code, 'permanent');
    assert.equal(classifyAvaTax({ status: 502, headers: {}, body: '<html>bad gateway</html>' }), undefined);
  });
});

function hasCode(code: ErrorCode): (err: unknown) => boolean {
  return (err: unknown) => {
    assert.ok(err instanceof InterlockError, String(err));
    assert.equal(err.code, code, err.message);
    return true;
  };
}
