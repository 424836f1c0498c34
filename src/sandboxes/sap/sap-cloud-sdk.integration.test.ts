/**
 * Fidelity: SAP's own HTTP client for OData services (`@sap-cloud-sdk/http-client`, the SAP
 * Cloud SDK) works against the sandbox unchanged but for the destination URL — it fetches the
 * CSRF token its own way (a HEAD with `x-csrf-token: fetch`, cookies kept) before a write, and
 * reads the JSON verbose envelope and OData v2 errors.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { executeHttpRequest } from '@sap-cloud-sdk/http-client';
import type { SandboxInstance } from '../kit/index.ts';
import { sapSandbox } from './sap-sandbox.ts';

describe('SAP sandbox with the SAP Cloud SDK HTTP client', () => {
  let sap: SandboxInstance;
  let destination: { url: string; username: string; password: string; authentication: 'BasicAuthentication' };
  before(async () => {
    sap = await sapSandbox.start({ seed: true });
    destination = { url: sap.url, username: 'INTERLOCK_COMM', password: 'Sandbox-Passw0rd', authentication: 'BasicAuthentication' };
  });
  after(() => sap.close());

  it('creates a sales order by deep insert after fetching the CSRF token itself', async () => {
    const res = await executeHttpRequest(destination, {
      method: 'post',
      url: '/sap/opu/odata/sap/API_SALES_ORDER_SRV/A_SalesOrder',
      headers: { accept: 'application/json', 'content-type': 'application/json' },
      data: { SalesOrderType: 'OR', SalesOrganization: '1710', DistributionChannel: '10', OrganizationDivision: '00', SoldToParty: '17100001', PurchaseOrderByCustomer: 'SDK-1', to_Item: [{ Material: 'PUMP-CP100', RequestedQuantity: '1' }] },
    }, { fetchCsrfToken: true });
    assert.equal(res.status, 201);
    assert.equal((res.data as { d: { PurchaseOrderByCustomer: string } }).d.PurchaseOrderByCustomer, 'SDK-1');
  });

  it('reads a filtered collection in the d.results envelope', async () => {
    const res = await executeHttpRequest(destination, {
      method: 'get',
      url: `/sap/opu/odata/sap/API_BUSINESS_PARTNER/A_BusinessPartner?$filter=${encodeURIComponent("BusinessPartnerIDByExtSystem eq 'CUST-1003'")}&$format=json`,
    });
    assert.deepEqual((res.data as { d: { results: Array<{ BusinessPartner: string }> } }).d.results.map((r) => r.BusinessPartner), ['17100003']);
  });

  it('surfaces the OData v2 error body of a refused write', async () => {
    await assert.rejects(
      executeHttpRequest(destination, { method: 'post', url: '/sap/opu/odata/sap/API_SALES_ORDER_SRV/A_SalesOrder', headers: { 'content-type': 'application/json' }, data: { SalesOrderType: 'OR' } }, { fetchCsrfToken: true }),
      (err: { response?: { status: number; data: { error: { message: { value: string } } } } }) => {
        assert.equal(err.response?.status, 400);
        assert.match(err.response?.data.error.message.value ?? '', /SalesOrganization/);
        return true;
      },
    );
  });
});
