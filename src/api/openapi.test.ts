/**
 * The OpenAPI document: valid OpenAPI 3.1 (checked by an independent validator), describing every
 * route a caller uses with the schemas that validate it, the retiring route marked deprecated;
 * the docs page served without a CDN; and retirement headers, then 410 after the sunset.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { ManualClock } from '../core/clock.ts';
import { describeEachStore } from '../../test/support/stores.ts';
import { RETIREMENTS } from './retirements.ts';
import { routesOf } from './server.ts';
import { startApi, type ApiHarness } from './test-support.ts';

describeEachStore('OpenAPI and retirements', (get) => {
  const clock = new ManualClock(Date.UTC(2026, 11, 1));
  let api: ApiHarness;
  let doc: Record<string, unknown> & { paths: Record<string, Record<string, { deprecated?: boolean; requestBody?: unknown; responses?: Record<string, unknown> }>> };
  before(async () => {
    api = await startApi(get().store, { clock });
    doc = (await api.app.inject({ method: 'GET', url: '/openapi.json' })).json();
  });
  after(async () => {
    await api.close();
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    assert.equal(doc['openapi'], '3.1.0');
    const result = await new Validator().validate(doc as unknown as Parameters<Validator['validate']>[0]);
    assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2)?.slice(0, 3000));
  });

  it('describes every /v1 and /admin route, with request bodies and problem+json errors on /v1', () => {
    for (const r of routesOf(api.app).filter((x) => x.url.startsWith('/v1') || x.url.startsWith('/admin'))) {
      const path = r.url.replace(/:(\w+)/g, '{$1}');
      const op = doc.paths[path]?.[r.method.toLowerCase()];
      assert.ok(op !== undefined, `${r.method} ${path} is missing`);
      if (r.url.startsWith('/v1')) {
        if (r.method === 'POST') assert.ok(op.requestBody !== undefined, `${r.method} ${path} has no request body`);
        assert.ok(op.responses?.['4XX'] !== undefined, `${r.method} ${path} documents no 4XX problem`);
      }
    }
  });

  it('marks the retiring alias deprecated, and only it', () => {
    const deprecated = Object.entries(doc.paths).flatMap(([p, ops]) => Object.entries(ops).filter(([, o]) => o.deprecated === true).map(([m]) => `${m.toUpperCase()} ${p}`));
    assert.deepEqual(deprecated, ['POST /v1/account-validation']);
  });

  it('serves the docs page and its assets from the package, not a CDN', async () => {
    const page = await api.app.inject({ method: 'GET', url: '/docs/' });
    assert.equal(page.statusCode, 200);
    assert.ok(!/https?:\/\/(cdn|unpkg|jsdelivr)/.test(page.body));
    const asset = await api.app.inject({ method: 'GET', url: '/docs/static/swagger-ui-bundle.js' });
    assert.equal(asset.statusCode, 200);
  });

  it('answers a deprecated route with Deprecation, Sunset and a Link to its successor, and the successor without them', async () => {
    const r = RETIREMENTS[0]!;
    const old = await api.app.inject({ method: 'POST', url: '/v1/account-validation', headers: api.auth('viewer'), payload: { accountId: '001Hs0000000001IAA' } });
    assert.equal(old.headers['deprecation'], `@${Date.parse(r.deprecatedAt) / 1000}`);
    assert.equal(old.headers['sunset'], new Date(r.sunsetAt).toUTCString());
    assert.equal(old.headers['link'], '</v1/accounts/validate>; rel="successor-version"');
    const current = await api.app.inject({ method: 'POST', url: '/v1/accounts/validate', headers: api.auth('viewer'), payload: { accountId: '001Hs0000000001IAA' } });
    assert.equal(current.headers['deprecation'], undefined);
    assert.equal(current.headers['sunset'], undefined);
  });

  it('after its sunset a retired route answers 410 Gone naming the successor', async () => {
    clock.advance(Date.parse(RETIREMENTS[0]!.sunsetAt) - clock.now());
    const res = await api.app.inject({ method: 'POST', url: '/v1/account-validation', headers: api.auth('viewer'), payload: { accountId: '001Hs0000000001IAA' } });
    assert.equal(res.statusCode, 410);
    assert.match(res.json().type, /retired$/);
    assert.equal(res.json().successor, '/v1/accounts/validate');
  });
});
