/**
 * The Stripe sandbox at the HTTP level, for what a client library hides: `Request-Id` on every
 * answer, Stripe's bodies for 401 and unknown URLs, form-encoded nesting, both pagination cursors,
 * and the idempotency rules a client cannot trigger by itself (another endpoint, 24-hour expiry).
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SandboxInstance } from '../kit/index.ts';
import { IDEMPOTENCY_TTL_MS, IdempotencyStore } from './idempotency.ts';
import { stripeSandbox } from './stripe-sandbox.ts';

const AUTH = { authorization: 'Bearer sk_test_http' };
const FORM = { ...AUTH, 'content-type': 'application/x-www-form-urlencoded' };

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown> & { error?: Record<string, unknown>; data?: { id: string }[] };
}

describe('Stripe sandbox over HTTP', () => {
  let sandbox: SandboxInstance;
  before(async () => {
    sandbox = await stripeSandbox.start();
  });
  after(async () => {
    await sandbox.close();
  });
  beforeEach(async () => {
    await sandbox.reset();
  });

  const call = async (method: string, path: string, headers: Record<string, string> = AUTH, body?: string): Promise<Answer> => {
    const response = await fetch(`${sandbox.url}${path}`, { method, headers, body });
    return { status: response.status, headers: response.headers, body: (await response.json()) as Answer['body'] };
  };

  it('sends a Request-Id on successes, errors and injected faults alike', async () => {
    const answers = [await call('GET', '/v1/customers'), await call('GET', '/v1/customers', {}), await call('GET', '/v1/nothing')];
    sandbox.faults.patch({ maintenance: true });
    answers.push(await call('GET', '/v1/customers'));
    assert.deepEqual(answers.map((a) => a.status), [200, 401, 404, 503]);
    for (const a of answers) assert.match(a.headers.get('request-id') ?? '', /^req_[A-Za-z0-9]{14}$/);
  });

  it("answers a missing or malformed key with Stripe's 401 body", async () => {
    const missing = await call('GET', '/v1/customers', {});
    assert.equal(missing.body.error?.type, 'invalid_request_error');
    assert.match(String(missing.body.error?.message), /You did not provide an API key/);
    const live = await call('GET', '/v1/customers', { authorization: 'Bearer sk_live_abcdef123456' });
    assert.equal(live.status, 401);
    assert.match(String(live.body.error?.message), /^Invalid API Key provided: sk_live_\*+3456$/);
    const basic = await call('GET', '/v1/customers', { authorization: `Basic ${Buffer.from('sk_test_basic:').toString('base64')}` });
    assert.equal(basic.status, 200);
  });

  it('answers an unknown URL with Stripe\'s 404 "Unrecognized request URL"', async () => {
    const { status, body } = await call('POST', '/v1/unicorns', FORM, 'a=1');
    assert.equal(status, 404);
    assert.match(String(body.error?.message), /^Unrecognized request URL \(POST: \/v1\/unicorns\)/);
  });

  it('parses bracket-nested form parameters', async () => {
    const product = await call('POST', '/v1/products', FORM, 'name=Seat&metadata[sku]=S-1');
    const price = await call(
      'POST',
      '/v1/prices',
      FORM,
      `product=${String(product.body.id)}&currency=eur&unit_amount=900&recurring[interval]=year&recurring[interval_count]=2`,
    );
    assert.equal(price.status, 200);
    assert.deepEqual(price.body.recurring, { interval: 'year', interval_count: 2, meter: null, trial_period_days: null, usage_type: 'licensed' });
    assert.deepEqual((await call('GET', `/v1/products/${String(product.body.id)}`)).body.metadata, { sku: 'S-1' });
    const bad = await call('POST', '/v1/prices', FORM, `product=${String(product.body.id)}&currency=eur&unit_amount=-5`);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error?.param, 'unit_amount');
  });

  it('pages backwards with ending_before as well as forwards with starting_after', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(String((await call('POST', '/v1/customers', FORM, `name=c${i}`)).body.id));
    const newestFirst = [...ids].reverse();
    const first = await call('GET', '/v1/customers?limit=2');
    assert.deepEqual(first.body.data?.map((c) => c.id), newestFirst.slice(0, 2));
    assert.equal(first.body.has_more, true);
    const next = await call('GET', `/v1/customers?limit=2&starting_after=${newestFirst[1]}`);
    assert.deepEqual(next.body.data?.map((c) => c.id), newestFirst.slice(2, 4));
    const back = await call('GET', `/v1/customers?limit=2&ending_before=${newestFirst[2]}`);
    assert.deepEqual(back.body.data?.map((c) => c.id), newestFirst.slice(0, 2));
    assert.equal(back.body.has_more, false);
    assert.equal((await call('GET', '/v1/customers?limit=101')).status, 400);
    assert.equal((await call('GET', '/v1/customers?starting_after=cus_gone')).status, 404);
  });

  it('refuses an Idempotency-Key reused on another endpoint', async () => {
    const headers = { ...FORM, 'idempotency-key': 'shared' };
    assert.equal((await call('POST', '/v1/customers', headers, 'name=x')).status, 200);
    const other = await call('POST', '/v1/products', headers, 'name=x');
    assert.equal(other.status, 400);
    assert.equal(other.body.error?.type, 'invalid_request_error');
    assert.match(String(other.body.error?.message), /same endpoint/);
  });

  it('does not store a request refused by validation, so the key can be used again', async () => {
    const headers = { ...FORM, 'idempotency-key': 'fix-and-retry' };
    assert.equal((await call('POST', '/v1/products', headers, 'description=no+name')).status, 400);
    const fixed = await call('POST', '/v1/products', headers, 'name=Named');
    assert.equal(fixed.status, 200);
    assert.equal(fixed.headers.get('idempotent-replayed'), null);
  });
});

describe('Stripe idempotency keys', () => {
  it('still replays a completed key after a restart of a persisted sandbox', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'interlock-stripe-'));
    const statePath = path.join(dir, 'stripe.sqlite');
    const create = async (url: string): Promise<Response> =>
      fetch(`${url}/v1/customers`, { method: 'POST', headers: { ...FORM, 'idempotency-key': 'across-restart' }, body: 'name=Durable' });
    try {
      const first = await stripeSandbox.start({ statePath });
      const original = (await (await create(first.url)).json()) as { id: string };
      await first.close();
      const second = await stripeSandbox.start({ statePath });
      try {
        const retried = await create(second.url);
        assert.equal(retried.headers.get('idempotent-replayed'), 'true');
        assert.equal(((await retried.json()) as { id: string }).id, original.id);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('forgets a key after 24 hours, so the same key runs as a new request', () => {
    let now = 0;
    const store = new IdempotencyStore(undefined, () => now);
    assert.deepEqual(store.begin('k', '/v1/customers', 'a=1'), { kind: 'proceed' });
    store.complete('k', 200, '{"id":"cus_1"}', 'application/json');
    now = IDEMPOTENCY_TTL_MS - 1;
    assert.equal(store.begin('k', '/v1/customers', 'a=1').kind, 'replay');
    assert.equal(store.begin('k', '/v1/customers', 'a=2').kind, 'refuse');
    now = IDEMPOTENCY_TTL_MS + 1;
    assert.deepEqual(store.begin('k', '/v1/customers', 'a=2'), { kind: 'proceed' });
  });

  it('lets go of expired keys never asked about again, oldest first, keeping the younger ones', () => {
    let now = 0;
    const store = new IdempotencyStore(undefined, () => now);
    for (let i = 0; i < 3; i++) {
      now = i * 1000;
      store.begin(`old-${i}`, '/v1/customers', 'a=1');
      store.complete(`old-${i}`, 200, '{}', 'application/json');
    }
    assert.equal(store.size, 3);
    // Past the first two keys' 24 hours only: any later request prunes them.
    now = IDEMPOTENCY_TTL_MS + 1500;
    assert.deepEqual(store.begin('new', '/v1/customers', 'a=1'), { kind: 'proceed' });
    assert.equal(store.size, 2);
    assert.equal(store.begin('old-2', '/v1/customers', 'a=1').kind, 'replay');
  });
});
