/**
 * The SAP actions against the SAP sandbox: a sales order booked once whatever is retried (a lost
 * answer during create, a retried step), customers created and updated by external reference,
 * the near-real-time checks, and the documents an event names.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SandboxInstance } from '../../../sandboxes/kit/index.ts';
import { SapClient, type SapRequest } from '../client.ts';
import { clientOf, patchFaults, sapAdmin, startSap } from '../test-support.ts';
import { checkAvailability } from './check-availability.ts';
import { createSalesOrder, type SalesOrderBody } from './create-sales-order.ts';
import { creditExposure } from './credit-exposure.ts';
import { getBillingDocument, getOutboundDelivery, listBillingDocuments } from './documents.ts';
import { findSalesOrderByReference } from './sales-order.ts';
import { upsertCustomer } from './upsert-customer.ts';
import { findBusinessPartner } from './business-partner.ts';

const order = (reference: string, soldToParty = '17100001'): SalesOrderBody => ({
  SalesOrganization: '1710', DistributionChannel: '10', OrganizationDivision: '00', SoldToParty: soldToParty, PurchaseOrderByCustomer: reference,
  to_Item: [{ Material: 'PUMP-CP250', RequestedQuantity: '2' }, { Material: 'SVC-COMMISSION', RequestedQuantity: '1' }],
});

async function countByReference(client: SapClient, reference: string): Promise<number> {
  const res = await client.get<{ d: { results: unknown[] } }>('API_SALES_ORDER_SRV', 'A_SalesOrder', { $filter: `PurchaseOrderByCustomer eq '${reference}'` });
  return res.body.d.results.length;
}

describe('SAP actions', () => {
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

  it('books a sales order once: a second call finds it by PurchaseOrderByCustomer', async () => {
    const first = await createSalesOrder(client, order('D365-OPP-1'));
    assert.equal(first.created, true);
    assert.equal(first.order.TotalNetAmount, String(2 * 7900 + 1200));
    const again = await createSalesOrder(client, order('D365-OPP-1'));
    assert.deepEqual([again.created, again.order.SalesOrder], [false, first.order.SalesOrder]);
    assert.equal(await countByReference(client, 'D365-OPP-1'), 1);
  });

  it('leaves exactly one sales order when the create answer is lost and the step is retried', async () => {
    // Only the create's answer is dropped: SAP commits the order, the connection dies before the 201.
    let dropped = 0;
    class DropCreate extends SapClient {
      override async request<T>(req: SapRequest) {
        const isCreate = req.method === 'POST' && req.path === 'A_SalesOrder';
        if (isCreate) await patchFaults(sap, { dropResponseRate: 1 });
        try {
          return await super.request<T>(req);
        } catch (err) {
          if (isCreate) dropped += 1;
          throw err;
        } finally {
          if (isCreate) await patchFaults(sap, { dropResponseRate: 0 });
        }
      }
    }
    const state = (await (await fetch(`${sap.url}/__sandbox/state`)).json()) as { basicAuth: { username: string; password: string } };
    const dropping = new DropCreate({ baseUrl: sap.url, credentials: { kind: 'basic', ...state.basicAuth }, allow: ['127.0.0.1'] });
    try {
      await dropping.warmUp();
      const lost = await createSalesOrder(dropping, order('D365-OPP-DROP'));
      assert.equal(dropped, 1, 'the create answer was lost');
      assert.equal(lost.created, true, 'the action found the order its lost create made');
      const retried = await createSalesOrder(dropping, order('D365-OPP-DROP'));
      assert.deepEqual([retried.created, retried.order.SalesOrder], [false, lost.order.SalesOrder]);
      assert.equal(await countByReference(client, 'D365-OPP-DROP'), 1);
    } finally {
      await dropping.close();
    }
  });

  it('keeps booking across a CSRF expiry mid-run, still one order per reference', async () => {
    await createSalesOrder(client, order('D365-OPP-CSRF-1'));
    await sapAdmin(sap, 'csrf/expire');
    const second = await createSalesOrder(client, order('D365-OPP-CSRF-2'));
    assert.equal(second.created, true);
    assert.equal(await countByReference(client, 'D365-OPP-CSRF-2'), 1);
  });

  it('creates a customer by deep insert, then updates its name with the ETag and adds a sales area', async () => {
    const area = { SalesOrganization: '1710', DistributionChannel: '10', Division: '00', Currency: 'CHF' };
    const body = {
      BusinessPartnerIDByExtSystem: 'CUST-2001', OrganizationBPName1: 'Northwind Pumps AG', SearchTerm1: 'CUST-2001',
      to_BusinessPartnerAddress: [{ AddressID: '1', Country: 'CH', CityName: 'Basel', StreetName: 'Rheinweg 4', PostalCode: '4058' }],
      to_Customer: { to_CustomerSalesArea: [area] },
    };
    const created = await upsertCustomer(client, body);
    assert.equal(created.created, true);
    assert.equal(created.businessPartner.Customer, created.businessPartner.BusinessPartner);
    assert.equal(created.businessPartner.salesAreas[0]?.Currency, 'CHF');
    const updated = await upsertCustomer(client, { ...body, OrganizationBPName1: 'Northwind Pumps Holding AG', to_Customer: { to_CustomerSalesArea: [area, { ...area, DistributionChannel: '20' }] } });
    assert.equal(updated.created, false);
    assert.equal(updated.businessPartner.BusinessPartner, created.businessPartner.BusinessPartner);
    assert.equal(updated.businessPartner.OrganizationBPName1, 'Northwind Pumps Holding AG');
    assert.equal(updated.businessPartner.salesAreas.length, 2);
  });

  it('finds the seeded partner of a Dynamics account by its account number', async () => {
    const bp = await findBusinessPartner(client, 'CUST-1002');
    assert.equal(bp?.BusinessPartner, '17100002');
    assert.equal(bp?.salesAreas[0]?.Currency, 'USD');
    assert.equal(await findBusinessPartner(client, 'CUST-9999'), undefined);
  });

  it('answers availability and credit exposure, both moved by a new order', async () => {
    const before = await checkAvailability(client, { material: 'MOTOR-E15', plant: '1710' });
    const credit = await creditExposure(client, '17100003');
    await createSalesOrder(client, { ...order('D365-OPP-ATP', '17100003'), to_Item: [{ Material: 'MOTOR-E15', RequestedQuantity: '5' }] });
    assert.equal((await checkAvailability(client, { material: 'MOTOR-E15', plant: '1710' })).available, before.available - 5);
    const after = await creditExposure(client, '17100003');
    assert.equal(after.exposure, credit.exposure + 5 * 2650);
    assert.equal(after.limit, 80_000);
    assert.equal(after.exceeded, after.exposure > 80_000);
  });

  it('reads the delivery and billing document that follow an order', async () => {
    const { order: booked } = await createSalesOrder(client, order('D365-OPP-SHIP', '17100002'));
    const delivery = await sapAdmin(sap, `sales-orders/${booked.SalesOrder}/delivery`);
    await sapAdmin(sap, `outbound-deliveries/${String(delivery['DeliveryDocument'])}/goods-issue`);
    const billing = await sapAdmin(sap, `outbound-deliveries/${String(delivery['DeliveryDocument'])}/billing`, { taxRate: 0.07 });
    const shipped = await getOutboundDelivery(client, String(delivery['DeliveryDocument']));
    assert.deepEqual([shipped.goodsMovementStatus, shipped.salesOrders], ['C', [booked.SalesOrder]]);
    const invoice = await getBillingDocument(client, String(billing['BillingDocument']));
    assert.equal(invoice.netAmount, booked.TotalNetAmount);
    assert.equal(invoice.grossAmount, String(Math.round(Number(booked.TotalNetAmount) * 1.07 * 100) / 100));
    const all = [];
    for await (const doc of listBillingDocuments(client, '17100002')) all.push(doc.billingDocument);
    assert.ok(all.includes(invoice.billingDocument));
    assert.equal((await findSalesOrderByReference(client, 'D365-OPP-SHIP'))?.OverallTotalDeliveryStatus, 'C');
  });
});
