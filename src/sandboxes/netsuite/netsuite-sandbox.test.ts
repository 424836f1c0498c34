/**
 * The NetSuite sandbox over HTTP, following NetSuite's documented requests and responses: the
 * M2M token with a JWT client assertion, record create (204 + Location), get with
 * expandSubResources/fields, update, delete, `eid:` upsert, collection lists with `q`, errors in
 * the `o:errorDetails` shape, payments applied to invoices, and the concurrency limit (429).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import type { SandboxInstance } from '../kit/index.ts';
import { createNetSuiteSandbox } from './netsuite-sandbox.ts';

const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const CLIENT_ID = 'interlock-netsuite-client';
const KID = 'interlock-sandbox-cert';
const TOKEN_PATH = '/services/rest/auth/oauth2/v1/token';

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown> | undefined;
}

async function assertion(sb: SandboxInstance, claims: { kid?: string; iss?: string; scope?: unknown; exp?: number; key?: KeyObject; alg?: string } = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ scope: claims.scope ?? ['restlets', 'rest_webservices'] })
    .setProtectedHeader({ alg: claims.alg ?? 'PS256', typ: 'JWT', kid: claims.kid ?? KID })
    .setIssuer(claims.iss ?? CLIENT_ID)
    .setAudience(`${sb.url}${TOKEN_PATH}`)
    .setIssuedAt(now)
    .setExpirationTime(claims.exp ?? now + 3600)
    .sign(claims.key ?? privateKey);
}

async function requestToken(sb: SandboxInstance, jwt: string): Promise<Answer> {
  const res = await fetch(`${sb.url}${TOKEN_PATH}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: jwt }),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

function errorCode(a: Answer): unknown {
  return (a.body?.['o:errorDetails'] as Array<Record<string, unknown>> | undefined)?.[0]?.['o:errorCode'];
}

describe('NetSuite sandbox', () => {
  let sb: SandboxInstance;
  let token: string;
  const records = '/services/rest/record/v1';

  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> => {
    const res = await fetch(path.startsWith('http') ? path : `${sb.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>) };
  };
  const create = async (type: string, body: unknown): Promise<string> => {
    const res = await call('POST', `${records}/${type}`, body);
    assert.equal(res.status, 204, JSON.stringify(res.body));
    return (res.headers.get('location') ?? '').split('/').pop() ?? '';
  };

  before(async () => {
    sb = await createNetSuiteSandbox({ publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString() }).start({ seed: true });
    const res = await requestToken(sb, await assertion(sb));
    token = String(res.body?.['access_token']);
  });
  after(() => sb.close());

  describe('OAuth 2.0 client credentials', () => {
    it('issues a bearer token for a valid assertion', async () => {
      const res = await requestToken(sb, await assertion(sb));
      assert.equal(res.status, 200);
      assert.equal(res.body?.['token_type'], 'Bearer');
      assert.equal(res.body?.['expires_in'], '3600');
      assert.equal(typeof res.body?.['access_token'], 'string');
    });

    it('refuses a wrong key, kid, issuer, scope or lifetime', async () => {
      const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
      assert.deepEqual((await requestToken(sb, await assertion(sb, { key: other }))).status, 401);
      assert.equal((await requestToken(sb, await assertion(sb, { kid: 'other-cert' }))).body?.['error'], 'invalid_client');
      assert.equal((await requestToken(sb, await assertion(sb, { iss: 'someone' }))).body?.['error'], 'invalid_client');
      assert.equal((await requestToken(sb, await assertion(sb, { scope: ['restlets'] }))).body?.['error'], 'invalid_scope');
      assert.equal((await requestToken(sb, await assertion(sb, { exp: Math.floor(Date.now() / 1000) + 7200 }))).body?.['error'], 'invalid_grant');
      assert.equal((await requestToken(sb, await assertion(sb, { alg: 'RS256' }))).status, 401, 'RS256 is not accepted for client assertions');
      assert.equal((await requestToken(sb, await assertion(sb, { scope: 'restlets,rest_webservices' }))).status, 200);
    });

    it('answers API calls without a valid token with 401 INVALID_LOGIN', async () => {
      const res = await fetch(`${sb.url}${records}/customer/101`);
      const body = (await res.json()) as Record<string, unknown>;
      assert.equal(res.status, 401);
      assert.equal(body['title'], 'Unauthorized');
      assert.equal(errorCode({ status: 401, headers: res.headers, body }), 'INVALID_LOGIN');
    });
  });

  describe('records', () => {
    it('creates a customer with 204 and the new record URL in Location', async () => {
      const res = await call('POST', `${records}/customer`, { entityid: 'New Customer', companyname: 'My Company', subsidiary: { id: '1' } });
      assert.equal(res.status, 204);
      assert.equal(res.body, undefined);
      assert.match(res.headers.get('location') ?? '', new RegExp(`^${sb.url}/services/rest/record/v1/customer/\\d+$`));
      const read = await call('GET', res.headers.get('location') ?? '');
      assert.equal(read.body?.['entityId'], 'New Customer');
      assert.deepEqual(read.body?.['subsidiary'], { links: [{ rel: 'self', href: `${sb.url}${records}/subsidiary/1` }], id: '1', refName: 'Interlock US Inc' });
      assert.deepEqual(read.body?.['links'], [{ rel: 'self', href: res.headers.get('location') }]);
    });

    it('books a sales order with an item sublist, pricing lines from the item', async () => {
      const id = await create('salesOrder', {
        entity: { externalId: 'ACME-001' },
        item: { items: [{ item: { externalId: 'PLAT-SUB' }, quantity: 12 }, { item: { externalId: 'ONBOARD-SVC' }, quantity: 1, rate: 4500 }] },
      });
      const collapsed = await call('GET', `${records}/salesOrder/${id}`);
      assert.deepEqual(collapsed.body?.['item'], { links: [{ rel: 'self', href: `${sb.url}${records}/salesOrder/${id}/item` }] });
      const order = await call('GET', `${records}/salesOrder/${id}?expandSubResources=true`);
      const lines = (order.body?.['item'] as { items: Array<Record<string, unknown>> }).items;
      assert.deepEqual(lines.map((l) => [l['quantity'], l['rate'], l['amount']]), [[12, 1200, 14400], [1, 4500, 4500]]);
      assert.equal(order.body?.['total'], 18900);
      assert.match(String(order.body?.['tranId']), /^SO\d+$/);
      assert.equal((order.body?.['entity'] as Record<string, unknown>)['refName'], 'CUST-ACME');
      const fields = await call('GET', `${records}/salesOrder/${id}?fields=total,tranId`);
      assert.deepEqual(Object.keys(fields.body ?? {}).sort(), ['id', 'links', 'total', 'tranId']);
      assert.equal((await call('PATCH', `${records}/salesOrder/${id}?replace=item`, { item: { items: [{ item: { externalId: 'TRAIN-DAY' }, quantity: 2 }] } })).status, 204);
      assert.equal((await call('GET', `${records}/salesOrder/${id}`)).body?.['total'], 3000);
    });

    it('upserts by external id with PUT eid: and reads by eid:', async () => {
      const first = await call('PUT', `${records}/customer/eid:SF-001ABC`, { companyName: 'Upserted Inc', subsidiary: { id: '2' } });
      assert.equal(first.status, 204);
      const second = await call('PUT', `${records}/customer/eid:SF-001ABC`, { companyName: 'Upserted Inc', email: 'ap@upserted.example', subsidiary: { id: '2' } });
      assert.equal(second.status, 204);
      assert.equal(second.headers.get('location'), first.headers.get('location'));
      const read = await call('GET', `${records}/customer/eid:SF-001ABC`);
      assert.deepEqual([read.body?.['email'], read.body?.['externalId'], (read.body?.['currency'] as Record<string, unknown>)['refName']], ['ap@upserted.example', 'SF-001ABC', 'Euro']);
      assert.equal((await call('PUT', `${records}/customer/123`, { companyName: 'x' })).status, 405);
    });

    it('applies a customer payment to an invoice', async () => {
      const invoice = await create('invoice', { entity: { id: '101' }, item: { items: [{ item: { externalId: 'SUPPORT-PREM' }, quantity: 2 }] } });
      await create('customerPayment', { customer: { id: '101' }, payment: 250, apply: { items: [{ doc: { id: invoice }, apply: true, amount: 250 }] } });
      const read = await call('GET', `${records}/invoice/${invoice}`);
      assert.deepEqual([read.body?.['total'], read.body?.['amountRemaining'], (read.body?.['status'] as Record<string, unknown>)['refName']], [600, 350, 'Open']);
      await create('customerPayment', { customer: { id: '101' }, payment: 350, apply: { items: [{ doc: { id: invoice } }] } });
      assert.equal(((await call('GET', `${records}/invoice/${invoice}`)).body?.['status'] as Record<string, unknown>)['refName'], 'Paid In Full');
    });

    it('bills a sales order and takes the payment by transforming records', async () => {
      const order = await create('salesOrder', { entity: { externalId: 'GLOBEX-002' }, otherRefNum: 'PO-9', item: { items: [{ item: { externalId: 'SEAT-ADDON' }, quantity: 10 }] } });
      const billed = await call('POST', `${records}/salesOrder/${order}/!transform/invoice`, {});
      assert.equal(billed.status, 204);
      const invoiceUrl = billed.headers.get('location') ?? '';
      assert.match(invoiceUrl, /\/record\/v1\/invoice\/\d+$/);
      const invoice = (await call('GET', `${invoiceUrl}?expandSubResources=true`)).body ?? {};
      assert.deepEqual([(invoice['createdFrom'] as Record<string, unknown>)['id'], invoice['total'], invoice['otherRefNum']], [order, 400, 'PO-9']);
      assert.equal((invoice['currency'] as Record<string, unknown>)['refName'], 'Euro');
      const paid = await call('POST', `${invoiceUrl.replace(sb.url, '')}/!transform/customerPayment`, {});
      assert.equal(paid.status, 204);
      const after = (await call('GET', invoiceUrl)).body ?? {};
      assert.deepEqual([after['amountRemaining'], (after['status'] as Record<string, unknown>)['refName']], [0, 'Paid In Full']);
      const unsupported = await call('POST', `${records}/customer/101/!transform/invoice`, {});
      assert.deepEqual([unsupported.status, errorCode(unsupported)], [400, 'INVALID_TRANSFORM']);
    });

    it('keeps what a customer owes on its record: unbilled orders, then open balance once invoiced, less payments; overdue by due date', async () => {
      const customer = await create('customer', { companyName: 'Credit Watch Ltd', subsidiary: { id: '1' }, creditLimit: 5000 });
      const owes = async () => {
        const c = (await call('GET', `${records}/customer/${customer}`)).body ?? {};
        return { creditLimit: c['creditLimit'], balance: c['balance'], unbilledOrders: c['unbilledOrders'], overdueBalance: c['overdueBalance'] };
      };
      assert.deepEqual(await owes(), { creditLimit: 5000, balance: 0, unbilledOrders: 0, overdueBalance: 0 });
      const order = await create('salesOrder', { entity: { id: customer }, item: { items: [{ item: { externalId: 'PLAT-SUB' }, quantity: 2 }] } });
      assert.deepEqual(await owes(), { creditLimit: 5000, balance: 0, unbilledOrders: 2400, overdueBalance: 0 });
      const billed = await call('POST', `${records}/salesOrder/${order}/!transform/invoice`, { dueDate: '2020-01-31' });
      const invoice = (billed.headers.get('location') ?? '').split('/').pop() ?? '';
      assert.deepEqual(await owes(), { creditLimit: 5000, balance: 2400, unbilledOrders: 0, overdueBalance: 2400 });
      await create('customerPayment', { customer: { id: customer }, payment: 1000, apply: { items: [{ doc: { id: invoice }, apply: true, amount: 1000 }] } });
      assert.deepEqual(await owes(), { creditLimit: 5000, balance: 1400, unbilledOrders: 0, overdueBalance: 1400 });
      // What the sandbox keeps is NetSuite's to compute: a client cannot set it.
      const refused = await call('PATCH', `${records}/customer/${customer}`, { balance: 0 });
      assert.deepEqual([refused.status, errorCode(refused)], [400, 'USER_ERROR']);
      assert.equal((await call('PATCH', `${records}/customer/${customer}`, { creditLimit: 1000 })).status, 204);
      assert.deepEqual(await owes(), { creditLimit: 1000, balance: 1400, unbilledOrders: 0, overdueBalance: 1400 });
    });

    it('seeds Globex with a credit limit and Acme without one', async () => {
      const limit = async (eid: string) => (await call('GET', `${records}/customer/eid:${eid}`)).body?.['creditLimit'];
      assert.equal(await limit('GLOBEX-002'), 50000);
      assert.equal(await limit('ACME-001'), undefined);
    });

    it('deletes with 204, after which the record is NONEXISTENT_ID, but not records others depend on', async () => {
      const id = await create('customer', { companyName: 'Short Lived', subsidiary: { id: '1' } });
      assert.equal((await call('DELETE', `${records}/customer/${id}`)).status, 204);
      const gone = await call('GET', `${records}/customer/${id}`);
      assert.deepEqual([gone.status, errorCode(gone)], [404, 'NONEXISTENT_ID']);
      const busy = await create('customer', { companyName: 'Has Orders', subsidiary: { id: '1' } });
      await create('salesOrder', { entity: { id: busy }, item: { items: [{ item: { externalId: 'TRAIN-DAY' }, quantity: 1 }] } });
      const refused = await call('DELETE', `${records}/customer/${busy}`);
      assert.deepEqual([refused.status, errorCode(refused)], [400, 'USER_ERROR']);
      assert.equal((await call('DELETE', `${records}/serviceSaleItem/105`)).status, 400, 'an item on order lines stays');
    });

    it('answers bad requests in the o:errorDetails shape', async () => {
      const badRef = await call('POST', `${records}/customer`, { companyName: 'Bad Ref', subsidiary: { id: '99' } });
      assert.deepEqual(badRef.body, {
        type: 'https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.1',
        title: 'Bad Request',
        status: 400,
        'o:errorDetails': [{ detail: 'Error while accessing a resource. Invalid subsidiary reference key 99.', 'o:errorCode': 'INVALID_KEY_OR_REF', 'o:errorPath': 'subsidiary' }],
      });
      const missing = await call('POST', `${records}/customer`, { companyName: 'No Subsidiary' });
      assert.deepEqual([missing.status, errorCode(missing)], [400, 'USER_ERROR']);
      const duplicate = await call('POST', `${records}/customer`, { entityId: 'CUST-ACME', companyName: 'Acme Again', subsidiary: { id: '1' } });
      assert.equal(errorCode(duplicate), 'UNIQUE_CUST_ID_REQD');
      const noLines = await call('POST', `${records}/salesOrder`, { entity: { id: '101' } });
      assert.equal(errorCode(noLines), 'USER_ERROR');
      const badLine = await call('POST', `${records}/salesOrder`, { entity: { id: '101' }, item: { items: [{ item: { id: '999' }, quantity: 1 }] } });
      assert.deepEqual([errorCode(badLine), (badLine.body?.['o:errorDetails'] as Array<Record<string, unknown>>)[0]?.['o:errorPath']], ['INVALID_KEY_OR_REF', 'item.items[0].item']);
      assert.equal(errorCode(await call('POST', `${records}/customer`, { companyName: 'x', subsidiary: { id: '1' }, bogus: 1 })), 'INVALID_CONTENT');
      assert.equal(errorCode(await call('POST', `${records}/customer`, '{"companyName":')), 'INVALID_CONTENT');
      assert.deepEqual((await call('GET', `${records}/widget/1`)).status, 404);
      assert.equal(errorCode(await call('GET', `${records}/customer/abc`)), 'INVALID_ID');
    });

    it('lists a collection with q, limit, offset and paging links', async () => {
      for (const n of [1, 2, 3]) await create('customer', { companyName: `Listed ${n}`, subsidiary: { id: '3' } });
      const page = await call('GET', `${records}/customer?q=${encodeURIComponent('companyName START_WITH "Listed"')}&limit=2&offset=0`);
      assert.deepEqual([page.body?.['count'], page.body?.['hasMore'], page.body?.['totalResults'], page.body?.['offset']], [2, true, 3, 0]);
      const links = page.body?.['links'] as Array<{ rel: string; href: string }>;
      assert.deepEqual(links.map((l) => l.rel), ['next', 'last', 'self']);
      const next = await call('GET', links.find((l) => l.rel === 'next')?.href ?? '');
      assert.deepEqual([next.body?.['count'], next.body?.['hasMore']], [1, false]);
      const items = page.body?.['items'] as Array<{ id: string; links: unknown[] }>;
      assert.deepEqual(items[0]?.links, [{ rel: 'self', href: `${sb.url}${records}/customer/${items[0]?.id}` }]);
      assert.equal(errorCode(await call('GET', `${records}/customer?q=${encodeURIComponent('companyName SOUNDS_LIKE "x"')}`)), 'INVALID_PARAMETER');
    });
  });

  it('renders injected faults in NetSuite error shapes', async () => {
    sb.faults.patch({ maintenance: true });
    const down = await call('GET', `${records}/customer/101`);
    sb.faults.patch({ maintenance: false, errorRate: 1 });
    const broken = await call('GET', `${records}/customer/101`);
    sb.faults.patch({ errorRate: 0, rateLimit: { burst: 1 } });
    const limited = await call('GET', `${records}/customer/101`);
    sb.faults.patch({ rateLimit: null });
    assert.deepEqual([down.status, down.body?.['title'], errorCode(down)], [503, 'Service Unavailable', 'SERVICE_UNAVAILABLE']);
    assert.deepEqual([broken.status, errorCode(broken)], [500, 'UNEXPECTED_ERROR']);
    assert.deepEqual([limited.status, errorCode(limited)], [429, 'CONCURRENCY_LIMIT_EXCEEDED']);
    assert.equal((await call('GET', `${records}/customer/101`)).status, 200);
  });

  it('refuses requests beyond the account concurrency limit with 429', async () => {
    const small = await createNetSuiteSandbox({ publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(), concurrencyLimit: 2 }).start({ seed: true, faults: { latencyMs: 1500 } });
    try {
      const t = String((await requestToken(small, await assertion(small))).body?.['access_token']);
      const statuses = await Promise.all(
        Array.from({ length: 5 }, () => fetch(`${small.url}${records}/customer/101`, { headers: { authorization: `Bearer ${t}` } }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }))),
      );
      const refused = statuses.filter((s) => s.status === 429);
      assert.equal(statuses.filter((s) => s.status === 200).length, 2);
      assert.equal(refused.length, 3);
      assert.equal(refused[0]?.body['title'], 'Too Many Requests');
      small.faults.patch({ latencyMs: 0 });
      const after = await fetch(`${small.url}${records}/customer/101`, { headers: { authorization: `Bearer ${t}` } });
      assert.equal(after.status, 200);
    } finally {
      await small.close();
    }
  });

  it('frees the concurrency slot of a request whose answer the drop fault swallowed', async () => {
    const small = await createNetSuiteSandbox({ publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(), concurrencyLimit: 1 }).start({ seed: true });
    try {
      const t = String((await requestToken(small, await assertion(small))).body?.['access_token']);
      // A SuiteQL query: a POST with a body, as the connectors' reads are.
      const get = () =>
        fetch(`${small.url}/services/rest/query/v1/suiteql`, {
          method: 'POST',
          headers: { authorization: `Bearer ${t}`, prefer: 'transient', 'content-type': 'application/json' },
          body: JSON.stringify({ q: 'SELECT id FROM customer' }),
        });
      small.faults.patch({ dropResponseRate: 1 });
      for (let i = 0; i < 3; i++) await assert.rejects(get());
      small.faults.patch({ dropResponseRate: 0 });
      assert.equal((await get()).status, 200);
    } finally {
      await small.close();
    }
  });
});
