/**
 * Fidelity: DynamicsWebApi (the maintained Dataverse Web API client for Node) works against the
 * sandbox unchanged but for its server URL — token through its `onTokenRefresh` callback, create
 * reading the id from OData-EntityId, retrieve by alternate key, retrieveAll following
 * @odata.nextLink, upsert with If-None-Match, conditional update, the WinOpportunity action,
 * and its error objects carrying Dataverse's status and code.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DynamicsWebApi } from 'dynamics-web-api';
import type { SandboxInstance } from '../kit/index.ts';
import { DEFAULT_DYNAMICS_CONFIG } from './config.ts';
import { dynamicsSandbox } from './dynamics-sandbox.ts';

describe('DynamicsWebApi against the Dynamics 365 sandbox', () => {
  let sb: SandboxInstance;
  let api: DynamicsWebApi;

  before(async () => {
    sb = await dynamicsSandbox.start({ seed: true });
    const { tenantId, clientId, clientSecret } = DEFAULT_DYNAMICS_CONFIG;
    const onTokenRefresh = async (): Promise<string> => {
      const res = await fetch(`${sb.url}/${tenantId}/oauth2/v2.0/token`, {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope: `${sb.url}/.default` }),
      });
      return ((await res.json()) as { access_token: string }).access_token;
    };
    api = new DynamicsWebApi({ serverUrl: sb.url, dataApi: { version: '9.2' }, onTokenRefresh });
  });
  after(() => sb.close());

  it('creates a record and reads it back by id and by alternate key', async () => {
    const id = await api.create({ collection: 'accounts', data: { name: 'Client Library GmbH', accountnumber: 'CUST-7001', address1_country: 'DE' } });
    assert.match(String(id), /^[0-9a-f-]{36}$/);
    const byId = await api.retrieve<{ name: string; accountid: string }>({ collection: 'accounts', key: String(id), select: ['name'] });
    assert.equal(byId.name, 'Client Library GmbH');
    const byKey = await api.retrieve<{ accountid: string }>({ collection: 'accounts', key: "accountnumber='CUST-7001'", select: ['accountid'] });
    assert.equal(byKey.accountid, id);
  });

  it('retrieves every page of a query, following @odata.nextLink', async () => {
    const all = await api.retrieveAll<{ productnumber: string }>({ collection: 'products', select: ['productnumber'], orderBy: ['productnumber'], maxPageSize: 2 });
    assert.deepEqual(all.value.map((p) => p.productnumber), ['MOTOR-E15', 'PUMP-CP100', 'PUMP-CP250', 'SPARE-SEALKIT', 'SVC-COMMISSION', 'VALVE-BV50']);
    const filtered = await api.retrieveMultiple<{ name: string }>({ collection: 'accounts', select: ['name'], filter: "startswith(accountnumber,'CUST-100') and address1_country eq 'DE'" });
    assert.deepEqual(filtered.value.map((a) => a.name), ['Contoso Manufacturing GmbH']);
  });

  it('upserts on an alternate key, and If-None-Match: * refuses to touch an existing record', async () => {
    await api.upsert({ collection: 'accounts', key: "accountnumber='CUST-7002'", data: { name: 'Upsert One' } });
    await api.upsert({ collection: 'accounts', key: "accountnumber='CUST-7002'", data: { name: 'Upsert Two' } });
    const rows = await api.retrieveMultiple<{ name: string }>({ collection: 'accounts', select: ['name'], filter: "accountnumber eq 'CUST-7002'" });
    assert.deepEqual(rows.value.map((r) => r.name), ['Upsert Two']);
    // DynamicsWebApi reads the 412 of If-None-Match: * as "exists, left alone" and resolves without a record.
    const refused = await api.upsert({ collection: 'accounts', key: "accountnumber='CUST-7002'", data: { name: 'Three' }, ifnonematch: '*' });
    assert.ok(refused === null || refused === undefined, `answered ${JSON.stringify(refused)}`);
    const kept = await api.retrieve<{ name: string }>({ collection: 'accounts', key: "accountnumber='CUST-7002'", select: ['name'] });
    assert.equal(kept.name, 'Upsert Two');
  });

  it('reports a stale etag on a conditional update and surfaces Dataverse error codes', async () => {
    const row = await api.retrieve<{ '@odata.etag': string }>({ collection: 'accounts', key: "accountnumber='CUST-1003'", select: ['name'] });
    await api.update({ collection: 'accounts', key: "accountnumber='CUST-1003'", data: { telephone1: '+44 1' }, ifmatch: row['@odata.etag'] });
    const stale = await api.update({ collection: 'accounts', key: "accountnumber='CUST-1003'", data: { telephone1: '+44 2' }, ifmatch: row['@odata.etag'] }).then(
      (result: unknown) => result,
      (err: { status?: number }) => err.status,
    );
    // DynamicsWebApi answers a failed precondition on update with `false` instead of throwing.
    assert.ok(stale === false || stale === 412, `stale update answered ${String(stale)}`);
    await assert.rejects(api.retrieve({ collection: 'accounts', key: '00000000-0000-0000-0000-0000000000aa' }), (err: { status?: number; code?: string }) => {
      assert.equal(err.status, 404);
      assert.equal(err.code, '0x80040217');
      return true;
    });
  });

  it('retrieves an opportunity with its account, currency and lines through expand, nested options included', async () => {
    type Opp = { customerid_account: { accountnumber: string } | null; transactioncurrencyid: { isocurrencycode: string }; product_opportunities: Array<{ sequencenumber: number; productid: { productnumber: string } }> };
    const opp = await api.retrieveMultiple<{ opportunityid: string }>({ collection: 'opportunities', select: ['opportunityid'], filter: "name eq 'Contoso line 3 pump retrofit'" });
    const row = await api.retrieve<Opp>({
      collection: 'opportunities', key: opp.value[0]?.opportunityid ?? '', select: ['name'],
      expand: [
        { property: 'customerid_account', select: ['accountnumber'] },
        { property: 'transactioncurrencyid', select: ['isocurrencycode'] },
        { property: 'product_opportunities', select: ['sequencenumber'], orderBy: ['sequencenumber asc'], expand: [{ property: 'productid', select: ['productnumber'] }] },
      ],
    });
    assert.equal(row.customerid_account?.accountnumber, 'CUST-1001');
    assert.equal(row.transactioncurrencyid.isocurrencycode, 'EUR');
    assert.deepEqual(row.product_opportunities.map((l) => [l.sequencenumber, l.productid.productnumber]), [[1, 'PUMP-CP250'], [2, 'MOTOR-E15'], [3, 'SVC-COMMISSION']]);
  });

  it('wins an opportunity through the WinOpportunity action', async () => {
    const opp = await api.retrieveMultiple<{ opportunityid: string }>({ collection: 'opportunities', select: ['opportunityid'], filter: "name eq 'Fabrikam cooling loop valves'" });
    const id = opp.value[0]?.opportunityid ?? '';
    await api.callAction({ actionName: 'WinOpportunity', action: { Status: 3, OpportunityClose: { subject: 'Won by client', 'opportunityid@odata.bind': `opportunities(${id})` } } });
    const after = await api.retrieve<{ statecode: number }>({ collection: 'opportunities', key: id, select: ['statecode'] });
    assert.equal(after.statecode, 1);
  });
});
