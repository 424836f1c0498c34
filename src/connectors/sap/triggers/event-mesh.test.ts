/**
 * The Event Mesh receiver: genuine deliveries from the SAP sandbox become typed notifications
 * (delivery created and goods issued, billing document created) naming the document to read;
 * a wrong secret is `auth`, a body that is no CloudEvent is `validation`, binary mode is read too,
 * and an unknown type is kept as `other`.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { describe, it } from 'node:test';
import { InterlockError } from '../../../core/errors.ts';
import { createSalesOrder } from '../actions/create-sales-order.ts';
import { getBillingDocument } from '../actions/documents.ts';
import { clientOf, sapAdmin, startSap } from '../test-support.ts';
import { EventMeshReceiver, parseSapEvent, type SapBusinessEvent } from './event-mesh.ts';

const SECRET = 'Bearer event-mesh-push-secret';

describe('SAP Event Mesh receiver', () => {
  it('turns the sandbox deliveries into typed events and reads the billed document', async () => {
    const receiver = new EventMeshReceiver({ secrets: [SECRET] });
    const events: SapBusinessEvent[] = [];
    const server = createServer((req, res) => {
      let rawBody = '';
      req.on('data', (c: Buffer) => (rawBody += c.toString()));
      req.on('end', () => {
        events.push(receiver.receive({ headers: req.headers, rawBody }));
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const sap = await startSap();
    const client = await clientOf(sap);
    try {
      await sapAdmin(sap, 'event-subscriptions', { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/sap/events`, headers: { Authorization: SECRET } });
      const { order } = await createSalesOrder(client, { SalesOrganization: '1710', DistributionChannel: '10', OrganizationDivision: '00', SoldToParty: '17100001', PurchaseOrderByCustomer: 'EVT-1', to_Item: [{ Material: 'SPARE-SEALKIT', RequestedQuantity: '10' }] });
      const delivery = await sapAdmin(sap, `sales-orders/${order.SalesOrder}/delivery`);
      await sapAdmin(sap, `outbound-deliveries/${String(delivery['DeliveryDocument'])}/goods-issue`);
      await sapAdmin(sap, `outbound-deliveries/${String(delivery['DeliveryDocument'])}/billing`);
      for (let i = 0; i < 200 && events.length < 3; i++) await new Promise((r) => setTimeout(r, 10));
      assert.deepEqual(events.map((e) => `${e.kind}:${'action' in e ? e.action : ''}`), ['delivery:created', 'delivery:goods-issued', 'billing:created']);
      const billed = events[2];
      assert.ok(billed?.kind === 'billing');
      const doc = await getBillingDocument(client, billed.billingDocument);
      assert.deepEqual(doc.salesOrders, [order.SalesOrder]);
    } finally {
      await client.close();
      await sap.close();
      server.close();
    }
  });

  it('refuses a wrong secret as auth and a body that is no CloudEvent as validation', () => {
    const receiver = new EventMeshReceiver({ secrets: [SECRET] });
    const body = JSON.stringify({ specversion: '1.0', type: 'sap.s4.beh.billingdocument.v1.BillingDocument.Created.v1', id: 'e1', source: '/x', data: { BillingDocument: '90000001' } });
    assert.throws(() => receiver.receive({ headers: { authorization: 'Bearer nope' }, rawBody: body }), (e: unknown) => e instanceof InterlockError && e.code === 'auth');
    assert.throws(() => receiver.receive({ headers: { authorization: SECRET }, rawBody: '{"hello":1}' }), (e: unknown) => e instanceof InterlockError && e.code === 'validation');
  });

  it('reads binary-mode events and keeps unknown types as other', () => {
    const binary = parseSapEvent({ headers: { 'ce-specversion': '1.0', 'ce-type': 'sap.s4.beh.outbounddelivery.v1.OutboundDelivery.Changed.v1', 'ce-id': 'b1' }, rawBody: '{"OutboundDelivery":"80000007"}' });
    assert.deepEqual(binary.kind === 'delivery' && [binary.action, binary.deliveryDocument], ['changed', '80000007']);
    const other = parseSapEvent({ headers: {}, rawBody: JSON.stringify({ specversion: '1.0', type: 'sap.s4.beh.product.v1.Product.Changed.v1', id: 'o1', data: { Product: 'X' } }) });
    assert.equal(other.kind, 'other');
  });
});
