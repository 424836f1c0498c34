/**
 * SuiteQL over the seeded records: lower-case columns, values as text with empty columns left
 * out, WHERE operators, joins with transaction lines (main line included, as NetSuite has it),
 * BUILTIN.DF, TO_DATE, COUNT(*), ORDER BY; and the HTTP contract — `Prefer: transient`,
 * limit/offset paging links and NetSuite errors for bad queries.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';
import { openStateStore } from '../../kit/index.ts';
import type { SandboxInstance } from '../../kit/index.ts';
import { NetSuiteError } from '../errors.ts';
import { createNetSuiteSandbox } from '../netsuite-sandbox.ts';
import { createRecord } from '../records.ts';
import { findRecordType } from '../schema.ts';
import { seedNetSuite } from '../seed.ts';
import { NsStore } from '../store.ts';
import type { NsRecord } from '../store.ts';
import { printable, runSuiteQl } from './execute.ts';

describe('SuiteQL evaluation', () => {
  const kit = openStateStore();
  const store = new NsStore(kit.collection<NsRecord>('records'), kit.collection<{ n: number }>('counters'));
  const rows = (q: string): Array<Record<string, string>> =>
    runSuiteQl(store, q).map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== null).map(([k, v]) => [k, printable(v)])));

  before(() => {
    seedNetSuite(store);
    const salesOrder = findRecordType('salesOrder');
    assert.ok(salesOrder);
    createRecord(store, salesOrder, { entity: { externalId: 'GLOBEX-002' }, tranDate: '2024-03-05', memo: 'PO 77', item: { items: [{ item: { externalId: 'PLAT-SUB' }, quantity: 12 }, { item: { externalId: 'TRAIN-DAY' }, quantity: 2 }] } });
  });

  it('selects lower-case columns with WHERE, LIKE, IN, IS NULL and ORDER BY', () => {
    assert.deepEqual(rows("SELECT itemid, baseprice FROM item WHERE itemtype = 'Service' AND baseprice >= 1500 ORDER BY baseprice DESC"), [
      { itemid: 'ONBOARD-SVC', baseprice: '5000' },
      { itemid: 'TRAIN-DAY', baseprice: '1500' },
    ]);
    assert.deepEqual(rows("SELECT companyname FROM customer WHERE externalid IN ('ACME-001', 'NOPE')"), [{ companyname: 'Acme Corporation' }]);
    assert.deepEqual(rows("SELECT itemid FROM item WHERE displayname LIKE '%Seat%'"), [{ itemid: 'SEAT-ADDON' }]);
    assert.equal(rows('SELECT id FROM customer WHERE phone IS NULL').length, 2);
    assert.equal(rows("SELECT id FROM customer WHERE NOT (companyname = 'Globex GmbH' OR email IS NULL)").length, 1);
    assert.deepEqual(rows('SELECT name, symbol FROM currency WHERE isbasecurrency = \'T\''), [{ name: 'US Dollar', symbol: 'USD' }]);
  });

  it('joins transactions to their lines, main line included, with display names and dates', () => {
    const q = `SELECT t.tranid, BUILTIN.DF(t.entity) AS customer, BUILTIN.DF(tl.item) AS item, tl.quantity, tl.netamount, t.trandate
      FROM transaction t INNER JOIN transactionline tl ON tl.transaction = t.id
      WHERE t.type = 'SalesOrd' AND t.trandate >= TO_DATE('2024-01-01', 'YYYY-MM-DD') ORDER BY tl.linesequencenumber`;
    const result = rows(q);
    assert.deepEqual(result.map((r) => r['item'] ?? '(main line)'), ['(main line)', 'PLAT-SUB', 'TRAIN-DAY']);
    assert.deepEqual(result[1], { tranid: 'SO1', customer: 'CUST-GLOBEX', item: 'PLAT-SUB', quantity: '12', netamount: '14400', trandate: '3/5/2024' });
    assert.equal(rows("SELECT t.id FROM transaction t JOIN transactionline tl ON tl.transaction = t.id WHERE tl.mainline = 'F'").length, 2);
    assert.equal(rows("SELECT id FROM transaction WHERE trandate > '3/5/2024'").length, 0);
  });

  it('counts with COUNT(*)', () => {
    assert.deepEqual(rows('SELECT COUNT(*) AS n FROM item'), [{ n: '6' }]);
  });

  it('refuses unknown tables and columns and bad syntax with INVALID_PARAMETER', () => {
    for (const q of ['SELECT id FROM widgets', 'SELECT nope FROM customer', 'SELEC id FROM customer', 'DELETE FROM customer']) {
      assert.throws(() => runSuiteQl(store, q), (err: unknown) => err instanceof NetSuiteError && err.status === 400 && err.code === 'INVALID_PARAMETER', q);
    }
  });
});

describe('SuiteQL endpoint', () => {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  let sb: SandboxInstance;
  let token: string;
  const path = '/services/rest/query/v1/suiteql';
  const query = async (q: string, params = '', prefer: string | null = 'transient'): Promise<{ status: number; body: Record<string, unknown> }> => {
    const res = await fetch(`${sb.url}${path}${params}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(prefer ? { prefer } : {}) },
      body: JSON.stringify({ q }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  before(async () => {
    sb = await createNetSuiteSandbox({ publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString() }).start({ seed: true });
    const now = Math.floor(Date.now() / 1000);
    const jwt = await new SignJWT({ scope: 'rest_webservices' })
      .setProtectedHeader({ alg: 'ES256', kid: 'interlock-sandbox-cert' })
      .setIssuer('interlock-netsuite-client')
      .setAudience(`${sb.url}/services/rest/auth/oauth2/v1/token`)
      .setIssuedAt(now)
      .setExpirationTime(now + 600)
      .sign(privateKey);
    const res = await fetch(`${sb.url}/services/rest/auth/oauth2/v1/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: jwt }),
    });
    token = String(((await res.json()) as Record<string, unknown>)['access_token']);
  });
  after(() => sb.close());

  it('pages with limit and offset, links, count, hasMore and totalResults', async () => {
    const first = await query('SELECT id, itemid FROM item ORDER BY id', '?limit=4&offset=0');
    assert.equal(first.status, 200);
    assert.deepEqual([first.body['count'], first.body['hasMore'], first.body['offset'], first.body['totalResults']], [4, true, 0, 6]);
    const items = first.body['items'] as Array<Record<string, unknown>>;
    assert.deepEqual(items[0], { links: [], id: '101', itemid: 'PLAT-SUB' });
    const links = first.body['links'] as Array<{ rel: string; href: string }>;
    assert.deepEqual(links.map((l) => l.rel), ['next', 'last', 'self']);
    assert.equal(links.find((l) => l.rel === 'next')?.href, `${sb.url}${path}?limit=4&offset=4`);
    const second = await query('SELECT id, itemid FROM item ORDER BY id', '?limit=4&offset=4');
    assert.deepEqual([second.body['count'], second.body['hasMore']], [2, false]);
    assert.deepEqual((second.body['links'] as Array<{ rel: string }>).map((l) => l.rel), ['first', 'previous', 'self']);
  });

  it('requires Prefer: transient, a q and a sane limit, answering NetSuite errors', async () => {
    const noPrefer = await query('SELECT id FROM customer', '', null);
    assert.equal(noPrefer.status, 400);
    assert.deepEqual((noPrefer.body['o:errorDetails'] as Array<Record<string, unknown>>)[0]?.['o:errorHeader'], 'Prefer');
    const tooMany = await query('SELECT id FROM customer', '?limit=5000');
    assert.deepEqual((tooMany.body['o:errorDetails'] as Array<Record<string, unknown>>)[0]?.['o:errorQueryParam'], 'limit');
    const bad = await query('SELECT nope FROM customer');
    assert.deepEqual([bad.status, (bad.body['o:errorDetails'] as Array<Record<string, unknown>>)[0]?.['o:errorCode']], [400, 'INVALID_PARAMETER']);
  });
});
