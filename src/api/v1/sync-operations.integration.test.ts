/**
 * The synchronous operations against the four seeded sandboxes, on both stores: account
 * validation (and a fallback to the last synced copy when Salesforce times out, or a 503 when
 * there is none), pricing, credit, tax, order submission handing a valid deal to lead-to-order,
 * and a 503 when no connectors are configured.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { buildLeadToOrderDeps, type LeadToOrderDeps } from '../../flows/lead-to-order/deps.ts';
import { opportunityId, patchRecord, startSandboxes, type Sandboxes } from '../../flows/lead-to-order/test-support.ts';
import { describeEachStore } from '../../../test/support/stores.ts';
import { eventually } from '../../../test/support/engine-harness.ts';
import { startApi, type ApiHarness } from '../test-support.ts';

describeEachStore('/v1 synchronous operations', (get) => {
  let sandboxes: Sandboxes;
  let systems: LeadToOrderDeps;
  let api: ApiHarness;
  const accounts: Record<string, string> = {};

  before(async () => {
    sandboxes = await startSandboxes();
    systems = await buildLeadToOrderDeps(sandboxes.options);
    api = await startApi(get().store, { systems });
    const res = await systems.salesforce.rest<{ records: Array<{ Id: string; Name: string }> }>({ method: 'GET', path: 'query', query: { q: 'SELECT Id, Name FROM Account' } });
    for (const r of res.body.records) accounts[r.Name] = r.Id;
  });
  after(async () => {
    await api.close();
    await systems.close();
    await sandboxes.close();
  });

  const call = (method: 'GET' | 'POST', url: string, payload?: object) =>
    api.app.inject({ method, url, headers: api.auth('operator'), ...(payload === undefined ? {} : { payload }) });
  const faults = (sandbox: 'salesforce' | 'netsuite', settings: object) =>
    fetch(`${sandboxes[sandbox].url}/__sandbox/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(settings) });

  it('validates a well-kept account: legal entity mapped to its subsidiary, its NetSuite customer found, fresh', async () => {
    const res = await call('POST', '/v1/accounts/validate', { accountId: accounts['Acme Corporation']! });
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.equal(body.valid, true, body.problems.join(' '));
    assert.deepEqual(body.legalEntity, { name: 'Interlock US Inc', subsidiaryId: '1' });
    assert.equal(body.erpCustomer.externalId, 'ACME-001');
    assert.equal(body.customer.billingAddress.country, 'US');
    assert.equal(body.stale, false);
  });

  it('names what a seller must fix: an account without a legal entity', async () => {
    const id = accounts['Umbrella Health']!;
    await patchRecord(systems.salesforce, 'Account', id, { Legal_Entity__c: null });
    const body = (await call('GET', `/v1/accounts/${id}`)).json();
    assert.equal(body.valid, false);
    assert.match(body.problems.join(' '), /no Legal Entity: set it to one of Interlock US Inc/);
    assert.equal(body.erpCustomer, null);
  });

  it('answers 404 for an account Salesforce does not have, and 400 for a malformed id', async () => {
    const missing = await call('GET', '/v1/accounts/001Hs0000000099IAA');
    assert.equal(missing.statusCode, 404);
    assert.match(missing.json().type, /account-not-found$/);
    assert.equal((await call('GET', '/v1/accounts/not-an-id')).statusCode, 400);
  });

  it('when Salesforce does not answer in time, answers from the last synced copy with stale: true and its age', async () => {
    const id = accounts['Acme Corporation']!;
    assert.equal((await call('POST', '/v1/accounts/validate', { accountId: id })).json().stale, false);
    await faults('salesforce', { latencyMs: 3000 });
    try {
      // The copy just fetched is within the freshness window: no-cache makes the API ask Salesforce.
      const res = await api.app.inject({ method: 'POST', url: '/v1/accounts/validate', headers: { ...api.auth('operator'), 'cache-control': 'no-cache' }, payload: { accountId: id } });
      assert.equal(res.statusCode, 200);
      const body = res.json();
      assert.equal(body.stale, true);
      assert.equal(body.sources.salesforce.stale, true);
      assert.equal(body.sources.netsuite.stale, false);
      assert.ok(body.ageSeconds >= 0);
      // The race or the transport's own timeout, whichever fires first.
      assert.match(body.staleReason, /did not answer within 700 ms|Timeout/);
      assert.equal(body.valid, true);
    } finally {
      await faults('salesforce', {});
    }
  });

  it('answers a repeated validation within the freshness window from the copy, with its age, and asks again on no-cache', async () => {
    const id = accounts['Acme Corporation']!;
    const first = (await call('POST', '/v1/accounts/validate', { accountId: id })).json();
    await faults('salesforce', { errorRate: 1 });
    try {
      const cached = await call('POST', '/v1/accounts/validate', { accountId: id });
      assert.equal(cached.statusCode, 200);
      const body = cached.json();
      assert.equal(body.stale, false);
      assert.ok(body.ageMs >= 0 && body.ageMs < 5000);
      assert.deepEqual(body.customer, first.customer);
      const asked = (await api.app.inject({ method: 'GET', url: `/v1/accounts/${id}`, headers: { ...api.auth('operator'), 'cache-control': 'no-cache' } })).json();
      assert.equal(asked.sources.salesforce.stale, true);
    } finally {
      await faults('salesforce', {});
    }
  });

  it('without a copy to fall back on, a timeout answers 503 naming the downstream', async () => {
    await faults('salesforce', { latencyMs: 3000 });
    try {
      const res = await call('POST', '/v1/accounts/validate', { accountId: accounts['Initech Ltd']! });
      assert.equal(res.statusCode, 503);
      const problem = res.json();
      assert.match(problem.type, /downstream-unavailable$/);
      assert.equal(problem.downstream, 'salesforce.account');
    } finally {
      await faults('salesforce', {});
    }
  });

  it('checks prices against the price book: list price is the ceiling, a deep discount needs approval, unknown SKUs are named', async () => {
    const body = (
      await call('POST', '/v1/pricing/check', {
        currency: 'USD',
        lines: [
          { sku: 'PLAT-SUB', quantity: 12, unitPrice: 900 },
          { sku: 'SEAT-ADDON', quantity: 10, unitPrice: 45 },
          { sku: 'NO-SUCH-SKU', quantity: 1, unitPrice: 1 },
        ],
      })
    ).json();
    assert.equal(body.valid, false);
    assert.equal(body.lines[0].ok, true);
    assert.equal(body.lines[0].listPrice, 1200);
    assert.equal(body.lines[0].discountPercent, 25);
    assert.match(body.lines[1].problem, /above its list price 40/);
    assert.match(body.lines[2].problem, /not in the price book/);
    assert.equal(body.needsApproval, true);
  });

  it('reports credit status of a NetSuite customer by external id, and 404 for an unknown one', async () => {
    const res = await call('GET', '/v1/customers/ACME-001/credit?amount=5000');
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.equal(body.entityId, 'CUST-ACME');
    assert.equal(body.balance, 0);
    assert.equal(body.orderAmount, 5000);
    // Acme has no credit limit in the NetSuite seed: the order fits, and the answer says why.
    assert.equal(body.status, 'no-limit');
    assert.equal(body.creditLimit, null);
    assert.equal(body.fits, true);
    assert.match(body.reason, /^No credit limit is set for this customer/);
    assert.equal((await call('GET', '/v1/customers/NOBODY-999/credit')).statusCode, 404);
  });

  it('credit against a NetSuite credit limit: an order that fits is approved, one beyond what is left or any once over the limit is not, with the figures', async () => {
    const credit = async (amount: number) => (await call('GET', `/v1/customers/GLOBEX-002/credit?amount=${amount}`)).json();
    const book = (quantity: number) =>
      systems.netsuite.rest({ method: 'POST', path: 'record/v1/salesOrder', json: { entity: { externalId: 'GLOBEX-002' }, item: { items: [{ item: { externalId: 'PLAT-SUB' }, quantity }] } } });
    // Globex's limit in the seed is 50,000; it owes nothing yet.
    const fresh = await credit(10_000);
    assert.deepEqual([fresh.status, fresh.creditLimit, fresh.balance, fresh.unbilledOrders, fresh.available, fresh.fits], ['within-limit', 50_000, 0, 0, 50_000, true]);
    assert.equal(fresh.reason, 'An order of 10,000.00 fits: 50,000.00 of the credit limit 50,000.00 is left (balance 0.00).');
    // An order booked and not yet billed counts against the limit: 38 × 1,200 leaves 4,400.
    await book(38);
    const tight = await credit(10_000);
    assert.deepEqual([tight.status, tight.unbilledOrders, tight.available, tight.fits], ['within-limit', 45_600, 4_400, false]);
    assert.equal(tight.reason, 'An order of 10,000.00 does not fit: 4,400.00 of the credit limit 50,000.00 is left (balance 0.00 and unbilled orders 45,600.00); it is over by 5,600.00.');
    assert.equal((await credit(4_400)).fits, true);
    // Past the limit, nothing fits.
    await book(10);
    const over = await credit(1);
    assert.deepEqual([over.status, over.unbilledOrders, over.available, over.fits], ['over-limit', 57_600, -7_600, false]);
    assert.equal(over.reason, 'Over its credit limit 50,000.00 by 7,600.00 (balance 0.00 and unbilled orders 57,600.00): no order is approved.');
  });

  it('estimates tax with AvaTax from the legal entity, and refuses an unknown legal entity with 422', async () => {
    const shipTo = { line1: '1 Market St', city: 'San Francisco', region: 'CA', postalCode: '94105', country: 'US' };
    const res = await call('POST', '/v1/tax/estimate', { legalEntity: 'Interlock US Inc', currency: 'USD', shipTo, lines: [{ amount: 1000, sku: 'PLAT-SUB' }] });
    assert.equal(res.statusCode, 200);
    assert.ok(res.json().totalTax > 0);
    const unknown = await call('POST', '/v1/tax/estimate', { legalEntity: 'Nowhere BV', currency: 'USD', shipTo, lines: [{ amount: 1 }] });
    assert.equal(unknown.statusCode, 422);
    assert.match(unknown.json().type, /unknown-legal-entity$/);
  });

  it('submits a won deal: validated at once, then booked by its lead-to-order run, whose status the URL shows', async () => {
    const id = await opportunityId(systems.salesforce, 'Globex - Expansion');
    await patchRecord(systems.salesforce, 'Opportunity', id, { StageName: 'Closed Won' });
    const res = await call('POST', '/v1/orders', { opportunityId: id });
    assert.equal(res.statusCode, 202, res.body);
    const body = res.json();
    assert.equal(body.outcome, 'started');
    assert.equal(body.statusUrl, `/v1/orders/${body.runId}`);
    assert.equal(res.headers.location, body.statusUrl);
    assert.ok(body.estimatedTax > 0);
    await api.engine.startWorker();
    const FINAL = ['completed', 'failed', 'compensated', 'compensation-failed', 'cancelled'];
    await eventually(async () => FINAL.includes((await call('GET', body.statusUrl)).json().status), 90_000);
    const status = (await call('GET', body.statusUrl)).json();
    assert.equal(status.status, 'completed', JSON.stringify(status));
    assert.equal(status.opportunityId, id);
    assert.equal(status.result.status, 'synced');
    assert.match(status.result.netSuiteOrderNumber, /^SO/);
  });

  it('refuses to submit an open deal (422) and one whose account has no legal entity (422 with the problems), starting no run', async () => {
    const open = await opportunityId(systems.salesforce, 'Initech - Support Upgrade');
    const notWon = await call('POST', '/v1/orders', { opportunityId: open });
    assert.equal(notWon.statusCode, 422);
    assert.match(notWon.json().type, /opportunity-not-won$/);
    const umbrella = await opportunityId(systems.salesforce, 'Umbrella - New Logo');
    await patchRecord(systems.salesforce, 'Opportunity', umbrella, { StageName: 'Closed Won' });
    const invalid = await call('POST', '/v1/orders', { opportunityId: umbrella });
    assert.equal(invalid.statusCode, 422);
    assert.match(invalid.json().type, /order-invalid$/);
    assert.match(invalid.json().problems.join(' '), /Legal Entity/);
    const runs = await api.engine.flows.runs.list({ key: umbrella });
    assert.equal(runs.length, 0);
  });

  it('a viewer may check but not submit orders (403)', async () => {
    const res = await api.app.inject({ method: 'POST', url: '/v1/orders', headers: api.auth('viewer'), payload: { opportunityId: accounts['Acme Corporation']! } });
    assert.equal(res.statusCode, 403);
  });

  it('without connectors, every operation answers 503 connectors-not-configured', async () => {
    const bare = await startApi(get().store);
    try {
      const res = await bare.app.inject({ method: 'POST', url: '/v1/accounts/validate', headers: bare.auth('viewer'), payload: { accountId: accounts['Acme Corporation']! } });
      assert.equal(res.statusCode, 503);
      assert.match(res.json().type, /connectors-not-configured$/);
    } finally {
      await bare.close();
    }
  });
});
