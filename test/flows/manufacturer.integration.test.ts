/**
 * The manufacturer's lead-to-order against the Dynamics 365, SAP and Avalara sandboxes, on both
 * stores: a seeded opportunity is won through the Web API, the flow runs with its id, and the test
 * reads back one SAP sales order per deal and the opportunity's integration columns — through
 * retriggers, a deal that fails validation and is fixed, an expired CSRF session, a 429 storm at
 * Dataverse, and a compensation that blocks the booked order.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, it } from 'node:test';
import { patchFaults as patchDynamicsFaults } from '../../src/connectors/dynamics/test-support.ts';
import { sapAdmin } from '../../src/connectors/sap/test-support.ts';
import { CLOSED_WON_EVENT } from '../../src/flows/lead-to-order/flow.ts';
import type { LeadToOrderResult } from '../../src/flows/lead-to-order/flow.ts';
import { drive } from '../../src/flows/lead-to-order/test-support.ts';
import { buildManufacturerDeps, type ManufacturerDeps } from '../../src/flows/manufacturer/deps.ts';
import { manufacturerLeadToOrderFlow } from '../../src/flows/manufacturer/flow.ts';
import { blockSalesOrder } from '../../src/flows/manufacturer/ports.ts';
import { manufacturerErpEventsFlow, sapInboxEvent, type ErpEventResult } from '../../src/flows/manufacturer/erp-events.ts';
import { validatorFor } from '../../src/canonical/catalogue.ts';
import type { SapBusinessEvent } from '../../src/connectors/sap/triggers/event-mesh.ts';
import {
  integrationColumns,
  patchRow,
  sapOrdersOf,
  seededAccount,
  seededOpportunity,
  startManufacturerSandboxes,
  winOpportunity,
  type ManufacturerSandboxes,
} from '../../src/flows/manufacturer/test-support.ts';
import { describeEachStore } from '../support/stores.ts';
import { testRuntime, unique } from './flow-harness.ts';

describeEachStore('manufacturer lead-to-order against the sandboxes', (get) => {
  let sandboxes: ManufacturerSandboxes;
  let deps: ManufacturerDeps;
  before(async () => {
    sandboxes = await startManufacturerSandboxes();
    deps = await buildManufacturerDeps(sandboxes.options);
  });
  after(async () => {
    await deps.close();
    await sandboxes.close();
  });
  beforeEach(async () => {
    await sandboxes.reset();
  });

  const runtime = () => {
    const name = unique('mfg');
    return { ...testRuntime(get().store, [manufacturerLeadToOrderFlow(deps, { name, retry: { initialDelayMs: 10, maxDelayMs: 50 } })]), name };
  };

  it('books a won opportunity as one SAP sales order and writes the number back, however often it is triggered', async () => {
    const { rt, clock, name } = runtime();
    const id = seededOpportunity('OPP-1');
    await winOpportunity(deps.dynamics, id);
    const first = await drive(rt, clock, (await rt.start(name, { key: id, input: { opportunityId: id } })).runId);
    assert.equal(first.status, 'completed', first.error ?? '');
    const output = first.output as LeadToOrderResult;
    assert.equal(output.status, 'synced');
    const orders = await sapOrdersOf(deps.sap, id);
    assert.equal(orders.length, 1);
    assert.equal(output.sapSalesOrder, orders[0]?.SalesOrder);
    // 4 × 7900 + 4 × 2650 + 2 × 1200, priced by SAP from its materials.
    assert.equal(Number(orders[0]?.TotalNetAmount), 4 * 7900 + 4 * 2650 + 2 * 1200);
    assert.deepEqual(await integrationColumns(deps.dynamics, id), {
      il_integrationstatus: 'Synced', il_integrationerror: null, il_erpordernumber: orders[0]?.SalesOrder, il_shipmentstatus: null, il_billingstatus: null, il_paymentstatus: null,
    });
    const steps = first.steps.map((s) => s.name);
    assert.deepEqual(steps, ['read-opportunity', 'validate', 'report-in-progress', 'sap-customer', 'sap-sales-order', 'write-back']);
    // A second trigger (a duplicate notification after the run) books nothing.
    const again = await drive(rt, clock, (await rt.start(name, { key: id, input: { opportunityId: id } })).runId);
    assert.equal((again.output as LeadToOrderResult).status, 'already-synced');
    assert.equal((await sapOrdersOf(deps.sap, id)).length, 1);
  });

  it('does not book twice when the run is replayed after the sales order was made but before it was journaled', async () => {
    const { rt, clock, name } = runtime();
    const id = seededOpportunity('OPP-2');
    await winOpportunity(deps.dynamics, id);
    // A run of another Interlock (or a lost answer) booked the order already: the flow finds it by reference.
    const earlier = await drive(rt, clock, (await rt.start(name, { key: id, input: { opportunityId: id } })).runId);
    assert.equal(earlier.status, 'completed', earlier.error ?? '');
    await patchRow(deps.dynamics, 'opportunities', id, { il_integrationstatus: 'In Progress' });
    const replay = await drive(rt, clock, (await rt.start(name, { key: id, input: { opportunityId: id } })).runId);
    assert.equal(replay.status, 'completed', replay.error ?? '');
    const orders = await sapOrdersOf(deps.sap, id);
    assert.equal(orders.length, 1);
    assert.equal((replay.output as LeadToOrderResult).sapSalesOrder, orders[0]?.SalesOrder);
  });

  it('writes the problems back, waits for the fix and then books', async () => {
    const { rt, clock, name } = runtime();
    const id = seededOpportunity('OPP-3');
    const account = seededAccount('CUST-1003');
    await patchRow(deps.dynamics, 'accounts', account, { address1_country: 'JP' });
    await winOpportunity(deps.dynamics, id);
    const { runId } = await rt.start(name, { key: id, input: { opportunityId: id } });
    const waiting = await drive(rt, clock, runId);
    assert.equal(waiting.status, 'waiting');
    const columns = await integrationColumns(deps.dynamics, id);
    assert.equal(columns['il_integrationstatus'], 'Error');
    assert.match(String(columns['il_integrationerror']), /country.*JP/);
    assert.equal((await sapOrdersOf(deps.sap, id)).length, 0);
    await patchRow(deps.dynamics, 'accounts', account, { address1_country: 'GB' });
    const fix = { id: 'fix-1', type: CLOSED_WON_EVENT, opportunityId: id, reason: 'changed-while-in-error', changedAt: Date.now() };
    await get().store.transaction((trx) => rt.onInboundEvent(trx, { source: 'dynamics', body: fix }));
    const done = await drive(rt, clock, runId);
    assert.equal(done.status, 'completed', done.error ?? '');
    assert.equal((done.output as LeadToOrderResult).status, 'synced');
    assert.equal((await sapOrdersOf(deps.sap, id)).length, 1);
    assert.equal((await integrationColumns(deps.dynamics, id))['il_integrationstatus'], 'Synced');
  });

  it('books once through an expired CSRF session and a 429 storm at Dataverse', async () => {
    const { rt, clock, name } = runtime();
    const id = seededOpportunity('OPP-1');
    await winOpportunity(deps.dynamics, id);
    await deps.sap.warmUp();
    await sapAdmin(sandboxes.sap, 'csrf/expire');
    await patchDynamicsFaults(sandboxes.dynamics, { rateLimit: { burst: 6 } });
    const run = await drive(rt, clock, (await rt.start(name, { key: id, input: { opportunityId: id } })).runId);
    await patchDynamicsFaults(sandboxes.dynamics, { rateLimit: null });
    assert.equal(run.status, 'completed', run.error ?? '');
    assert.equal((await sapOrdersOf(deps.sap, id)).length, 1);
    assert.equal((await integrationColumns(deps.dynamics, id))['il_integrationstatus'], 'Synced');
  });

  it('blocks a booked order for delivery and billing as the compensation, with a stale ETag read again', async () => {
    const { rt, clock, name } = runtime();
    const id = seededOpportunity('OPP-2');
    await winOpportunity(deps.dynamics, id);
    const run = await drive(rt, clock, (await rt.start(name, { key: id, input: { opportunityId: id } })).runId);
    const salesOrder = (run.output as LeadToOrderResult).sapSalesOrder ?? '';
    const booked = { salesOrder, soldToParty: '', reference: '', created: true };
    assert.deepEqual(await blockSalesOrder(deps, booked, 'test'), { blocked: salesOrder, reason: 'test' });
    assert.deepEqual(await blockSalesOrder(deps, booked, 'again'), { blocked: salesOrder, reason: 'again' });
    assert.equal((await sapOrdersOf(deps.sap, id))[0]?.DeliveryBlockReason, '01');
  });

  it('applies SAP delivery and billing notifications to Dynamics once each, skips a stale one, and publishes canonical events', async () => {
    const name = unique('mfg');
    const events = unique('mfg-events');
    const { rt, clock } = testRuntime(get().store, [
      manufacturerLeadToOrderFlow(deps, { name }),
      manufacturerErpEventsFlow(deps, { store: get().store, name: events, publishTo: 'analytics' }),
    ]);
    const id = seededOpportunity('OPP-2');
    await winOpportunity(deps.dynamics, id);
    const booked = await drive(rt, clock, (await rt.start(name, { key: id, input: { opportunityId: id } })).runId);
    const salesOrder = (booked.output as LeadToOrderResult).sapSalesOrder ?? '';
    const delivery = String((await sapAdmin(sandboxes.sap, `sales-orders/${salesOrder}/delivery`))['DeliveryDocument']);
    await sapAdmin(sandboxes.sap, `outbound-deliveries/${delivery}/goods-issue`);
    const billing = String((await sapAdmin(sandboxes.sap, `outbound-deliveries/${delivery}/billing`, { taxRate: 0.06 }))['BillingDocument']);
    const notify = async (event: SapBusinessEvent): Promise<ErpEventResult> => {
      const inbound = sapInboxEvent(event);
      assert.ok(inbound);
      const body = JSON.parse(inbound.body) as Record<string, unknown>;
      await get().store.transaction((trx) => rt.onInboundEvent(trx, { source: inbound.source, body }));
      const runs = await rt.runs.list({ flow: events });
      const run = runs.filter((r) => r.key === body['document']).sort((a, b) => b.id - a.id)[0];
      assert.ok(run);
      const done = await drive(rt, clock, run.id);
      assert.equal(done.status, 'completed', done.error ?? '');
      return done.output as ErpEventResult;
    };
    const at = (s: number) => new Date(Date.UTC(2026, 10, 2, 8, 0, s)).toISOString();
    const type = (t: string) => `sap.s4.beh.${t}.v1`;
    const issued = await notify({ kind: 'delivery', action: 'goods-issued', deliveryDocument: delivery, id: 'ev-gi', type: type('outbounddelivery.v1.OutboundDelivery.GoodsIssued'), time: at(2) });
    assert.equal(issued.status, 'applied');
    // The Created notification arrives after GoodsIssued: it is older, and skipped.
    const created = await notify({ kind: 'delivery', action: 'created', deliveryDocument: delivery, id: 'ev-cr', type: type('outbounddelivery.v1.OutboundDelivery.Created'), time: at(1) });
    assert.equal(created.status, 'skipped');
    const invoiced = await notify({ kind: 'billing', action: 'created', billingDocument: billing, id: 'ev-bd', type: type('billingdocument.v1.BillingDocument.Created'), time: at(3) });
    assert.equal(invoiced.status, 'applied');
    let columns = await integrationColumns(deps.dynamics, id);
    assert.equal(columns['il_paymentstatus'], 'Open');
    // The customer pays: SAP clears the receivable and says the billing document changed.
    await sapAdmin(sandboxes.sap, `billing-documents/${billing}/payment`);
    const paid = await notify({ kind: 'billing', action: 'changed', billingDocument: billing, id: 'ev-paid', type: type('billingdocument.v1.BillingDocument.Changed'), time: at(4) });
    assert.equal(paid.status, 'applied');
    // A duplicate Created read late is older than the payment: skipped, the status stays Paid.
    assert.equal((await notify({ kind: 'billing', action: 'created', billingDocument: billing, id: 'ev-bd-late', type: type('billingdocument.v1.BillingDocument.Created'), time: at(5) })).status, 'skipped');
    columns = await integrationColumns(deps.dynamics, id);
    assert.match(String(columns['il_shipmentstatus']), new RegExp(`^Shipped \\d{4}-\\d{2}-\\d{2} \\(delivery ${delivery}\\)$`));
    assert.match(String(columns['il_billingstatus']), new RegExp(`^Invoiced ${billing}: `));
    assert.equal(columns['il_paymentstatus'], 'Paid');
    const invoice = await deps.dynamics.api<Record<string, unknown>>({ method: 'GET', path: `invoices(il_erpbillingdocument='${billing}')`, query: { $select: 'name,il_paymentstatus,_opportunityid_value' } });
    assert.equal(invoice.body['_opportunityid_value'], id);
    assert.equal(invoice.body['il_paymentstatus'], 'Paid');
    const order = await deps.dynamics.api<Record<string, unknown>>({ method: 'GET', path: `salesorders(il_erpordernumber='${salesOrder}')`, query: { $select: 'il_shipmentstatus' } });
    assert.equal(order.body['il_shipmentstatus'], columns['il_shipmentstatus']);
    // One canonical event per applied notification, in the outbox, valid against its contract.
    const messages = await get().store.db.selectFrom('outbox').select(['destination', 'payload']).where('destination', '=', 'analytics').execute();
    const published = messages.map((m) => JSON.parse(m.payload) as { type: string; id: string; data: Record<string, unknown> }).filter((e) => e.id === `sap-delivery-${delivery}-shipped` || e.id.startsWith(`sap-billing-${billing}-`));
    assert.deepEqual(published.map((e) => e.type).sort(), ['interlock.invoice.paid.v1', 'interlock.invoice.posted.v1', 'interlock.shipment.dispatched.v1']);
    const shipment = published.find((e) => e.type === 'interlock.shipment.dispatched.v1');
    assert.equal(validatorFor('interlock.shipment.dispatched.v1')(shipment?.data), true, JSON.stringify(validatorFor('interlock.shipment.dispatched.v1').errors));
    const posted = published.find((e) => e.type === 'interlock.invoice.posted.v1');
    assert.equal(validatorFor('interlock.invoice.posted.v1')(posted?.data), true, JSON.stringify(validatorFor('interlock.invoice.posted.v1').errors));
    const paidEvent = published.find((e) => e.type === 'interlock.invoice.paid.v1');
    assert.equal(validatorFor('interlock.invoice.paid.v1')(paidEvent?.data), true, JSON.stringify(validatorFor('interlock.invoice.paid.v1').errors));
    assert.equal((paidEvent?.data['invoice'] as { balance: { amount: string } }).balance.amount, '0');
  });
});
