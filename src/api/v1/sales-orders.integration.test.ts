/**
 * Order submission for the manufacturer story with its real flow, on both stores: a won Dynamics
 * 365 opportunity submitted through `POST /v1/sales-orders` is checked against SAP, handed to
 * `manufacturer-lead-to-order`, and booked as exactly one SAP sales order, which its status URL
 * reports — the portal's submission and the flow's own trigger being one run.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { buildManufacturerDeps, type ManufacturerDeps } from '../../flows/manufacturer/deps.ts';
import { manufacturerLeadToOrderFlow } from '../../flows/manufacturer/flow.ts';
import { sapOrdersOf, seededOpportunity, startManufacturerSandboxes, winOpportunity, type ManufacturerSandboxes } from '../../flows/manufacturer/test-support.ts';
import { describeEachStore } from '../../../test/support/stores.ts';
import { eventually } from '../../../test/support/engine-harness.ts';
import { MANUFACTURER_ORDER_FLOW } from '../sync/manufacturer-flow.ts';
import { startApi, type ApiHarness } from '../test-support.ts';

describeEachStore('/v1/sales-orders with the manufacturer flow', (get) => {
  let sandboxes: ManufacturerSandboxes;
  let deps: ManufacturerDeps;
  let api: ApiHarness;

  before(async () => {
    sandboxes = await startManufacturerSandboxes();
    deps = await buildManufacturerDeps(sandboxes.options);
    const sap = sandboxes.options.sap;
    const credentials = sap.credentials as { username: string; password: string };
    api = await startApi(get().store, {
      flows: [manufacturerLeadToOrderFlow(deps, { retry: { initialDelayMs: 10, maxDelayMs: 50 } })],
      connectors: {
        sap: { baseUrl: sap.baseUrl, username: credentials.username, password: credentials.password },
        avalara: { accountId: '2001', licenseKey: 'license', baseUrl: sandboxes.avalara.url },
      },
    });
  });
  after(async () => {
    await api?.close();
    await deps?.close();
    await sandboxes?.close();
  });

  it('books the submitted opportunity as one SAP sales order through the flow; a second submission joins the run', async () => {
    const id = seededOpportunity('OPP-1');
    await winOpportunity(deps.dynamics, id);
    const order = {
      opportunityId: id,
      accountNumber: 'CUST-1001',
      currency: 'EUR',
      plant: '1710',
      salesArea: '1710/10/00',
      lines: [
        { material: 'PUMP-CP250', quantity: 4, unitPrice: 7900 },
        { material: 'MOTOR-E15', quantity: 4, unitPrice: 2650 },
        { material: 'SVC-COMMISSION', quantity: 2, unitPrice: 1200 },
      ],
    };
    const res = await api.app.inject({ method: 'POST', url: '/v1/sales-orders', headers: { ...api.auth('operator'), 'idempotency-key': 'mfg-opp-1' }, payload: order });
    assert.equal(res.statusCode, 202, res.body);
    const body = res.json();
    assert.equal(body.flow, MANUFACTURER_ORDER_FLOW);
    assert.equal(body.total, 44_600);
    // Another submission (another key) while the run is active joins it.
    const joined = await api.app.inject({ method: 'POST', url: '/v1/sales-orders', headers: api.auth('operator'), payload: order });
    assert.equal(joined.statusCode, 202, joined.body);
    assert.equal(joined.json().runId, body.runId);
    assert.equal(joined.json().outcome, 'attached');
    await api.engine.startWorker();
    const FINAL = ['completed', 'failed', 'compensated', 'compensation-failed', 'cancelled'];
    await eventually(async () => FINAL.includes((await api.app.inject({ method: 'GET', url: body.statusUrl, headers: api.auth('viewer') })).json().status), 60_000);
    const status = (await api.app.inject({ method: 'GET', url: body.statusUrl, headers: api.auth('viewer') })).json();
    assert.equal(status.status, 'completed', JSON.stringify(status));
    const orders = await sapOrdersOf(deps.sap, id);
    assert.equal(orders.length, 1);
    assert.equal(status.result.sapSalesOrder, orders[0]?.SalesOrder);
    assert.equal(Number(orders[0]?.TotalNetAmount), 44_600);
  });
});
