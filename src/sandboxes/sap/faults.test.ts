/**
 * The kit's faults in SAP's shape on the OData routes — a 429 storm with `Retry-After`, 5xx and
 * maintenance as OData v2 error bodies — while the admin routes stay reachable; CSRF tokens that
 * expire by the `tokenTtlSeconds` fault; and a state file that keeps orders across a restart.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { sapSandbox } from './sap-sandbox.ts';

const AUTH = `Basic ${Buffer.from('INTERLOCK_COMM:Sandbox-Passw0rd').toString('base64')}`;

describe('SAP sandbox faults and state', () => {
  it('answers a 429 storm, then 5xx and maintenance, in the OData v2 error shape', async () => {
    const sap = await sapSandbox.start({ seed: true, faults: { rateLimit: { burst: 2 } } });
    try {
      const get = (): Promise<Response> => fetch(`${sap.url}/sap/opu/odata/sap/API_BUSINESS_PARTNER/A_BusinessPartner`, { headers: { authorization: AUTH } });
      for (let i = 0; i < 2; i++) {
        const res = await get();
        assert.equal(res.status, 429);
        assert.equal(res.headers.get('retry-after'), '1');
        assert.ok(((await res.json()) as { error: { message: { value: string } } }).error.message.value);
      }
      assert.equal((await get()).status, 200);
      sap.faults.patch({ errorRate: 1 });
      assert.equal((await get()).status, 500);
      sap.faults.patch({ errorRate: 0, maintenance: true });
      const down = await get();
      assert.equal(down.status, 503);
      assert.match(((await down.json()) as { error: { code: string } }).error.code, /^\/IWFND\//);
      assert.equal((await fetch(`${sap.url}/__sandbox/state`)).status, 200);
    } finally {
      await sap.close();
    }
  });

  it('expires CSRF tokens after tokenTtlSeconds, so a long run must fetch again', async () => {
    const sap = await sapSandbox.start({ seed: true, faults: { tokenTtlSeconds: 1 } });
    try {
      const fetched = await fetch(`${sap.url}/sap/opu/odata/sap/API_SALES_ORDER_SRV/`, { headers: { authorization: AUTH, 'x-csrf-token': 'Fetch' } });
      const headers = { authorization: AUTH, 'x-csrf-token': fetched.headers.get('x-csrf-token') ?? '', cookie: fetched.headers.getSetCookie().map((c) => c.split(';')[0]).join('; '), 'content-type': 'application/json' };
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const res = await fetch(`${sap.url}/sap/opu/odata/sap/API_SALES_ORDER_SRV/A_SalesOrder`, { method: 'POST', headers, body: '{}' });
      assert.equal(res.status, 403);
      assert.equal(res.headers.get('x-csrf-token'), 'Required');
    } finally {
      await sap.close();
    }
  });

  it('keeps documents in its state file across a restart', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sap-state-'));
    const statePath = path.join(dir, 'sap.sqlite');
    try {
      const first = await sapSandbox.start({ seed: true, statePath });
      const fetched = await fetch(`${first.url}/sap/opu/odata/sap/API_SALES_ORDER_SRV/`, { headers: { authorization: AUTH, 'x-csrf-token': 'Fetch' } });
      const created = await fetch(`${first.url}/sap/opu/odata/sap/API_SALES_ORDER_SRV/A_SalesOrder`, {
        method: 'POST',
        headers: { authorization: AUTH, 'x-csrf-token': fetched.headers.get('x-csrf-token') ?? '', cookie: fetched.headers.getSetCookie().map((c) => c.split(';')[0]).join('; '), 'content-type': 'application/json' },
        body: JSON.stringify({ SalesOrderType: 'OR', SalesOrganization: '1710', DistributionChannel: '10', OrganizationDivision: '00', SoldToParty: '17100001', PurchaseOrderByCustomer: 'KEEP-1', to_Item: [{ Material: 'VALVE-BV50', RequestedQuantity: '3' }] }),
      });
      assert.equal(created.status, 201);
      await first.close();
      const second = await sapSandbox.start({ seed: true, statePath });
      try {
        const res = await fetch(`${second.url}/sap/opu/odata/sap/API_SALES_ORDER_SRV/A_SalesOrder?$filter=${encodeURIComponent("PurchaseOrderByCustomer eq 'KEEP-1'")}&$expand=to_Item`, { headers: { authorization: AUTH } });
        const body = (await res.json()) as { d: { results: Array<{ to_Item: { results: unknown[] } }> } };
        assert.equal(body.d.results.length, 1);
        assert.equal(body.d.results[0]?.to_Item.results.length, 1);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
