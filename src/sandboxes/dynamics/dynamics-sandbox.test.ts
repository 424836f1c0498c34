/**
 * The Dynamics 365 sandbox over HTTP, following Microsoft's documented Web API requests and
 * responses: the identity platform token, create (204 + OData-EntityId / 201 with
 * return=representation), retrieve with $select, queries with $filter/$orderby/$top/$count and
 * paging by nextLink, upsert on alternate keys with If-Match / If-None-Match, optimistic
 * concurrency, OData error bodies, the service-protection 429 and WinOpportunity.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SandboxInstance } from '../kit/index.ts';
import { DEFAULT_DYNAMICS_CONFIG } from './config.ts';
import { dynamicsSandbox } from './dynamics-sandbox.ts';

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown> | undefined;
}

const API = '/api/data/v9.2';
const { tenantId, clientId, clientSecret } = DEFAULT_DYNAMICS_CONFIG;

async function token(sb: SandboxInstance, form: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(`${sb.url}/${form['tenant'] ?? tenantId}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope: `${sb.url}/.default`, ...form }),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

describe('Dynamics 365 sandbox', () => {
  let sb: SandboxInstance;
  let accessToken: string;
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> => {
    const res = await fetch(path.startsWith('http') ? path : `${sb.url}${API}${path}`, {
      method,
      headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json', 'odata-version': '4.0', 'odata-maxversion': '4.0', ...(body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>) };
  };
  const errorOf = (a: Answer): { code: string; message: string } => (a.body as { error: { code: string; message: string } }).error;

  before(async () => {
    sb = await dynamicsSandbox.start({ seed: true });
    accessToken = String((await token(sb)).body?.['access_token']);
  });
  after(() => sb.close());

  it('issues a client-credentials token in the identity platform shape and refuses a bad secret with an AADSTS error', async () => {
    const ok = await token(sb);
    assert.equal(ok.status, 200);
    assert.equal(ok.body?.['token_type'], 'Bearer');
    assert.equal(ok.body?.['expires_in'], 3599);
    assert.equal(ok.body?.['ext_expires_in'], 3599);
    const bad = await token(sb, { client_secret: 'wrong' });
    assert.equal(bad.status, 401);
    assert.equal(bad.body?.['error'], 'invalid_client');
    assert.deepEqual(bad.body?.['error_codes'], [7000215]);
    assert.match(String(bad.body?.['error_description']), /^AADSTS7000215: /);
    const scope = await token(sb, { scope: 'https://other.crm.dynamics.com/.default' });
    assert.equal(scope.body?.['error'], 'invalid_scope');
  });

  it('answers 401 with a Bearer challenge without a valid token', async () => {
    const res = await fetch(`${sb.url}${API}/accounts`, { headers: { authorization: 'Bearer nope' } });
    assert.equal(res.status, 401);
    assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer authorization_uri=/);
  });

  it('creates with 204 and OData-EntityId, or 201 and the row with return=representation', async () => {
    const created = await call('POST', '/accounts', { name: 'Sample Account', creditonhold: false, revenue: 5000000 });
    assert.equal(created.status, 204);
    const entityId = created.headers.get('odata-entityid') ?? '';
    assert.match(entityId, /\/api\/data\/v9\.2\/accounts\([0-9a-f-]{36}\)$/);
    const read = await call('GET', `${entityId.slice(entityId.indexOf('/accounts'))}?$select=name,revenue`);
    assert.equal(read.status, 200);
    assert.equal(read.body?.['name'], 'Sample Account');
    assert.equal(read.body?.['revenue'], 5000000);
    assert.match(String(read.body?.['@odata.etag']), /^W\/"\d+"$/);
    assert.match(String(read.body?.['@odata.context']), /\$metadata#accounts\(name,revenue\)\/\$entity$/);
    assert.ok(!('telephone1' in (read.body ?? {})), '$select limits the columns');

    const represented = await call('POST', '/accounts?$select=name', { name: 'Represented' }, { prefer: 'return=representation' });
    assert.equal(represented.status, 201);
    assert.equal(represented.body?.['name'], 'Represented');
    assert.match(String(represented.body?.['accountid']), /^[0-9a-f-]{36}$/);
  });

  it('answers OData error bodies: unknown row 404 0x80040217, unknown property 400, bad filter 400', async () => {
    const missing = await call('GET', '/accounts(00000000-0000-0000-0000-000000000001)');
    assert.equal(missing.status, 404);
    assert.deepEqual(errorOf(missing), { code: '0x80040217', message: 'account With Id = 00000000-0000-0000-0000-000000000001 Does Not Exist' });
    const badSelect = await call('GET', '/accounts?$select=nosuchcolumn');
    assert.equal(badSelect.status, 400);
    assert.match(errorOf(badSelect).message, /Could not find a property named 'nosuchcolumn' on type 'Microsoft.Dynamics.CRM.account'/);
    const badBody = await call('POST', '/accounts', { name: 'x', nosuch: 1 });
    assert.equal(badBody.status, 400);
    assert.match(errorOf(badBody).message, /Invalid property 'nosuch'/);
    const badFilter = await call('GET', `/accounts?$filter=${encodeURIComponent("name eq")}`);
    assert.equal(badFilter.status, 400);
    const required = await call('POST', '/accounts', { telephone1: '1' });
    assert.equal(required.status, 400);
  });

  it('filters with eq, ne, gt, lt, and, or, contains and startswith, orders and limits', async () => {
    const q = async (query: string): Promise<Array<Record<string, unknown>>> => {
      const a = await call('GET', `/products?${query}`);
      assert.equal(a.status, 200, JSON.stringify(a.body));
      return a.body?.['value'] as Array<Record<string, unknown>>;
    };
    const skus = (rows: Array<Record<string, unknown>>): unknown[] => rows.map((r) => r['productnumber']);
    assert.deepEqual(skus(await q(`$select=productnumber&$filter=${encodeURIComponent("productnumber eq 'pump-cp100'")}`)), ['PUMP-CP100']);
    assert.deepEqual(skus(await q(`$select=productnumber&$filter=${encodeURIComponent('price gt 4000 and price lt 8000')}&$orderby=price desc`)), ['PUMP-CP250', 'PUMP-CP100']);
    assert.deepEqual(skus(await q(`$select=productnumber&$filter=${encodeURIComponent("startswith(productnumber,'PUMP') or contains(name,'seal')")}&$orderby=productnumber`)), ['PUMP-CP100', 'PUMP-CP250', 'SPARE-SEALKIT']);
    assert.equal((await q(`$filter=${encodeURIComponent("productnumber ne 'VALVE-BV50'")}`)).length, 5);
    assert.deepEqual(skus(await q('$select=productnumber&$orderby=price asc&$top=2')), ['SPARE-SEALKIT', 'VALVE-BV50']);
    const lines = await call('GET', `/opportunityproducts?$select=quantity,extendedamount,_productid_value&$filter=${encodeURIComponent('_opportunityid_value ne null')}&$count=true`);
    assert.equal(lines.body?.['@odata.count'], 7);
  });

  it('pages with Prefer: odata.maxpagesize and an @odata.nextLink followed as is', async () => {
    const seen: string[] = [];
    let next: string | undefined = '/products?$select=productnumber&$orderby=productnumber';
    let pages = 0;
    while (next !== undefined) {
      const page: Answer = await call('GET', next, undefined, { prefer: 'odata.maxpagesize=4' });
      assert.equal(page.headers.get('preference-applied'), 'odata.maxpagesize=4');
      for (const row of page.body?.['value'] as Array<{ productnumber: string }>) seen.push(row.productnumber);
      next = page.body?.['@odata.nextLink'] as string | undefined;
      if (next !== undefined) assert.match(next, /\$skiptoken=/);
      pages++;
    }
    assert.equal(pages, 2);
    assert.deepEqual(seen, ['MOTOR-E15', 'PUMP-CP100', 'PUMP-CP250', 'SPARE-SEALKIT', 'SVC-COMMISSION', 'VALVE-BV50']);
  });

  it('upserts through PATCH on an alternate key: 204 either way, If-Match * updates only, If-None-Match * creates only', async () => {
    const key = "/accounts(accountnumber='CUST-9001')";
    const updateOnly = await call('PATCH', key, { name: 'Nobody' }, { 'if-match': '*' });
    assert.equal(updateOnly.status, 404);
    assert.equal((await call('GET', `/accounts?$filter=${encodeURIComponent("accountnumber eq 'CUST-9001'")}`)).body?.['value']?.toString(), '');
    const created = await call('PATCH', key, { name: 'Upserted Ltd' });
    assert.equal(created.status, 204);
    const again = await call('PATCH', key, { name: 'Upserted Ltd (renamed)' });
    assert.equal(again.status, 204);
    assert.equal(again.headers.get('odata-entityid'), created.headers.get('odata-entityid'));
    const read = await call('GET', `${key}?$select=name,accountnumber`);
    assert.equal(read.body?.['name'], 'Upserted Ltd (renamed)');
    assert.equal(read.body?.['accountnumber'], 'CUST-9001');
    const createOnly = await call('PATCH', key, { name: 'Duplicate' }, { 'if-none-match': '*' });
    assert.equal(createOnly.status, 412);
    assert.equal(errorOf(createOnly).code, '0x80040237');
    const representation = await call('PATCH', key, { telephone1: '+1 555' }, { prefer: 'return=representation' });
    assert.equal(representation.status, 200);
    const createdRep = await call('PATCH', "/accounts(accountnumber='CUST-9002')", { name: 'New' }, { prefer: 'return=representation', 'if-none-match': '*' });
    assert.equal(createdRep.status, 201);
    const notAKey = await call('GET', "/accounts(name='Upserted Ltd')");
    assert.equal(notAKey.status, 400);
  });

  it('refuses an update with a stale etag (412) and accepts the current one', async () => {
    const read = await call('GET', "/accounts(accountnumber='CUST-1002')?$select=name");
    const etag = String(read.body?.['@odata.etag']);
    assert.equal((await call('PATCH', "/accounts(accountnumber='CUST-1002')", { telephone1: '1' }, { 'if-match': etag })).status, 204);
    const stale = await call('PATCH', "/accounts(accountnumber='CUST-1002')", { telephone1: '2' }, { 'if-match': etag });
    assert.equal(stale.status, 412);
    assert.equal(errorOf(stale).code, '0x80060882');
  });

  it('binds lookups with @odata.bind, derives line amounts and rolls them up into the opportunity', async () => {
    const opp = await call('POST', '/opportunities', { name: 'Bind test', isrevenuesystemcalculated: true, "customerid_account@odata.bind": "/accounts(accountnumber='CUST-1001')" }, { prefer: 'return=representation' });
    assert.equal(opp.status, 201);
    const oppId = String(opp.body?.['opportunityid']);
    const line = await call('POST', '/opportunityproducts', { quantity: 3, "opportunityid@odata.bind": `/opportunities(${oppId})`, "productid@odata.bind": "/products(productnumber='PUMP-CP100')" }, { prefer: 'return=representation' });
    assert.equal(line.status, 201, JSON.stringify(line.body));
    assert.equal(line.body?.['priceperunit'], 4200);
    assert.equal(line.body?.['extendedamount'], 12600);
    const header = await call('GET', `/opportunities(${oppId})?$select=totalamount,estimatedvalue,_customerid_value`, undefined, { prefer: 'odata.include-annotations="*"' });
    assert.equal(header.body?.['totalamount'], 12600);
    assert.equal(header.body?.['estimatedvalue'], 12600);
    assert.equal(header.body?.['_customerid_value@Microsoft.Dynamics.CRM.lookuplogicalname'], 'account');
    const badBind = await call('POST', '/opportunityproducts', { quantity: 1, "opportunityid@odata.bind": '/opportunities(00000000-0000-0000-0000-000000000009)' });
    assert.equal(badBind.status, 404);
  });

  it('wins an opportunity through WinOpportunity: state Won (1), status 3, actual value', async () => {
    const list = await call('GET', `/opportunities?$select=name,totalamount&$filter=${encodeURIComponent("name eq 'Contoso line 3 pump retrofit'")}`);
    const opp = (list.body?.['value'] as Array<Record<string, unknown>>)[0] ?? {};
    const won = await call('POST', '/WinOpportunity', { Status: 3, OpportunityClose: { subject: 'Won', 'opportunityid@odata.bind': `/opportunities(${String(opp['opportunityid'])})` } });
    assert.equal(won.status, 204);
    const after = await call('GET', `/opportunities(${String(opp['opportunityid'])})?$select=statecode,statuscode,actualvalue`);
    assert.equal(after.body?.['statecode'], 1);
    assert.equal(after.body?.['statuscode'], 3);
    assert.equal(after.body?.['actualvalue'], opp['totalamount']);
    const twice = await call('POST', '/WinOpportunity', { Status: 3, OpportunityClose: { 'opportunityid@odata.bind': `/opportunities(${String(opp['opportunityid'])})` } });
    assert.equal(twice.status, 400);
  });

  it('answers a 429 burst with the service-protection error and Retry-After', async () => {
    await fetch(`${sb.url}/__sandbox/faults`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rateLimit: { burst: 2 } }) });
    const first = await call('GET', '/accounts?$top=1');
    assert.equal(first.status, 429);
    assert.equal(first.headers.get('retry-after'), '1');
    assert.equal(errorOf(first).code, '0x80072322');
    assert.equal((await call('GET', '/accounts?$top=1')).status, 429);
    assert.equal((await call('GET', '/accounts?$top=1')).status, 200);
  });
});
