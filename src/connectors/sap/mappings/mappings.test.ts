/**
 * The shipped SAP mappings end to end: a canonical customer and order mapped by the YAML files
 * are accepted by SAP as they are (the sandbox checks every property name and type), and the
 * mapped reference finds the order again.
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { loadMappingFile } from '../../../mapping/load.ts';
import { MemoryXrefRepository } from '../../../mapping/xref.ts';
import type { SandboxInstance } from '../../../sandboxes/kit/index.ts';
import type { SapClient } from '../client.ts';
import { clientOf, startSap } from '../test-support.ts';
import { createSalesOrder, type SalesOrderBody } from '../actions/create-sales-order.ts';
import { upsertCustomer, type BusinessPartnerBody } from '../actions/upsert-customer.ts';

const file = (name: string): string => fileURLToPath(new URL(name, import.meta.url));

describe('SAP mappings against the sandbox', () => {
  let sap: SandboxInstance;
  let client: SapClient;
  before(async () => {
    sap = await startSap();
    client = await clientOf(sap);
  });
  after(async () => {
    await client.close();
    await sap.close();
  });

  it('creates the partner and books the order from canonical records, once', async () => {
    const xref = new MemoryXrefRepository();
    const customer = { id: 'd365-acc-tailspin', name: 'Tailspin Fluid Systems BV', accountNumber: 'CUST-1004', legalEntity: 'DE01', currency: 'EUR', billingAddress: { city: 'Rotterdam', postalCode: '3011', country: 'NL' } };
    const bpBody = (await (await loadMappingFile(file('customer-to-business-partner.yaml'))).mapBatch<BusinessPartnerBody>([customer], { xref })).mapped[0]?.output;
    assert.ok(bpBody);
    const { businessPartner } = await upsertCustomer(client, bpBody);
    await xref.link({ canonicalType: 'customer', canonicalId: customer.id, system: 'sap', objectType: 'businessPartner', externalId: businessPartner.BusinessPartner });
    const order = {
      id: 'd365-opp-9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d', customerId: customer.id, status: 'booked', currency: 'EUR',
      lines: [{ lineNumber: 1, sku: 'VALVE-BV50', quantity: '12', unitPrice: { amount: '310', currency: 'EUR' } }],
    };
    const soBody = (await (await loadMappingFile(file('order-to-sales-order.yaml'))).mapBatch<SalesOrderBody>([order], { xref })).mapped[0]?.output;
    assert.ok(soBody);
    const first = await createSalesOrder(client, soBody);
    const second = await createSalesOrder(client, soBody);
    assert.deepEqual([first.created, second.created, second.order.SalesOrder], [true, false, first.order.SalesOrder]);
    assert.equal(first.order.SoldToParty, businessPartner.BusinessPartner);
    assert.equal(first.order.TotalNetAmount, String(12 * 310));
  });
});
