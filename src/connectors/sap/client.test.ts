/**
 * The SAP client against the SAP sandbox: Basic and OAuth sign-in, one CSRF token fetched and
 * reused, a new one fetched once when SAP has expired the session mid-run, and OData v2 errors
 * mapped to the error taxonomy.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { InterlockError } from '../../core/errors.ts';
import type { SandboxInstance } from '../../sandboxes/kit/index.ts';
import { createSapSandbox } from '../../sandboxes/sap/sap-sandbox.ts';
import { listOutboundDeliveries } from './actions/documents.ts';
import { entityPath } from './odata.ts';
import { clientOf, sapAdmin, startSap } from './test-support.ts';

const ORDER = { SalesOrderType: 'OR', SalesOrganization: '1710', DistributionChannel: '10', OrganizationDivision: '00', SoldToParty: '17100001', to_Item: [{ Material: 'SPARE-SEALKIT', RequestedQuantity: '2' }] };

async function failure(promise: Promise<unknown>): Promise<InterlockError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof InterlockError, String(err));
    return err;
  }
  assert.fail('expected a failure');
}

describe('SAP client', () => {
  let sap: SandboxInstance;
  before(async () => {
    sap = await startSap();
  });
  after(() => sap.close());

  it('fetches one CSRF token for many writes and sends it with the session cookie', async () => {
    const client = await clientOf(sap);
    try {
      for (const po of ['C-1', 'C-2', 'C-3']) {
        const res = await client.request({ method: 'POST', service: 'API_SALES_ORDER_SRV', path: 'A_SalesOrder', json: { ...ORDER, PurchaseOrderByCustomer: po } });
        assert.equal(res.status, 201);
      }
      assert.equal(client.csrfFetches, 1);
    } finally {
      await client.close();
    }
  });

  it('fetches a new token once when SAP expired the session mid-run, and the write goes through', async () => {
    const client = await clientOf(sap, 'oauth');
    try {
      await client.request({ method: 'POST', service: 'API_SALES_ORDER_SRV', path: 'A_SalesOrder', json: { ...ORDER, PurchaseOrderByCustomer: 'X-1' } });
      await sapAdmin(sap, 'csrf/expire');
      const res = await client.request({ method: 'POST', service: 'API_SALES_ORDER_SRV', path: 'A_SalesOrder', json: { ...ORDER, PurchaseOrderByCustomer: 'X-2' } });
      assert.equal(res.status, 201);
      assert.equal(client.csrfFetches, 2);
    } finally {
      await client.close();
    }
  });

  it('maps OData errors: 400 validation with the property, 404 not-found, 428 permanent, 412 conflict', async () => {
    const client = await clientOf(sap);
    try {
      const bad = await failure(client.request({ method: 'POST', service: 'API_SALES_ORDER_SRV', path: 'A_SalesOrder', json: { ...ORDER, to_Item: [{ Material: 'NOPE', RequestedQuantity: '1' }] } }));
      assert.equal(bad.code, 'validation');
      assert.equal(bad.details?.['sapCode'], 'V1/320');
      assert.equal(bad.details?.['path'], 'Material');
      const missing = await failure(client.get('API_SALES_ORDER_SRV', entityPath('A_SalesOrder', '424242')));
      assert.equal(missing.code, 'not-found');
      const path = entityPath('A_BusinessPartner', '17100002');
      const noEtag = await failure(client.request({ method: 'PATCH', service: 'API_BUSINESS_PARTNER', path, json: { SearchTerm2: 'X' } }));
      assert.equal(noEtag.code, 'permanent');
      assert.equal(noEtag.details?.['status'], 428);
      const stale = await failure(client.request({ method: 'PATCH', service: 'API_BUSINESS_PARTNER', path, json: { SearchTerm2: 'X' }, ifMatch: 'W/"datetimeoffset\'2000-01-01T00%3A00%3A00.0000000Z\'"' }));
      assert.equal(stale.code, 'conflict');
      assert.equal(stale.details?.['status'], 412);
    } finally {
      await client.close();
    }
  });

  it('refuses a wrong password as auth, without retrying', async () => {
    const client = await clientOf(sap, 'basic', { credentials: { kind: 'basic', username: 'INTERLOCK_COMM', password: 'wrong' } });
    try {
      assert.equal((await failure(client.get('API_BUSINESS_PARTNER', 'A_BusinessPartner'))).code, 'auth');
    } finally {
      await client.close();
    }
  });

  it('follows __next until a customer\'s last delivery', async () => {
    const small = await createSapSandbox({ pageSize: 1 }).start({ seed: true });
    const client = await clientOf(small);
    try {
      const made: string[] = [];
      for (const po of ['P-1', 'P-2', 'P-3']) {
        const res = await client.request<{ d: { SalesOrder: string } }>({ method: 'POST', service: 'API_SALES_ORDER_SRV', path: 'A_SalesOrder', json: { ...ORDER, SoldToParty: '17100003', PurchaseOrderByCustomer: po } });
        made.push(String((await sapAdmin(small, `sales-orders/${res.body.d.SalesOrder}/delivery`))['DeliveryDocument']));
      }
      const read: string[] = [];
      for await (const d of listOutboundDeliveries(client, '17100003')) read.push(d.deliveryDocument);
      assert.deepEqual(read, made);
    } finally {
      await client.close();
      await small.close();
    }
  });
});
