/**
 * `$expand` over HTTP, as Dataverse's Web API answers it: single-valued navigation properties
 * (`customerid_account`, `transactioncurrencyid`) on a single-record GET and on a collection, the
 * opportunity's lines through `product_opportunities` with nested `$select`, `$orderby` and
 * `$expand`, null for a lookup that is empty or points at the other table, and 400s in the
 * `{"error":{code,message}}` shape for unknown names, non-navigation properties, unsupported
 * nested options and bad syntax.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SandboxInstance } from '../kit/index.ts';
import { DEFAULT_DYNAMICS_CONFIG } from './config.ts';
import { dynamicsSandbox } from './dynamics-sandbox.ts';

type Json = Record<string, unknown>;
interface Answer {
  status: number;
  body: Json;
}

const { tenantId, clientId, clientSecret } = DEFAULT_DYNAMICS_CONFIG;
const LINES = 'product_opportunities($select=sequencenumber,quantity;$orderby=sequencenumber desc;$expand=productid($select=productnumber))';

describe('Dynamics 365 sandbox: $expand', () => {
  let sb: SandboxInstance;
  let accessToken: string;
  let contoso: string;
  const call = async (method: string, path: string, body?: unknown): Promise<Answer> => {
    const res = await fetch(`${sb.url}/api/data/v9.2/${path}`, {
      method,
      headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json', 'odata-version': '4.0', ...(body === undefined ? {} : { 'content-type': 'application/json', prefer: 'return=representation' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Json };
  };
  const get = (path: string, query: Record<string, string>): Promise<Answer> => call('GET', `${path}?${new URLSearchParams(query).toString()}`);
  const refused = async (path: string, expand: string, message: RegExp): Promise<void> => {
    const a = await get(path, { $expand: expand });
    assert.equal(a.status, 400, expand);
    const error = a.body['error'] as { code: string; message: string };
    assert.equal(error.code, '0x80060888', expand);
    assert.match(error.message, message, expand);
  };

  before(async () => {
    sb = await dynamicsSandbox.start({ seed: true });
    const res = await fetch(`${sb.url}/${tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope: `${sb.url}/.default` }),
    });
    accessToken = String(((await res.json()) as Json)['access_token']);
    const found = await get('opportunities', { $select: 'opportunityid', $filter: "name eq 'Contoso line 3 pump retrofit'" });
    contoso = String((found.body['value'] as Json[])[0]?.['opportunityid']);
  });
  after(() => sb.close());

  it('expands single-valued navigation properties on one record, with their $select, and says so in @odata.context', async () => {
    const a = await get(`opportunities(${contoso})`, { $select: 'name', $expand: 'customerid_account($select=accountnumber,address1_country),transactioncurrencyid($select=isocurrencycode)' });
    assert.equal(a.status, 200);
    assert.match(String(a.body['@odata.context']), /\$metadata#opportunities\(name,customerid_account\(accountnumber,address1_country\),transactioncurrencyid\(isocurrencycode\)\)\/\$entity$/);
    const account = a.body['customerid_account'] as Json;
    assert.deepEqual(Object.keys(account).sort(), ['@odata.etag', 'accountid', 'accountnumber', 'address1_country']);
    assert.equal(account['accountnumber'], 'CUST-1001');
    assert.equal(account['address1_country'], 'DE');
    assert.match(String(account['@odata.etag']), /^W\/"\d+"$/);
    assert.equal((a.body['transactioncurrencyid'] as Json)['isocurrencycode'], 'EUR');
    assert.equal(a.body['name'], 'Contoso line 3 pump retrofit');
  });

  it("expands the opportunity's lines with nested $orderby and $expand: exactly its own lines, in order, each with its product", async () => {
    const a = await get(`opportunities(${contoso})`, { $select: 'name', $expand: LINES });
    assert.equal(a.status, 200);
    const lines = a.body['product_opportunities'] as Json[];
    const own = await get('opportunityproducts', { $select: 'sequencenumber', $filter: `_opportunityid_value eq ${contoso}` });
    assert.equal(lines.length, (own.body['value'] as Json[]).length);
    assert.deepEqual(lines.map((l) => l['sequencenumber']), [3, 2, 1]);
    assert.deepEqual(lines.map((l) => (l['productid'] as Json)['productnumber']), ['SVC-COMMISSION', 'MOTOR-E15', 'PUMP-CP250']);
    assert.deepEqual(Object.keys(lines[0] ?? {}).sort(), ['@odata.etag', 'opportunityproductid', 'productid', 'quantity', 'sequencenumber']);
  });

  it('expands on a collection query: every row gets its own account and lines', async () => {
    const a = await get('opportunities', { $select: 'name,_customerid_value', $expand: `customerid_account($select=accountnumber),${LINES}`, $orderby: 'name asc' });
    assert.equal(a.status, 200);
    const rows = a.body['value'] as Json[];
    assert.ok(rows.length >= 3);
    for (const row of rows) {
      const account = row['customerid_account'] as Json;
      assert.equal(account['accountid'], row['_customerid_value']);
      const own = await get('opportunityproducts', { $select: 'opportunityproductid', $filter: `_opportunityid_value eq ${String(row['opportunityid'])}` });
      assert.deepEqual((row['product_opportunities'] as Json[]).map((l) => l['opportunityproductid']).sort(), (own.body['value'] as Json[]).map((l) => l['opportunityproductid']).sort());
    }
  });

  it('answers null for a lookup that points at the other table, and no lines for an opportunity without any', async () => {
    const contacts = await get('contacts', { $select: 'contactid', $top: '1' });
    const contactId = String((contacts.body['value'] as Json[])[0]?.['contactid']);
    const created = await call('POST', 'opportunities', { name: 'Contact-led deal', 'customerid_contact@odata.bind': `/contacts(${contactId})` });
    assert.equal(created.status, 201);
    const a = await get(`opportunities(${String(created.body['opportunityid'])})`, { $select: 'name', $expand: `customerid_account($select=name),customerid_contact($select=contactid),transactioncurrencyid,${LINES}` });
    assert.equal(a.status, 200);
    assert.equal(a.body['customerid_account'], null);
    assert.equal((a.body['customerid_contact'] as Json)['contactid'], contactId);
    assert.equal(a.body['transactioncurrencyid'], null);
    assert.deepEqual(a.body['product_opportunities'], []);
  });

  it('refuses unknown names, non-navigation properties, unsupported nested options and bad syntax with a 400 in the error shape', async () => {
    const one = `opportunities(${contoso})`;
    await refused(one, 'nosuchnav', /Could not find a property named 'nosuchnav' on type 'Microsoft\.Dynamics\.CRM\.opportunity'/);
    await refused(one, 'customerid', /Could not find a property named 'customerid'/);
    await refused(one, 'name', /Property 'name' on type 'Microsoft\.Dynamics\.CRM\.opportunity' is not a navigation property/);
    await refused(one, '_customerid_value', /is not a navigation property/);
    await refused(one, 'customerid_account($select=nosuch)', /Could not find a property named 'nosuch' on type 'Microsoft\.Dynamics\.CRM\.account'/);
    await refused(one, 'product_opportunities($orderby=nosuch asc)', /Could not find a property named 'nosuch' on type 'Microsoft\.Dynamics\.CRM\.opportunityproduct'/);
    await refused(one, 'product_opportunities($expand=productid($select=nosuch))', /'nosuch' on type 'Microsoft\.Dynamics\.CRM\.product'/);
    await refused(one, 'product_opportunities($filter=quantity gt 1)', /does not support \$filter inside \$expand/);
    await refused(one, 'product_opportunities($top=1)', /does not support \$top inside \$expand/);
    await refused(one, 'transactioncurrencyid($orderby=isocurrencycode)', /does not support \$orderby inside \$expand/);
    await refused(one, 'transactioncurrencyid($bogus=1)', /query option '\$bogus' is not supported/);
    await refused(one, 'customerid_account($select=name', /Syntax error in \$expand/);
    await refused(one, 'customerid_account,,transactioncurrencyid', /Syntax error in \$expand/);
    await refused('accounts', 'product_opportunities', /Could not find a property named 'product_opportunities' on type 'Microsoft\.Dynamics\.CRM\.account'/);
  });
});
