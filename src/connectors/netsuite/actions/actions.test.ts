import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { InterlockError } from '../../../core/errors.ts';
import type { SandboxInstance } from '../../../sandboxes/kit/index.ts';
import { idFromLocation } from '../client.ts';
import type { NetSuiteClient } from '../client.ts';
import { clientOf, patchFaults, startNetSuite } from '../test-support.ts';
import { billSalesOrder } from './bill-sales-order.ts';
import { closeSalesOrder } from './close-sales-order.ts';
import { createSalesOrder } from './create-sales-order.ts';
import { getInvoice } from './get-invoice.ts';
import { getSalesOrder } from './get-sales-order.ts';
import { recordPayment } from './record-payment.ts';
import { suiteQl } from './suiteql-query.ts';
import { upsertCustomer } from './upsert-customer.ts';

describe('NetSuite actions', () => {
  let sandbox: SandboxInstance;
  let client: NetSuiteClient;

  before(async () => {
    sandbox = await startNetSuite();
    client = await clientOf(sandbox);
  });
  after(async () => {
    await client.close();
    await sandbox.close();
  });

  async function count(q: string): Promise<number> {
    const rows = [];
    for await (const row of suiteQl(client, { q })) rows.push(row);
    return rows.length;
  }

  const order = (externalId: string) => ({
    externalId,
    customer: { externalId: 'ACME-001' },
    memo: 'Acme expansion',
    lines: [
      { item: { externalId: 'PLAT-SUB' }, quantity: 10, rate: 1100 },
      { item: { externalId: 'ONBOARD-SVC' }, quantity: 1 },
    ],
  });

  it('upserts a customer by external id: created once, then updated in place', async () => {
    const first = await upsertCustomer(client, { externalId: '001A000000000NEW', fields: { companyName: 'Initech', subsidiary: { id: '1' }, email: 'ap@initech.example' } });
    const again = await upsertCustomer(client, { externalId: '001A000000000NEW', fields: { companyName: 'Initech LLC' } });
    assert.equal(again.id, first.id);
    const read = await client.rest<{ companyName: string; email: string }>({ method: 'GET', path: `record/v1/customer/${first.id}` });
    assert.equal(read.body.companyName, 'Initech LLC');
    assert.equal(read.body.email, 'ap@initech.example');
    assert.equal(await count("SELECT id FROM customer WHERE externalid = '001A000000000NEW'"), 1);
  });

  it('makes one customer when the answer to the upsert was lost and the step retried', async () => {
    await patchFaults(sandbox, { dropResponseRate: 1 });
    await assert.rejects(
      upsertCustomer(client, { externalId: '001A000000000DRP', fields: { companyName: 'Hooli', subsidiary: { id: '1' } } }),
      (e) => e instanceof InterlockError && e.code === 'transient',
    );
    await patchFaults(sandbox, { dropResponseRate: 0 });
    await upsertCustomer(client, { externalId: '001A000000000DRP', fields: { companyName: 'Hooli', subsidiary: { id: '1' } } });
    assert.equal(await count("SELECT id FROM customer WHERE externalid = '001A000000000DRP'"), 1);
  });

  it('creates a sales order with its lines and document number, and finds it on a retry', async () => {
    const made = await createSalesOrder(client, order('006A00000000001AAA'));
    assert.equal(made.created, true);
    assert.match(made.order.tranId, /\S/);
    assert.equal(made.order.externalId, '006A00000000001AAA');
    assert.deepEqual(made.order.item.items.map((l) => [l.item.refName, l.quantity, l.rate]), [['PLAT-SUB', 10, 1100], ['ONBOARD-SVC', 1, 5000]]);
    assert.equal(made.order.total, 16_000);
    const retry = await createSalesOrder(client, order('006A00000000001AAA'));
    assert.deepEqual({ id: retry.order.id, tranId: retry.order.tranId, created: retry.created }, { id: made.order.id, tranId: made.order.tranId, created: false });
    const read = await getSalesOrder(client, { id: made.order.id });
    assert.equal(read.tranId, made.order.tranId);
  });

  it('makes one sales order when two attempts race', async () => {
    const results = await Promise.all([createSalesOrder(client, order('006A00000000002AAA')), createSalesOrder(client, order('006A00000000002AAA'))]);
    assert.equal(results[0].order.id, results[1].order.id);
    assert.equal(await count("SELECT id FROM transaction WHERE type = 'SalesOrd' AND externalid = '006A00000000002AAA'"), 1);
  });

  it('makes one sales order when the answer to the create was lost, and the retry finds it untouched', async () => {
    await patchFaults(sandbox, { dropResponseRate: 1 });
    await assert.rejects(createSalesOrder(client, order('006A00000000008AAA')), (e) => e instanceof InterlockError && e.code === 'transient');
    await patchFaults(sandbox, { dropResponseRate: 0 });
    const retry = await createSalesOrder(client, { ...order('006A00000000008AAA'), memo: 'changed by the retry' });
    assert.equal(retry.created, false);
    assert.equal(retry.order.memo, 'Acme expansion');
    assert.equal(await count("SELECT id FROM transaction WHERE type = 'SalesOrd' AND externalid = '006A00000000008AAA'"), 1);
  });

  it('refuses an order without lines or with a bad quantity before calling NetSuite', async () => {
    await assert.rejects(createSalesOrder(client, { ...order('x'), lines: [] }), (e) => e instanceof InterlockError && e.code === 'validation');
    await assert.rejects(
      createSalesOrder(client, { ...order('x'), lines: [{ item: { externalId: 'PLAT-SUB' }, quantity: 0 }] }),
      (e) => e instanceof InterlockError && e.code === 'validation',
    );
  });

  it('reports an unknown item as validation', async () => {
    await assert.rejects(
      createSalesOrder(client, { ...order('006A00000000003AAA'), lines: [{ item: { externalId: 'NO-SUCH-SKU' }, quantity: 1 }] }),
      (e) => e instanceof InterlockError && e.code === 'validation' && e.details?.['errorCode'] === 'INVALID_KEY_OR_REF',
    );
  });

  it('reads an invoice and its payment state', async () => {
    const { order: so } = await createSalesOrder(client, order('006A00000000004AAA'));
    const billed = await client.rest({ method: 'POST', path: `record/v1/salesOrder/${so.id}/!transform/invoice`, json: {} });
    const invoiceId = idFromLocation(billed);
    const open = await getInvoice(client, { id: invoiceId });
    assert.equal(open.status?.refName, 'Open');
    assert.equal(open.createdFrom?.id, so.id);
    assert.equal(open.total, 16_000);
    assert.equal(open.item.items.length, 2);
    await client.rest({ method: 'POST', path: `record/v1/invoice/${invoiceId}/!transform/customerPayment`, json: {} });
    const paid = await getInvoice(client, { id: invoiceId });
    assert.equal(paid.status?.refName, 'Paid In Full');
    assert.equal(paid.amountRemaining, 0);
    await assert.rejects(getInvoice(client, { id: '999999' }), (e) => e instanceof InterlockError && e.code === 'not-found');
  });

  it('bills a sales order and records a payment once per billing event, even when an answer is lost', async () => {
    const { order: so } = await createSalesOrder(client, order('006A00000000006AAA'));
    const billed = await billSalesOrder(client, { salesOrder: { externalId: '006A00000000006AAA' }, externalId: 'in_1', memo: 'Stripe in_1' });
    assert.equal(billed.created, true);
    assert.equal(billed.invoice.createdFrom?.id, so.id);
    assert.equal(billed.invoice.externalId, 'in_1');
    const again = await billSalesOrder(client, { salesOrder: { id: so.id }, externalId: 'in_1' });
    assert.deepEqual([again.invoice.id, again.created], [billed.invoice.id, false]);

    // A first attempt's transform is committed, but its answer never arrives (the fault drops
    // every answer, so the attempt is made here as the action makes it).
    await patchFaults(sandbox, { dropResponseRate: 1 });
    await assert.rejects(
      client.rest({ method: 'POST', path: `record/v1/invoice/${billed.invoice.id}/!transform/customerPayment`, json: { payment: 6000, externalId: 'ch_1' } }),
      (e) => e instanceof InterlockError && e.code === 'transient',
    );
    await patchFaults(sandbox, { dropResponseRate: 0 });
    const partial = await recordPayment(client, { invoice: { externalId: 'in_1' }, externalId: 'ch_1', amount: 6000 });
    assert.equal(partial.created, false);
    assert.equal(partial.invoice.amountRemaining, 10_000);
    const rest = await recordPayment(client, { invoice: { externalId: 'in_1' }, externalId: 'ch_2' });
    assert.equal(rest.created, true);
    assert.equal(rest.invoice.status?.refName, 'Paid In Full');
    assert.equal(await count(`SELECT id FROM transaction WHERE type = 'CustPymt' AND externalid IN ('ch_1', 'ch_2')`), 2);
    assert.equal(await count("SELECT id FROM transaction WHERE type = 'CustInvc' AND externalid = 'in_1'"), 1);
  });

  it('makes one invoice when two attempts to bill race', async () => {
    await createSalesOrder(client, order('006A00000000007AAA'));
    const input = { salesOrder: { externalId: '006A00000000007AAA' }, externalId: 'in_race' };
    const [a, b] = await Promise.all([billSalesOrder(client, input), billSalesOrder(client, input)]);
    assert.equal(a.invoice.id, b.invoice.id);
    assert.equal(await count("SELECT id FROM transaction WHERE type = 'CustInvc' AND externalid = 'in_race'"), 1);
  });

  it('pages SuiteQL with limit and offset', async () => {
    const all = [];
    for await (const row of suiteQl(client, { q: 'SELECT id, itemid FROM item ORDER BY id', pageSize: 4 })) all.push(row);
    assert.equal(all.length, 6);
    assert.equal(new Set(all.map((r) => r['id'])).size, 6);
    assert.ok(all.some((r) => r['itemid'] === 'HW-GATEWAY'));
    const firstTwo = [];
    for await (const row of suiteQl(client, { q: 'SELECT id FROM item ORDER BY id', pageSize: 4 })) {
      firstTwo.push(row);
      if (firstTwo.length === 2) break;
    }
    assert.deepEqual(firstTwo, all.slice(0, 2).map((r) => ({ id: r['id'] })));
    await assert.rejects(async () => {
      for await (const row of suiteQl(client, { q: 'SELEC nonsense' })) assert.fail(`unexpected row ${JSON.stringify(row)}`);
    }, (e) => e instanceof InterlockError && e.code === 'validation');
  });

  it('closes every line of a sales order as compensation', async () => {
    const { order: so } = await createSalesOrder(client, order('006A00000000005AAA'));
    const closed = await closeSalesOrder(client, { id: so.id }, 'Deal failed: subscription could not be created');
    assert.ok(closed.item.items.every((l) => l.isClosed === true));
    assert.equal(closed.memo, 'Deal failed: subscription could not be created');
    // Closing again changes nothing and does not fail.
    await closeSalesOrder(client, { id: so.id });
  });
});
