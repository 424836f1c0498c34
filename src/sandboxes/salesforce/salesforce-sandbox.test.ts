/**
 * The Salesforce sandbox over HTTP: OAuth grants and their errors, sessions, sObject CRUD and
 * upsert statuses, collections with allOrNone, query paging, the API allowance, and faults in
 * Salesforce's own error shape.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { SignJWT } from 'jose';
import type { SandboxInstance } from '../kit/index.ts';
import { createSalesforceSandbox } from './salesforce-sandbox.ts';

const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const CLIENT = { client_id: 'interlock-sandbox-client', client_secret: 'interlock-sandbox-secret' };

interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
}

async function call(sb: SandboxInstance, method: string, path: string, options: { token?: string; body?: unknown; form?: Record<string, string>; headers?: Record<string, string> } = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers['authorization'] = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(options.form).toString();
  } else if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  }
  const res = await fetch(`${sb.url}${path}`, { method, headers, body });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text === '' ? undefined : JSON.parse(text) };
}

async function login(sb: SandboxInstance): Promise<string> {
  const res = await call(sb, 'POST', '/services/oauth2/token', { form: { grant_type: 'client_credentials', ...CLIENT } });
  assert.equal(res.status, 200);
  return (res.body as { access_token: string }).access_token;
}

describe('Salesforce sandbox', () => {
  let sb: SandboxInstance;
  let token: string;
  const api = '/services/data/v61.0';

  before(async () => {
    sb = await createSalesforceSandbox({ jwtPublicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString() }).start({ seed: true });
    token = await login(sb);
  });
  after(() => sb.close());

  describe('OAuth', () => {
    it('answers client credentials with Salesforce token fields', async () => {
      const res = await call(sb, 'POST', '/services/oauth2/token', { form: { grant_type: 'client_credentials', ...CLIENT } });
      const body = res.body as Record<string, string>;
      assert.equal(body['instance_url'], sb.url);
      assert.equal(body['token_type'], 'Bearer');
      assert.match(body['issued_at'] ?? '', /^\d{13}$/);
      assert.match(body['id'] ?? '', /\/id\/00D\w{15}\/005\w{15}$/);
      assert.ok(body['signature'] && body['access_token'] && body['scope']);
    });

    it('accepts the password grant and refuses wrong credentials as OAuth errors', async () => {
      const ok = await call(sb, 'POST', '/services/oauth2/token', { form: { grant_type: 'password', ...CLIENT, username: 'integration@interlock.sandbox', password: 'sandbox' } });
      assert.equal(ok.status, 200);
      const badPassword = await call(sb, 'POST', '/services/oauth2/token', { form: { grant_type: 'password', ...CLIENT, username: 'integration@interlock.sandbox', password: 'nope' } });
      assert.deepEqual([badPassword.status, badPassword.body], [400, { error: 'invalid_grant', error_description: 'authentication failure' }]);
      const badSecret = await call(sb, 'POST', '/services/oauth2/token', { form: { grant_type: 'client_credentials', client_id: CLIENT.client_id, client_secret: 'x' } });
      assert.deepEqual(badSecret.body, { error: 'invalid_client', error_description: 'invalid client credentials' });
      const badGrant = await call(sb, 'POST', '/services/oauth2/token', { form: { grant_type: 'authorization_code' } });
      assert.equal((badGrant.body as Record<string, string>)['error'], 'unsupported_grant_type');
    });

    it('verifies JWT bearer assertions: signature, iss, aud and exp', async () => {
      const jwt = (claims: { iss?: string; aud?: string; exp?: number }, key = privateKey): Promise<string> =>
        new SignJWT({})
          .setProtectedHeader({ alg: 'RS256' })
          .setIssuer(claims.iss ?? CLIENT.client_id)
          .setSubject('integration@interlock.sandbox')
          .setAudience(claims.aud ?? 'https://login.salesforce.com')
          .setExpirationTime(claims.exp ?? Math.floor(Date.now() / 1000) + 180)
          .sign(key);
      const grant = async (assertion: string): Promise<Answer> =>
        call(sb, 'POST', '/services/oauth2/token', { form: { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion } });
      const ok = await grant(await jwt({}));
      assert.equal(ok.status, 200);
      assert.equal((ok.body as Record<string, string>)['instance_url'], sb.url);
      const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
      assert.deepEqual((await grant(await jwt({}, other))).body, { error: 'invalid_grant', error_description: 'invalid assertion' });
      assert.equal(((await grant(await jwt({ aud: 'https://evil.example' }))).body as Record<string, string>)['error_description'], 'audience is invalid');
      assert.equal(((await grant(await jwt({ exp: Math.floor(Date.now() / 1000) - 60 }))).body as Record<string, string>)['error_description'], 'expired authorization code');
      assert.equal(((await grant(await jwt({ iss: 'someone-else' }))).body as Record<string, string>)['error'], 'invalid_client_id');
    });

    it('refuses unknown and expired sessions with INVALID_SESSION_ID', async () => {
      const res = await call(sb, 'GET', `${api}/sobjects`, { token: 'forged' });
      assert.deepEqual([res.status, res.body], [401, [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]]);
      sb.faults.patch({ tokenTtlSeconds: 1 });
      const shortLived = await login(sb);
      sb.faults.patch({ tokenTtlSeconds: null });
      assert.equal((await call(sb, 'GET', `${api}/sobjects`, { token: shortLived })).status, 200);
      await sleep(1100);
      assert.equal((await call(sb, 'GET', `${api}/sobjects`, { token: shortLived })).status, 401);
    });
  });

  describe('sObjects', () => {
    it('creates (201), reads with fields=, updates (204) and deletes (204)', async () => {
      const created = await call(sb, 'POST', `${api}/sobjects/Account`, { token, body: { Name: 'Crud Co', BillingCountry: 'France' } });
      assert.equal(created.status, 201);
      const { id, success, errors } = created.body as { id: string; success: boolean; errors: unknown[] };
      assert.match(id, /^001\w{15}$/);
      assert.deepEqual([success, errors], [true, []]);
      const read = await call(sb, 'GET', `${api}/sobjects/Account/${id}?fields=Name,BillingCountry`, { token });
      assert.deepEqual(read.body, { attributes: { type: 'Account', url: `${api}/sobjects/Account/${id}` }, Name: 'Crud Co', BillingCountry: 'France' });
      assert.equal((await call(sb, 'PATCH', `${api}/sobjects/Account/${id}`, { token, body: { Name: 'Crud Co 2' } })).status, 204);
      const full = (await call(sb, 'GET', `${api}/sobjects/Account/${id}`, { token })).body as Record<string, unknown>;
      assert.equal(full['Name'], 'Crud Co 2');
      assert.equal(full['Id'], id);
      assert.equal((await call(sb, 'DELETE', `${api}/sobjects/Account/${id}`, { token })).status, 204);
      const gone = await call(sb, 'GET', `${api}/sobjects/Account/${id}`, { token });
      assert.deepEqual([gone.status, (gone.body as Array<{ errorCode: string }>)[0]?.errorCode], [404, 'ENTITY_IS_DELETED']);
    });

    it('derives opportunity fields and rolls line totals up to Amount', async () => {
      const account = (await call(sb, 'GET', `${api}/sobjects/Account/External_Id__c/ACME-001`, { token })).body as { Id: string };
      const entry = ((await call(sb, 'GET', `${api}/query?q=${encodeURIComponent("SELECT Id FROM PricebookEntry WHERE ProductCode = 'TRAIN-DAY'")}`, { token })).body as { records: Array<{ Id: string }> }).records[0];
      const opp = (await call(sb, 'POST', `${api}/sobjects/Opportunity`, { token, body: { Name: 'Derived', StageName: 'Prospecting', CloseDate: '2030-01-31', AccountId: account.Id } })).body as { id: string };
      await call(sb, 'POST', `${api}/sobjects/OpportunityLineItem`, { token, body: { OpportunityId: opp.id, PricebookEntryId: entry?.Id, Quantity: 3 } });
      assert.equal((await call(sb, 'PATCH', `${api}/sobjects/Opportunity/${opp.id}`, { token, body: { StageName: 'Closed Won' } })).status, 204);
      const read = (await call(sb, 'GET', `${api}/sobjects/Opportunity/${opp.id}?fields=Amount,IsWon,IsClosed,HasOpportunityLineItem`, { token })).body as Record<string, unknown>;
      assert.deepEqual([read['Amount'], read['IsWon'], read['IsClosed'], read['HasOpportunityLineItem']], [4500, true, true, true]);
    });

    it('lists updated and deleted ids in a time window for replication', async () => {
      const start = new Date(Date.now() - 1000).toISOString();
      const created = (await call(sb, 'POST', `${api}/sobjects/Account`, { token, body: { Name: 'Replicated' } })).body as { id: string };
      const doomed = (await call(sb, 'POST', `${api}/sobjects/Account`, { token, body: { Name: 'Doomed' } })).body as { id: string };
      await call(sb, 'DELETE', `${api}/sobjects/Account/${doomed.id}`, { token });
      const end = new Date(Date.now() + 1000).toISOString();
      const window = `start=${encodeURIComponent(start)}&end=${encodeURIComponent(end)}`;
      const updated = (await call(sb, 'GET', `${api}/sobjects/Account/updated/?${window}`, { token })).body as { ids: string[]; latestDateCovered: string };
      assert.ok(updated.ids.includes(created.id));
      assert.ok(!updated.ids.includes(doomed.id));
      const deleted = (await call(sb, 'GET', `${api}/sobjects/Account/deleted/?${window}`, { token })).body as { deletedRecords: Array<{ id: string; deletedDate: string }> };
      const deletedIds = deleted.deletedRecords.map((r) => r.id);
      assert.ok(deletedIds.includes(doomed.id));
      assert.ok(!deletedIds.includes(created.id));
      assert.equal((await call(sb, 'GET', `${api}/sobjects/Account/updated/`, { token })).status, 400);
    });

    it('answers bad writes with Salesforce error arrays', async () => {
      const missing = await call(sb, 'POST', `${api}/sobjects/Opportunity`, { token, body: { Name: 'No stage' } });
      assert.deepEqual(missing.body, [{ message: 'Required fields are missing: [StageName, CloseDate]', errorCode: 'REQUIRED_FIELD_MISSING', fields: ['StageName', 'CloseDate'] }]);
      const unknown = await call(sb, 'POST', `${api}/sobjects/Account`, { token, body: { Name: 'x', Bogus__c: 1 } });
      assert.equal((unknown.body as Array<{ errorCode: string }>)[0]?.errorCode, 'INVALID_FIELD');
      const readOnly = await call(sb, 'POST', `${api}/sobjects/Opportunity`, { token, body: { Name: 'x', StageName: 'Prospecting', CloseDate: '2030-01-01', IsWon: true } });
      assert.equal((readOnly.body as Array<{ errorCode: string }>)[0]?.errorCode, 'INVALID_FIELD_FOR_INSERT_UPDATE');
      const badRef = await call(sb, 'POST', `${api}/sobjects/Opportunity`, { token, body: { Name: 'x', StageName: 'Prospecting', CloseDate: '2030-01-01', AccountId: '006Hs0000000001IAA' } });
      assert.equal((badRef.body as Array<{ errorCode: string }>)[0]?.errorCode, 'MALFORMED_ID');
      const tooLong = await call(sb, 'POST', `${api}/sobjects/Account`, { token, body: { Name: 'x'.repeat(256) } });
      assert.deepEqual([tooLong.status, (tooLong.body as Array<{ errorCode: string; fields: string[] }>)[0]?.errorCode, (tooLong.body as Array<{ fields: string[] }>)[0]?.fields], [400, 'STRING_TOO_LONG', ['Name']]);
      const badJson = await call(sb, 'POST', `${api}/sobjects/Account`, { token, body: '{"Name":' });
      assert.deepEqual([badJson.status, (badJson.body as Array<{ errorCode: string }>)[0]?.errorCode], [400, 'JSON_PARSER_ERROR']);
      const noType = await call(sb, 'GET', `${api}/sobjects/Invoice__c/describe`, { token });
      assert.equal(noType.status, 404);
      const badVersion = await call(sb, 'GET', '/services/data/v12.0/sobjects', { token });
      assert.equal(badVersion.status, 404);
    });

    it('upserts by external id: 201 created, 200 updated, 300 on several matches, 404 for a non-external-id field', async () => {
      const first = await call(sb, 'PATCH', `${api}/sobjects/Account/External_Id__c/UPS-1`, { token, body: { Name: 'Upsert Co' } });
      assert.equal(first.status, 201);
      assert.equal((first.body as { created: boolean }).created, true);
      const second = await call(sb, 'PATCH', `${api}/sobjects/Account/External_Id__c/UPS-1`, { token, body: { Name: 'Upsert Co 2' } });
      assert.deepEqual([second.status, second.body], [200, { id: (first.body as { id: string }).id, success: true, errors: [], created: false }]);
      const legacy = await call(sb, 'PATCH', '/services/data/v45.0/sobjects/Account/External_Id__c/UPS-1', { token, body: { Name: 'Upsert Co 3' } });
      assert.deepEqual([legacy.status, legacy.body], [204, undefined]);
      await call(sb, 'POST', `${api}/sobjects/Account`, { token, body: { Name: 'Twin A', External_Id__c: 'TWIN' } });
      await call(sb, 'POST', `${api}/sobjects/Account`, { token, body: { Name: 'Twin B', External_Id__c: 'TWIN' } });
      const multiple = await call(sb, 'PATCH', `${api}/sobjects/Account/External_Id__c/TWIN`, { token, body: { Name: 'Which?' } });
      assert.equal(multiple.status, 300);
      assert.equal((multiple.body as string[]).length, 2);
      const notExternal = await call(sb, 'PATCH', `${api}/sobjects/Account/Name/Acme`, { token, body: { Phone: '1' } });
      assert.deepEqual([notExternal.status, notExternal.body], [404, [{ message: 'The requested resource does not exist', errorCode: 'NOT_FOUND' }]]);
      const updateOnly = await call(sb, 'PATCH', `${api}/sobjects/Account/External_Id__c/NOPE?updateOnly=true`, { token, body: { Name: 'x' } });
      assert.equal(updateOnly.status, 404);
    });
  });

  describe('collections', () => {
    it('creates with per-record results, and rolls everything back under allOrNone', async () => {
      const partial = await call(sb, 'POST', `${api}/composite/sobjects`, {
        token,
        body: { allOrNone: false, records: [{ attributes: { type: 'Account' }, Name: 'Coll A' }, { attributes: { type: 'Account' } }] },
      });
      assert.equal(partial.status, 200);
      const [ok, failed] = partial.body as Array<{ id?: string; success: boolean; errors: Array<{ statusCode: string }> }>;
      assert.equal(ok?.success, true);
      assert.deepEqual([failed?.success, failed?.errors[0]?.statusCode], [false, 'REQUIRED_FIELD_MISSING']);
      const all = await call(sb, 'POST', `${api}/composite/sobjects`, {
        token,
        body: { allOrNone: true, records: [{ attributes: { type: 'Account' }, Name: 'Coll Rolled Back' }, { attributes: { type: 'Account' } }] },
      });
      const results = all.body as Array<{ success: boolean; errors: Array<{ statusCode: string }> }>;
      assert.deepEqual(results.map((r) => r.errors[0]?.statusCode), ['ALL_OR_NONE_OPERATION_ROLLED_BACK', 'REQUIRED_FIELD_MISSING']);
      const count = await call(sb, 'GET', `${api}/query?q=${encodeURIComponent("SELECT COUNT() FROM Account WHERE Name = 'Coll Rolled Back'")}`, { token });
      assert.equal((count.body as { totalSize: number }).totalSize, 0);
    });

    it('updates, upserts, reads and deletes in batches', async () => {
      const ids = ((await call(sb, 'POST', `${api}/composite/sobjects`, {
        token,
        body: { records: [1, 2].map((n) => ({ attributes: { type: 'Account' }, Name: `Batch ${n}` })) },
      })).body as Array<{ id: string }>).map((r) => r.id);
      const updated = await call(sb, 'PATCH', `${api}/composite/sobjects`, { token, body: { records: ids.map((id) => ({ attributes: { type: 'Account' }, id, Phone: '555' })) } });
      assert.deepEqual((updated.body as Array<{ success: boolean }>).map((r) => r.success), [true, true]);
      const upserted = await call(sb, 'PATCH', `${api}/composite/sobjects/Account/External_Id__c`, {
        token,
        body: { records: [{ attributes: { type: 'Account' }, External_Id__c: 'ACME-001', Phone: '1' }, { attributes: { type: 'Account' }, External_Id__c: 'BATCH-NEW', Name: 'New' }] },
      });
      assert.deepEqual((upserted.body as Array<{ created: boolean }>).map((r) => r.created), [false, true]);
      const read = await call(sb, 'GET', `${api}/composite/sobjects/Account?ids=${ids.join(',')}&fields=Phone`, { token });
      assert.deepEqual((read.body as Array<{ Phone: string }>).map((r) => r.Phone), ['555', '555']);
      const deleted = await call(sb, 'DELETE', `${api}/composite/sobjects?ids=${ids.join(',')}`, { token });
      assert.deepEqual((deleted.body as Array<{ success: boolean }>).map((r) => r.success), [true, true]);
    });
  });

  describe('queries and limits', () => {
    it('pages with nextRecordsUrl at the Sforce-Query-Options batch size until done', async () => {
      const records = Array.from({ length: 200 }, (_, i) => ({ attributes: { type: 'Contact' }, LastName: `Page ${String(i).padStart(3, '0')}` }));
      await call(sb, 'POST', `${api}/composite/sobjects`, { token, body: { records } });
      await call(sb, 'POST', `${api}/composite/sobjects`, { token, body: { records: records.slice(0, 50).map((r) => ({ ...r, LastName: `${r.LastName}b` })) } });
      const headers = { 'Sforce-Query-Options': 'batchSize=200' };
      const first = (await call(sb, 'GET', `${api}/query?q=${encodeURIComponent("SELECT Id, LastName FROM Contact WHERE LastName LIKE 'Page%'")}`, { token, headers })).body as { totalSize: number; done: boolean; nextRecordsUrl: string; records: unknown[] };
      assert.deepEqual([first.totalSize, first.done, first.records.length], [250, false, 200]);
      assert.match(first.nextRecordsUrl, /^\/services\/data\/v61\.0\/query\/01g\w+-200$/);
      const second = (await call(sb, 'GET', first.nextRecordsUrl, { token })).body as { done: boolean; records: unknown[]; nextRecordsUrl?: string };
      assert.deepEqual([second.done, second.records.length, second.nextRecordsUrl], [true, 50, undefined]);
      const stale = await call(sb, 'GET', first.nextRecordsUrl, { token });
      assert.deepEqual([stale.status, (stale.body as Array<{ errorCode: string }>)[0]?.errorCode], [400, 'INVALID_QUERY_LOCATOR']);
    });

    it('reports Sforce-Limit-Info and answers 403 REQUEST_LIMIT_EXCEEDED past the daily allowance', async () => {
      const small = await createSalesforceSandbox({ dailyApiLimit: 2 }).start();
      try {
        const t = await login(small);
        const one = await call(small, 'GET', `${api}/limits`, { token: t });
        assert.equal(one.headers.get('sforce-limit-info'), 'api-usage=1/2');
        assert.deepEqual((one.body as Record<string, unknown>)['DailyApiRequests'], { Max: 2, Remaining: 1 });
        await call(small, 'GET', `${api}/sobjects`, { token: t });
        const over = await call(small, 'GET', `${api}/sobjects`, { token: t });
        assert.deepEqual([over.status, over.body], [403, [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }]]);
        assert.equal(over.headers.get('sforce-limit-info'), 'api-usage=2/2');
      } finally {
        await small.close();
      }
    });

    it('renders injected faults in Salesforce shapes', async () => {
      sb.faults.patch({ maintenance: true });
      const down = await call(sb, 'GET', `${api}/sobjects`, { token });
      sb.faults.patch({ maintenance: false, rateLimit: { burst: 1 } });
      const limited = await call(sb, 'GET', `${api}/sobjects`, { token });
      sb.faults.patch({ rateLimit: null });
      assert.deepEqual([down.status, (down.body as Array<{ errorCode: string }>)[0]?.errorCode], [503, 'SERVER_UNAVAILABLE']);
      assert.deepEqual([limited.status, (limited.body as Array<{ errorCode: string }>)[0]?.errorCode], [403, 'REQUEST_LIMIT_EXCEEDED']);
      assert.equal((await call(sb, 'GET', `${api}/sobjects`, { token })).status, 200);
    });
  });
});
