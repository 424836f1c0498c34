import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Order } from '../../../canonical/order.ts';
import { InterlockError } from '../../../core/errors.ts';
import { loadMappingFile } from '../../../mapping/load.ts';
import { MemoryXrefRepository } from '../../../mapping/xref.ts';
import type { SandboxInstance } from '../../../sandboxes/kit/index.ts';
import type { DynamicsClient } from '../client.ts';
import { clientOf, patchFaults, startDynamics } from '../test-support.ts';
import { getOpportunity } from './get-opportunity.ts';
import { literal } from './odata.ts';
import { queryRecords } from './query-records.ts';
import { updateOpportunity } from './update-opportunity.ts';
import { upsertAccount } from './upsert-account.ts';

const mappingFile = (name: string): string => fileURLToPath(new URL(`../mappings/${name}`, import.meta.url));

describe('Dynamics 365 actions', () => {
  let sandbox: SandboxInstance;
  let client: DynamicsClient;
  let opportunityId: string;

  before(async () => {
    sandbox = await startDynamics();
    client = clientOf(sandbox);
    for await (const r of queryRecords(client, { entitySet: 'opportunities', select: ['opportunityid'], filter: `name eq ${literal('Contoso line 3 pump retrofit')}` })) {
      opportunityId = String(r['opportunityid']);
    }
  });
  after(async () => {
    await client.close();
    await sandbox.close();
  });

  it('reads an opportunity with its account, currency and lines, and it maps to a valid canonical Order', async () => {
    const opp = await getOpportunity(client, { opportunityId });
    assert.equal(opp.customerid_account?.['accountnumber'], 'CUST-1001');
    assert.equal(opp.transactioncurrencyid?.isocurrencycode, 'EUR');
    assert.deepEqual(opp.opportunityproducts.map((l) => (l['productid'] as { productnumber: string }).productnumber), ['PUMP-CP250', 'MOTOR-E15', 'SVC-COMMISSION']);
    // The header total is the sum of the lines read: none was left out.
    assert.equal(opp['totalamount'], opp.opportunityproducts.reduce((sum, l) => sum + Number(l['extendedamount']), 0));

    const xref = new MemoryXrefRepository();
    await xref.link({ canonicalType: 'customer', canonicalId: 'cus-contoso', system: 'dynamics', objectType: 'account', externalId: String(opp['_customerid_value']) });
    const mapper = await loadMappingFile(mappingFile('opportunity-to-order.yaml'));
    const order = await mapper.mapOne<Order>(opp, { xref });
    assert.equal(order.customerId, 'cus-contoso');
    assert.equal(order.status, 'draft');
    assert.equal(order.currency, 'EUR');
    assert.equal(order.legalEntity, 'DE01');
    assert.deepEqual(order.lines.map((l) => [l.sku, l.quantity, l.unitPrice.amount]), [['PUMP-CP250', '4', '7900'], ['MOTOR-E15', '4', '2650'], ['SVC-COMMISSION', '2', '1200']]);
  });

  it('reads the opportunity, its account, currency and lines in one Web API call', async () => {
    const calls: string[] = [];
    const counting = Object.create(client) as DynamicsClient;
    counting.api = (request) => {
      calls.push(`${request.method} ${request.path}`);
      return client.api(request);
    };
    const opp = await getOpportunity(counting, { opportunityId });
    assert.deepEqual(calls, [`GET opportunities(${opportunityId})`]);
    assert.equal(opp.opportunityproducts.length, 3);
    assert.equal('product_opportunities' in opp, false);
    // Each line's product is reduced to {productnumber, name}, as before the single read.
    const product = opp.opportunityproducts[0]?.['productid'] as Record<string, unknown>;
    assert.deepEqual(Object.keys(product).sort(), ['name', 'productnumber']);
    assert.equal(product['productnumber'], 'PUMP-CP250');
  });

  it('answers a null account when the customer is a contact, and no lines when there are none', async () => {
    let contactId = '';
    for await (const r of queryRecords(client, { entitySet: 'contacts', select: ['contactid'], pageSize: 1 })) {
      contactId = String(r['contactid']);
      break;
    }
    const created = await client.api<{ opportunityid: string }>({ method: 'POST', path: 'opportunities', headers: { prefer: 'return=representation' }, json: { name: 'Contact-led deal', 'customerid_contact@odata.bind': `/contacts(${contactId})` } });
    const opp = await getOpportunity(client, { opportunityId: created.body.opportunityid });
    assert.equal(opp.customerid_account, null);
    assert.equal(opp.transactioncurrencyid, null);
    assert.deepEqual(opp.opportunityproducts, []);
    assert.equal(opp['_customerid_value'], contactId);
  });

  it('answers not-found for a missing opportunity and validation for a malformed id', async () => {
    await assert.rejects(getOpportunity(client, { opportunityId: '00000000-0000-4000-a000-000000000000' }), (e) => e instanceof InterlockError && e.code === 'not-found');
    await assert.rejects(getOpportunity(client, { opportunityId: "x) or (name eq 'y'" }), (e) => e instanceof InterlockError && e.code === 'validation');
  });

  it('upserts an account by alternate key: created once, then updated; create-only and update-only refuse', async () => {
    const key = { accountnumber: "CUST-O'NEIL" };
    const first = await upsertAccount(client, { key, fields: { name: "O'Neil Pumps", address1_country: 'IE' } });
    assert.equal(first.created, true);
    const again = await upsertAccount(client, { key, fields: { name: "O'Neil Pumps Ltd" } });
    assert.deepEqual(again, { id: first.id, created: false });
    await assert.rejects(upsertAccount(client, { key, fields: { name: 'x' }, mode: 'create-only' }), (e) => e instanceof InterlockError && e.code === 'conflict');
    await assert.rejects(upsertAccount(client, { key: { accountnumber: 'CUST-NONE' }, fields: { name: 'x' }, mode: 'update-only' }), (e) => e instanceof InterlockError && e.code === 'not-found');
    const rows = [];
    for await (const r of queryRecords(client, { entitySet: 'accounts', select: ['name'], filter: `accountnumber eq ${literal("CUST-O'NEIL")}` })) rows.push(r['name']);
    assert.deepEqual(rows, ["O'Neil Pumps Ltd"]);
  });

  it('leaves exactly one account when the answers to an upsert are lost and it is sent again', async () => {
    const key = { accountnumber: 'CUST-DROP-1' };
    await patchFaults(sandbox, { dropResponseRate: 1 });
    try {
      await assert.rejects(upsertAccount(client, { key, fields: { name: 'Lost Answers GmbH' } }), (e) => e instanceof InterlockError && e.code === 'transient');
    } finally {
      await patchFaults(sandbox, { dropResponseRate: 0 });
    }
    const retried = await upsertAccount(client, { key, fields: { name: 'Lost Answers GmbH' } });
    assert.equal(retried.created, false, 'the lost first attempt had created it');
    const ids = [];
    for await (const r of queryRecords(client, { entitySet: 'accounts', select: ['accountid'], filter: `accountnumber eq ${literal('CUST-DROP-1')}` })) ids.push(r['accountid']);
    assert.deepEqual(ids, [retried.id]);
  });

  it('writes integration fields onto an opportunity, update only, and honours an etag', async () => {
    await updateOpportunity(client, { opportunityId, integrationStatus: 'Synced', erpOrderNumber: '0000004711', shipmentStatus: null });
    const read = await client.api<Record<string, unknown>>({ method: 'GET', path: `opportunities(${opportunityId})`, query: { $select: 'il_integrationstatus,il_erpordernumber' } });
    assert.equal(read.body['il_integrationstatus'], 'Synced');
    assert.equal(read.body['il_erpordernumber'], '0000004711');
    const etag = String(read.body['@odata.etag']);
    await updateOpportunity(client, { opportunityId, billingStatus: 'Invoiced 90000001', etag });
    await assert.rejects(updateOpportunity(client, { opportunityId, paymentStatus: 'Paid', etag }), (e) => e instanceof InterlockError && e.code === 'conflict');
    await assert.rejects(updateOpportunity(client, { opportunityId: '00000000-0000-4000-a000-000000000000', integrationStatus: 'Synced' }), (e) => e instanceof InterlockError && e.code === 'not-found');
  });

  it('queries page by page through @odata.nextLink and stops when the caller does', async () => {
    const skus: string[] = [];
    for await (const p of queryRecords(client, { entitySet: 'products', select: ['productnumber'], orderBy: ['productnumber asc'], pageSize: 2 })) skus.push(String(p['productnumber']));
    assert.deepEqual(skus, ['MOTOR-E15', 'PUMP-CP100', 'PUMP-CP250', 'SPARE-SEALKIT', 'SVC-COMMISSION', 'VALVE-BV50']);
    // A 429 on the second page surfaces as rate-limited: the iterator does not swallow it.
    const pages = queryRecords(client, { entitySet: 'products', select: ['productnumber'], pageSize: 3 });
    for (let i = 0; i < 3; i++) await pages.next();
    await patchFaults(sandbox, { rateLimit: { burst: 1 } });
    await assert.rejects(pages.next(), (e) => e instanceof InterlockError && e.code === 'rate-limited' && e.retryAfterMs === 1000);
  });
});
