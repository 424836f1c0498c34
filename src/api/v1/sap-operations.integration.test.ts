/**
 * The near-real-time checks backed by SAP S/4HANA (`connectors.sap`), against the seeded SAP
 * sandbox, on both stores: availability (ATP), business partner lookup and validation, credit from
 * SAP's exposure, and order submission handing a checked order to the manufacturer flow — each with
 * SAP slow or down (the declared fallback: the last copy flagged stale with its age, or 503), and
 * bad input answered problem+json.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, it } from 'node:test';
import { patchFaults, startSap } from '../../connectors/sap/test-support.ts';
import { avalaraSandbox } from '../../sandboxes/avalara/avalara-sandbox.ts';
import type { SandboxInstance } from '../../sandboxes/kit/index.ts';
import { describeEachStore } from '../../../test/support/stores.ts';
import { MANUFACTURER_ORDER_FLOW } from '../sync/manufacturer-flow.ts';
import { startApi, type ApiHarness } from '../test-support.ts';

const OPPORTUNITY = '7f9c2b1e-4d3a-4e8b-9c61-2a5d0e8f1b34';

describeEachStore('/v1 checks backed by SAP S/4HANA', (get) => {
  let sap: SandboxInstance;
  let avalara: SandboxInstance;
  let api: ApiHarness;

  before(async () => {
    sap = await startSap();
    const state = (await (await fetch(`${sap.url}/__sandbox/state`)).json()) as { basicAuth: { username: string; password: string } };
    avalara = await avalaraSandbox.start({ host: '127.0.0.1', port: 0, seed: true });
    // The manufacturer's systems: SAP and AvaTax, without the first story's four.
    api = await startApi(get().store, { connectors: { sap: { baseUrl: sap.url, ...state.basicAuth }, avalara: { accountId: '2001', licenseKey: 'license', baseUrl: avalara.url } } });
  });
  after(async () => {
    await api?.close();
    await sap?.close();
    await avalara?.close();
  });
  beforeEach(async () => {
    await patchFaults(sap, { latencyMs: 0, errorRate: 0, maintenance: false });
  });

  const call = (method: 'GET' | 'POST', url: string, payload?: object, headers: Record<string, string> = {}) =>
    api.app.inject({ method, url, headers: { ...api.auth('operator'), ...headers }, ...(payload === undefined ? {} : { payload }) });
  const isProblem = (res: { headers: Record<string, unknown> }) => assert.match(String(res.headers['content-type']), /application\/problem\+json/);

  it('availability: what SAP can promise per line, a shortfall named, same material lines sharing one stock', async () => {
    const res = await call('POST', '/v1/availability', {
      plant: '1710',
      lines: [
        { material: 'PUMP-CP100', quantity: 5 },
        { material: 'PUMP-CP250', quantity: 10 },
        { material: 'PUMP-CP100', quantity: 21 },
      ],
    });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.equal(body.available, false);
    assert.equal(body.stale, false);
    assert.equal(body.ageMs, 0);
    const [a, b, c] = body.lines;
    assert.deepEqual([a.availableQuantity, a.unit, a.sufficient, a.shortfall], [25, 'PC', true, 0]);
    assert.deepEqual([b.availableQuantity, b.sufficient, b.shortfall], [8, false, 2]);
    assert.match(b.problem, /Only 8 PC of PUMP-CP250 can be promised at plant 1710; 10 asked/);
    // 25 in stock, 5 taken by the first line: 20 left for the third.
    assert.deepEqual([c.sufficient, c.shortfall], [false, 1]);
  });

  it('availability follows SAP: stock set in SAP shows in the next check', async () => {
    await fetch(`${sap.url}/__sandbox/sap/materials/VALVE-BV50/stock`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ stock: 7 }) });
    const body = (await call('POST', '/v1/availability', { plant: '1710', lines: [{ material: 'VALVE-BV50', quantity: 7 }] })).json();
    assert.equal(body.lines[0].availableQuantity, 7);
    assert.equal(body.available, true);
  });

  it('availability: a material SAP does not keep at the plant is that line\'s problem, not an error', async () => {
    const body = (await call('POST', '/v1/availability', { plant: '1710', lines: [{ material: 'NO-SUCH-PART', quantity: 1 }, { material: 'MOTOR-E15', quantity: 1 }] })).json();
    assert.equal(body.available, false);
    assert.equal(body.lines[0].availableQuantity, null);
    assert.match(body.lines[0].problem, /NO-SUCH-PART cannot be checked at plant 1710: .*not maintained in plant 1710/);
    assert.equal(body.lines[1].sufficient, true);
  });

  it('availability with SAP slow: the last copy, stale: true with its age; without a copy: 503 naming sap.availability', async () => {
    const lines = [{ material: 'SPARE-SEALKIT', quantity: 10 }];
    assert.equal((await call('POST', '/v1/availability', { plant: '1710', lines })).json().stale, false);
    await patchFaults(sap, { latencyMs: 3000 });
    const res = await call('POST', '/v1/availability', { plant: '1710', lines });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.equal(body.stale, true);
    assert.ok(body.ageMs >= 0 && body.ageSeconds >= 0);
    assert.match(body.staleReason, /sap\.availability did not answer within 1000 ms|Timeout/);
    assert.equal(body.lines[0].availableQuantity, 120);
    const none = await call('POST', '/v1/availability', { plant: '1710', lines: [{ material: 'SVC-COMMISSION', quantity: 1 }] });
    assert.equal(none.statusCode, 503);
    isProblem(none);
    assert.match(none.json().type, /downstream-unavailable$/);
    assert.equal(none.json().downstream, 'sap.availability');
  });

  it('availability with SAP down (5xx): the last copy, flagged stale', async () => {
    const lines = [{ material: 'MOTOR-E15', quantity: 2 }];
    assert.equal((await call('POST', '/v1/availability', { plant: '1710', lines })).statusCode, 200);
    await patchFaults(sap, { maintenance: true });
    const body = (await call('POST', '/v1/availability', { plant: '1710', lines })).json();
    assert.equal(body.stale, true);
    assert.equal(body.lines[0].sufficient, true);
  });

  it('availability refuses bad input with problem+json 400', async () => {
    for (const payload of [{ plant: '1710', lines: [] }, { plant: 'x', lines: [{ material: 'A', quantity: 1 }] }, { plant: '1710', lines: [{ material: 'A', quantity: 0 }] }, { plant: '1710', requestedDate: 'soon', lines: [{ material: 'A', quantity: 1 }] }]) {
      const res = await call('POST', '/v1/availability', payload);
      assert.equal(res.statusCode, 400, JSON.stringify(payload));
      isProblem(res);
    }
  });

  it('odd but valid identifiers reach SAP as quoted literals: an answer, never a 5xx', async () => {
    const atp = await call('POST', '/v1/availability', { plant: '1710', lines: [{ material: 'A/../B', quantity: 1 }, { material: 'X.Y_Z-1', quantity: 1 }] });
    assert.equal(atp.statusCode, 200, atp.body);
    assert.deepEqual(atp.json().lines.map((l: { availableQuantity: number | null }) => l.availableQuantity), [null, null]);
    for (const ref of ['A:/.', 'CUST-1001/..', '0']) {
      const res = await call('GET', `/v1/business-partners/${encodeURIComponent(ref)}`);
      assert.equal(res.statusCode, 404, `${ref}: ${res.body}`);
    }
  });

  it('business partner: found by the CRM account number, a customer in its sales area; what the order needs is judged', async () => {
    const res = await call('GET', '/v1/business-partners/CUST-1002');
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.equal(body.valid, true, body.problems.join(' '));
    assert.equal(body.partner.businessPartner, '17100002');
    assert.equal(body.partner.customer, '17100002');
    assert.equal(body.partner.name, 'Fabrikam Industries Inc.');
    assert.deepEqual(body.partner.salesAreas.map((a: { salesOrganization: string; currency: string }) => `${a.salesOrganization}:${a.currency}`), ['1710:USD']);
    assert.equal(body.partner.address.country, 'US');
    const judged = (await call('GET', '/v1/business-partners/CUST-1002?salesArea=1720/10/00&currency=EUR')).json();
    assert.equal(judged.valid, false);
    assert.match(judged.problems.join(' '), /not in sales area 1720\/10\/00 \(it is in 1710\/10\/00\)/);
    assert.match(judged.problems.join(' '), /buys in USD, not EUR/);
  });

  it('business partner: 404 for one SAP does not have, 400 for a malformed reference or query', async () => {
    const missing = await call('GET', '/v1/business-partners/CUST-9999');
    assert.equal(missing.statusCode, 404);
    isProblem(missing);
    assert.match(missing.json().type, /business-partner-not-found$/);
    for (const url of ['/v1/business-partners/%27%20or%201', '/v1/business-partners/CUST-1001?salesArea=1710', '/v1/business-partners/CUST-1001?currency=usd']) {
      const res = await call('GET', url);
      assert.equal(res.statusCode, 400, url);
      isProblem(res);
    }
  });

  it('business partner with SAP down: a copy within the freshness window is not stale; past it (no-cache), the last copy with stale: true', async () => {
    assert.equal((await call('GET', '/v1/business-partners/CUST-1003')).json().stale, false);
    await patchFaults(sap, { errorRate: 1 });
    const recent = (await call('GET', '/v1/business-partners/CUST-1003')).json();
    assert.equal(recent.stale, false);
    assert.ok(recent.ageMs < 5000);
    const res = await call('GET', '/v1/business-partners/CUST-1003', undefined, { 'cache-control': 'no-cache' });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().stale, true);
    assert.equal(res.json().partner.businessPartner, '17100003');
  });

  it('credit from SAP: exposure against the limit, whether an order fits; 404 for an unknown partner', async () => {
    const res = await call('GET', '/v1/customers/CUST-1001/credit?source=sap&amount=10000');
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.equal(body.source, 'sap');
    assert.equal(body.customerId, '17100001');
    assert.equal(body.segment, '1000');
    assert.equal(body.creditLimit, 250000);
    assert.equal(body.currency, 'EUR');
    assert.equal(body.status, 'within-limit');
    assert.equal(body.fits, true);
    assert.equal(body.available, 250000 - body.balance);
    assert.match(body.reason, /^An order of 10,?000(\.00)? fits: .* of the credit limit .* is left \(credit exposure /);
    // Without the first story's connectors, SAP is the default source.
    assert.equal((await call('GET', '/v1/customers/CUST-1001/credit?amount=300000')).json().fits, false);
    const missing = await call('GET', '/v1/customers/CUST-9999/credit?source=sap');
    assert.equal(missing.statusCode, 404);
    assert.match(missing.json().type, /business-partner-not-found$/);
    const netsuite = await call('GET', '/v1/customers/CUST-1001/credit?source=netsuite');
    assert.equal(netsuite.statusCode, 503);
    assert.match(netsuite.json().type, /connectors-not-configured$/);
    assert.equal((await call('GET', '/v1/customers/CUST-1001/credit?source=oracle')).statusCode, 400);
  });

  it('credit from SAP slow: the last copies, stale: true with their age', async () => {
    assert.equal((await call('GET', '/v1/customers/CUST-1002/credit?source=sap')).json().stale, false);
    await patchFaults(sap, { latencyMs: 3000 });
    const res = await call('GET', '/v1/customers/CUST-1002/credit?source=sap', undefined, {});
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.equal(body.stale, true);
    assert.match(body.staleReason, /sap\.credit/);
    assert.equal(body.creditLimit, 400000);
  });

  it('tax estimate and jurisdictions through the AvaTax configured beside SAP; an unknown legal entity is a 422', async () => {
    const shipTo = { line1: '4000 Assembly Ave', city: 'Detroit', region: 'MI', postalCode: '48201', country: 'US' };
    const res = await call('POST', '/v1/tax/estimate', { legalEntity: 'Interlock US Inc', currency: 'USD', shipTo, customerCode: 'CUST-1002', lines: [{ amount: 5300, sku: 'MOTOR-E15', quantity: 2 }] });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.ok(body.totalTax > 0);
    assert.ok(body.jurisdictions.length > 0);
    assert.ok(body.jurisdictions.some((j: { type: string; name: string }) => j.type === 'STA' && /^(MI|MICHIGAN)$/.test(j.name)), JSON.stringify(body.jurisdictions));
    assert.equal(Math.round(body.jurisdictions.reduce((s: number, j: { tax: number }) => s + j.tax, 0) * 100) / 100, body.totalTax);
    const unknown = await call('POST', '/v1/tax/estimate', { legalEntity: 'Nowhere BV', currency: 'USD', shipTo, lines: [{ amount: 1 }] });
    assert.equal(unknown.statusCode, 422);
    isProblem(unknown);
  });

  it('refuses a checked order with 503 flow-not-registered when the manufacturer flow is not configured here, starting no run', async () => {
    // SAP and AvaTax only (the checks): nothing here would book the order, so it is not accepted.
    const order = { opportunityId: OPPORTUNITY, accountNumber: 'CUST-1001', currency: 'EUR', plant: '1710', salesArea: '1710/10/00', lines: [{ material: 'MOTOR-E15', quantity: 2, unitPrice: 2650 }] };
    const res = await call('POST', '/v1/sales-orders', order, { 'idempotency-key': 'portal-order-1' });
    assert.equal(res.statusCode, 503, res.body);
    isProblem(res);
    assert.match(res.json().type, /flow-not-registered$/);
    assert.match(res.json().detail, new RegExp(MANUFACTURER_ORDER_FLOW));
    assert.equal((await api.engine.flows.runs.list({ key: OPPORTUNITY })).length, 0);
  });

  it('refuses an order SAP would not hold (422 with the problems), starting no run', async () => {
    const key = '0b7e6f10-1111-4a2b-8c3d-000000000001';
    const res = await call('POST', '/v1/sales-orders', {
      opportunityId: key,
      accountNumber: 'CUST-1003',
      currency: 'USD',
      plant: '1710',
      lines: [{ material: 'PUMP-CP250', quantity: 100, unitPrice: 7900 }],
    });
    assert.equal(res.statusCode, 422, res.body);
    isProblem(res);
    assert.match(res.json().type, /order-invalid$/);
    const problems = res.json().problems.join(' ');
    assert.match(problems, /buys in GBP, not USD/);
    assert.match(problems, /Only \d+ PC of PUMP-CP250/);
    assert.match(problems, /credit limit is kept in GBP/);
    assert.equal((await api.engine.flows.runs.list({ key })).length, 0);
  });

  it('a credit segment SAP keeps no account in is listed with the other problems (422)', async () => {
    const key = '0b7e6f10-1111-4a2b-8c3d-000000000003';
    const res = await call('POST', '/v1/sales-orders', { opportunityId: key, accountNumber: 'CUST-1002', currency: 'USD', plant: '1710', creditSegment: '9999', lines: [{ material: 'VALVE-BV50', quantity: 1, unitPrice: 310 }] });
    assert.equal(res.statusCode, 422, res.body);
    assert.deepEqual(res.json().problems, ['SAP keeps no credit account for business partner 17100002 in credit segment 9999: SAP blocks orders without one.']);
    assert.equal((await api.engine.flows.runs.list({ key })).length, 0);
  });

  it('submission never books on an old copy: SAP slow answers 503 naming the downstream, starting no run', async () => {
    const key = '0b7e6f10-1111-4a2b-8c3d-000000000002';
    const order = { opportunityId: key, accountNumber: 'CUST-1002', currency: 'USD', plant: '1710', lines: [{ material: 'VALVE-BV50', quantity: 1, unitPrice: 310 }] };
    await patchFaults(sap, { latencyMs: 3000 });
    const res = await call('POST', '/v1/sales-orders', order);
    assert.equal(res.statusCode, 503, res.body);
    isProblem(res);
    assert.match(res.json().type, /downstream-unavailable$/);
    assert.equal((await api.engine.flows.runs.list({ key })).length, 0);
  });

  it('submission refuses bad input (400) and needs the operator role (403)', async () => {
    const bad = await call('POST', '/v1/sales-orders', { opportunityId: 'not-a-guid', accountNumber: 'CUST-1001', currency: 'EUR', plant: '1710', lines: [{ material: 'A', quantity: 1, unitPrice: 1 }] });
    assert.equal(bad.statusCode, 400);
    isProblem(bad);
    const viewer = await api.app.inject({ method: 'POST', url: '/v1/sales-orders', headers: api.auth('viewer'), payload: { opportunityId: OPPORTUNITY, accountNumber: 'CUST-1001', currency: 'EUR', plant: '1710', lines: [{ material: 'A', quantity: 1, unitPrice: 1 }] } });
    assert.equal(viewer.statusCode, 403);
  });

  it('the OpenAPI document describes each SAP operation with its budget, timeouts and fallbacks', async () => {
    const doc = (await api.app.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, Record<string, { description?: string }>> };
    assert.match(doc.paths['/v1/availability']!['post']!.description!, /Latency budget 1200 ms\. Downstream: sap\.availability \(timeout 1000 ms, falls back to the last synced copy/);
    assert.match(doc.paths['/v1/business-partners/{externalRef}']!['get']!.description!, /sap\.business-partner \(answered from a copy younger than 5000 ms/);
    assert.match(doc.paths['/v1/sales-orders']!['post']!.description!, /sap\.availability \(timeout 1500 ms, fails with 503\); sap\.credit \(timeout 1500 ms, fails with 503\)/);
    assert.match(doc.paths['/v1/customers/{externalId}/credit']!['get']!.description!, /sap\.credit \(timeout 600 ms, falls back/);
  });

  it('without connectors.sap, the SAP operations answer 503 connectors-not-configured', async () => {
    const bare = await startApi(get().store);
    try {
      for (const [method, url, payload] of [['POST', '/v1/availability', { plant: '1710', lines: [{ material: 'A', quantity: 1 }] }], ['GET', '/v1/business-partners/CUST-1001', undefined]] as const) {
        const res = await bare.app.inject({ method, url, headers: bare.auth('viewer'), ...(payload === undefined ? {} : { payload }) });
        assert.equal(res.statusCode, 503, url);
        assert.match(res.json().type, /connectors-not-configured$/);
      }
    } finally {
      await bare.close();
    }
  });

});
