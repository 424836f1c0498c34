/**
 * The RBAC matrix of every guarded route (admin API and /v1) × every caller (no key, and a key of
 * each role), from one table. The table must name every guarded route the server has — a new
 * route without a row fails the first test, so none escapes the matrix.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { parseMasterKey } from '../security/master-key.ts';
import { roleAllows, ROLES, type Role } from '../security/roles.ts';
import { describeEachStore } from '../../test/support/stores.ts';
import { routesOf } from './server.ts';
import { startApi, type ApiHarness } from './test-support.ts';

const SF_ID = '001Hs0000000001IAA';
const SUBMIT = { opportunityId: '006Hs0000000001IAA' };

/** Every guarded route: the role it needs and a request that is valid apart from authorisation. */
const MATRIX: Record<string, { needs: Role; path?: string; body?: unknown }> = {
  'GET /admin/dead-letters': { needs: 'viewer' },
  'GET /admin/dead-letters/:id': { needs: 'viewer', path: '/admin/dead-letters/999999' },
  'POST /admin/dead-letters/:id/replay': { needs: 'operator', path: '/admin/dead-letters/999999/replay', body: {} },
  'POST /admin/dead-letters/:id/discard': { needs: 'operator', path: '/admin/dead-letters/999999/discard', body: {} },
  'POST /admin/dead-letters/replay': { needs: 'operator', body: { destination: 'sink' } },
  'POST /admin/dead-letters/discard': { needs: 'operator', body: { destination: 'sink' } },
  'GET /admin/runs': { needs: 'viewer' },
  'GET /admin/runs/:id': { needs: 'viewer', path: '/admin/runs/999999' },
  'POST /admin/runs': { needs: 'operator', body: { flow: 'no-such-flow', key: 'k' } },
  'POST /admin/runs/:id/retry': { needs: 'operator', path: '/admin/runs/999999/retry', body: {} },
  'POST /admin/runs/:id/cancel': { needs: 'operator', path: '/admin/runs/999999/cancel', body: {} },
  'POST /admin/runs/:id/approve': { needs: 'approver', path: '/admin/runs/999999/approve', body: {} },
  'POST /admin/runs/:id/reject': { needs: 'approver', path: '/admin/runs/999999/reject', body: {} },
  'POST /admin/runs/:id/events': { needs: 'operator', path: '/admin/runs/999999/events', body: { type: 'invoice.paid' } },
  'POST /admin/events': { needs: 'operator', body: { type: 'invoice.paid' } },
  'GET /admin/approvals': { needs: 'viewer' },
  'GET /admin/keys': { needs: 'admin' },
  'POST /admin/keys': { needs: 'admin', body: { role: 'viewer', label: 'from the matrix' } },
  'POST /admin/keys/:id/revoke': { needs: 'admin', path: '/admin/keys/000000000000/revoke', body: {} },
  'GET /admin/secrets': { needs: 'admin' },
  'POST /admin/secrets/:name': { needs: 'admin', path: '/admin/secrets/matrix-secret', body: { value: 'not-a-real-secret' } },
  'POST /admin/secrets/:name/rotate': { needs: 'admin', path: '/admin/secrets/matrix-secret/rotate', body: { value: 'not-a-real-secret-2' } },
  'GET /admin/contracts': { needs: 'viewer' },
  'GET /admin/contracts/check': { needs: 'viewer' },
  'GET /admin/contracts/:subject': { needs: 'viewer', path: '/admin/contracts/customer' },
  'GET /admin/audit': { needs: 'admin' },
  'GET /admin/audit/verify': { needs: 'admin' },
  'GET /admin/reconcile/jobs': { needs: 'viewer' },
  'GET /admin/reconcile/runs': { needs: 'viewer' },
  'GET /admin/reconcile/runs/:id': { needs: 'viewer', path: '/admin/reconcile/runs/999999' },
  'GET /admin/reconcile/runs/:id/discrepancies': { needs: 'viewer', path: '/admin/reconcile/runs/999999/discrepancies' },
  'POST /admin/reconcile/:job/run': { needs: 'operator', path: '/admin/reconcile/customers/run', body: {} },
  'POST /admin/reconcile/discrepancies/:id/approve': { needs: 'approver', path: '/admin/reconcile/discrepancies/999999/approve', body: {} },
  'POST /admin/reconcile/discrepancies/:id/reject': { needs: 'approver', path: '/admin/reconcile/discrepancies/999999/reject', body: { reason: 'from the matrix' } },
  'GET /admin/session': { needs: 'viewer' },
  'GET /admin/overview': { needs: 'viewer' },
  'GET /admin/lineage/:id': { needs: 'viewer', path: '/admin/lineage/run:999999' },
  'GET /v1/accounts/:accountId': { needs: 'viewer', path: `/v1/accounts/${SF_ID}` },
  'POST /v1/accounts/validate': { needs: 'viewer', body: { accountId: SF_ID } },
  'POST /v1/account-validation': { needs: 'viewer', body: { accountId: SF_ID } },
  'POST /v1/pricing/check': { needs: 'viewer', body: { lines: [{ sku: 'PLAT-SUB', quantity: 1, unitPrice: 1 }] } },
  'GET /v1/customers/:externalId/credit': { needs: 'viewer', path: '/v1/customers/ACME-001/credit' },
  'POST /v1/tax/estimate': { needs: 'viewer', body: { legalEntity: 'Interlock US Inc', currency: 'USD', shipTo: { country: 'US' }, lines: [{ amount: 1 }] } },
  'POST /v1/orders': { needs: 'operator', body: SUBMIT },
  'GET /v1/orders/:runId': { needs: 'viewer', path: '/v1/orders/999999' },
  'POST /v1/availability': { needs: 'viewer', body: { plant: '1710', lines: [{ material: 'PUMP-CP100', quantity: 1 }] } },
  'GET /v1/business-partners/:externalRef': { needs: 'viewer', path: '/v1/business-partners/CUST-1001' },
  'POST /v1/sales-orders': {
    needs: 'operator',
    body: { opportunityId: '7f9c2b1e-4d3a-4e8b-9c61-2a5d0e8f1b34', accountNumber: 'CUST-1001', currency: 'EUR', plant: '1710', lines: [{ material: 'PUMP-CP100', quantity: 1, unitPrice: 1 }] },
  },
};

const guarded = (url: string): boolean => url.startsWith('/admin') || url.startsWith('/v1');

describeEachStore('RBAC matrix', (get) => {
  let api: ApiHarness;
  before(async () => {
    const master = parseMasterKey(Buffer.alloc(32, 7).toString('base64'), 'test key');
    api = await startApi(get().store, { masterKey: () => master });
  });
  after(async () => {
    await api.close();
  });

  it('names every guarded route of the server, and only those', () => {
    const routes = routesOf(api.app).filter((r) => guarded(r.url)).map((r) => `${r.method} ${r.url}`);
    assert.ok(routes.length >= 35);
    assert.deepEqual(routes.filter((r) => MATRIX[r] === undefined), [], 'routes missing from MATRIX');
    assert.deepEqual(Object.keys(MATRIX).filter((r) => !routes.includes(r)), [], 'MATRIX rows without a route');
  });

  it('each route declares the role the matrix expects, where it declares one', () => {
    for (const r of routesOf(api.app).filter((x) => guarded(x.url) && x.role !== undefined)) {
      assert.equal(r.role, MATRIX[`${r.method} ${r.url}`]?.needs, `${r.method} ${r.url}`);
    }
  });

  for (const [route, spec] of Object.entries(MATRIX)) {
    it(`${route}: 401 without a key, 403 below ${spec.needs}, served from ${spec.needs} up`, async () => {
      const [method, url] = route.split(' ') as ['GET' | 'POST', string];
      const request = (headers: Record<string, string>) =>
        api.app.inject({ method, url: spec.path ?? url, headers, ...(spec.body === undefined ? {} : { payload: spec.body as object }) });
      const anonymous = await request({});
      assert.equal(anonymous.statusCode, 401, `${route} without a key`);
      for (const role of ROLES) {
        const res = await request(api.auth(role));
        if (roleAllows(role, spec.needs)) {
          assert.ok(res.statusCode !== 401 && res.statusCode !== 403, `${route} as ${role}: ${res.statusCode} ${res.body}`);
          assert.ok(res.statusCode < 500 || res.statusCode === 503, `${route} as ${role}: ${res.statusCode} ${res.body}`);
        } else {
          assert.equal(res.statusCode, 403, `${route} as ${role}`);
          assert.match(res.json().type, /forbidden$/);
          assert.equal(res.json().requiredRole, spec.needs);
        }
      }
    });
  }
});
