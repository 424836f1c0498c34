/**
 * Every route of the server fuzzed, on both stores: malformed, mistyped, too deep and oversized
 * bodies on every POST (each with an Idempotency-Key), hostile path parameters and query strings
 * on every route. Each answer is a 4xx (unknown query keys on a route without parameters may be
 * ignored) — never a 5xx — problem+json where the API answers, and nothing is stored anywhere.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { describeEachStore } from '../../test/support/stores.ts';
import { parseMasterKey } from '../security/master-key.ts';
import type { Database } from '../store/schema.ts';
import { PROBLEM_BASE, PROBLEM_TYPES } from './problem.ts';
import { routesOf } from './server.ts';
import { startApi, type ApiHarness } from './test-support.ts';

const BODY_LIMIT = 8192;

/** Bodies no POST route accepts: [name, content-type, raw body]. */
const BODIES: Array<[string, string, string]> = [
  ['truncated JSON', 'application/json', '{"accountId": "001'],
  ['an empty body', 'application/json', ''],
  ['a bare string', 'application/json', '"hello"'],
  ['a number', 'application/json', '42'],
  ['null', 'application/json', 'null'],
  ['an array', 'application/json', '[1, 2, 3]'],
  ['unknown fields only', 'application/json', '{"zzz": 1, "__proto__": {"admin": true}}'],
  ['every field the wrong type', 'application/json', JSON.stringify({ accountId: 1, lines: 'x', role: 7, value: [], type: {}, flow: null, key: false, opportunityId: 3.5, legalEntity: [], label: {}, plant: 1710, accountNumber: [], currency: 5, requestedDate: {} })],
  ['JSON nested 200 deep', 'application/json', `${'['.repeat(200)}${']'.repeat(200)}`],
  ['a body over the size limit', 'application/json', JSON.stringify({ pad: 'a'.repeat(BODY_LIMIT * 2) })],
  ['a string field of 100 000 characters', 'application/json', JSON.stringify({ accountId: 'a'.repeat(100_000) })],
  ['text/plain', 'text/plain', 'accountId=001Hs0000000001IAA'],
  ['form-encoded', 'application/x-www-form-urlencoded', 'a=b'],
  ['invalid UTF-8', 'application/json', '{"a":"\uFFFD\uD800"}'],
];

/** Path parameter values no route accepts. */
const PARAMS = ['%00', '9'.repeat(600), '%2E%2E%2F%2E%2E', 'a%20b%27%3B--', '%F0%9F%92%A5'];

const TABLES: Array<keyof Database> = ['inbox', 'outbox', 'dead_letters', 'flow_runs', 'api_idempotency', 'api_last_known', 'api_keys', 'secrets', 'security_audit'];

describeEachStore('fuzzing every route', (get) => {
  let api: ApiHarness;
  before(async () => {
    const master = parseMasterKey(Buffer.alloc(32, 3).toString('base64'), 'test key');
    api = await startApi(get().store, { masterKey: () => master, values: { server: { bodyLimit: BODY_LIMIT } } });
  });
  after(async () => {
    await api.close();
  });

  const counts = async (): Promise<Record<string, number>> => {
    const out: Record<string, number> = {};
    for (const t of TABLES) {
      const row = await get().store.db.selectFrom(t).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      out[t] = Number(row.n);
    }
    return out;
  };

  const check = (what: string, res: { statusCode: number; headers: Record<string, unknown>; body: string }, url: string) => {
    assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${what}: ${res.statusCode} ${res.body.slice(0, 300)}`);
    if (url.startsWith('/v1') || url.startsWith('/admin')) {
      assert.match(String(res.headers['content-type']), /application\/problem\+json/, what);
      // Every type answered is one the API documents.
      const slug = String((JSON.parse(res.body) as { type: string }).type).replace(PROBLEM_BASE, '');
      assert.ok(PROBLEM_TYPES[slug] !== undefined, `${what}: undocumented problem type ${slug}`);
    }
  };

  it('answers malformed and oversized bodies on every POST with a 4xx, storing nothing', async () => {
    const posts = routesOf(api.app).filter((r) => r.method === 'POST');
    assert.ok(posts.length >= 20);
    const before = await counts();
    let cases = 0;
    for (const r of posts) {
      const url = r.url.replace(/:\w+/g, '1');
      for (const [name, type, body] of BODIES) {
        const res = await api.app.inject({ method: 'POST', url, headers: { ...api.auth('admin'), 'content-type': type, 'idempotency-key': `fuzz-${cases}` }, payload: body });
        check(`POST ${r.url} with ${name}`, res, url);
        cases += 1;
      }
    }
    assert.deepEqual(await counts(), before);
    assert.ok(cases >= posts.length * BODIES.length);
  });

  it('answers hostile path parameters and query strings on every route with a 4xx, storing nothing', async () => {
    const before = await counts();
    const routes = routesOf(api.app).filter((r) => r.url.includes(':') || r.method === 'GET');
    for (const r of routes) {
      if (!r.url.includes(':') && (r.url.startsWith('/docs') || r.url === '/openapi.json' || r.url === '/healthz' || r.url === '/readyz')) continue;
      const values = r.url.includes(':') ? PARAMS : [''];
      for (const v of values) {
        const url = `${r.url.replace(/:\w+\*?/g, v)}?limit=-1&offset=abc&from=yesterday&zzz=%ff&afterId=x&amount=lots`;
        const res = await api.app.inject({ method: r.method as 'GET' | 'POST', url, headers: { ...api.auth('admin'), 'content-type': 'application/json' }, ...(r.method === 'POST' ? { payload: '{}' } : {}) });
        // Unknown query keys on a route that takes none are ignored, as HTTP has it; hostile path values are refused.
        if (r.url.startsWith('/docs') || !r.url.includes(':')) assert.ok(res.statusCode < 500, `${r.method} ${url}: ${res.statusCode}`);
        else check(`${r.method} ${url}`, res, url);
      }
    }
    assert.deepEqual(await counts(), before);
  });
});
