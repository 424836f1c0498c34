/**
 * Idempotency-Key conformance (Stripe's semantics) on both stores, on a route whose handler the
 * test holds open: a repeat gets the stored answer marked replayed and does not run again; other
 * parameters or another route are refused naming the mismatch; a repeat while the first runs is
 * 409; keys are per caller and expire after 24 h; "try again" answers (5xx) are not kept; a
 * request refused by validation stores nothing.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { Type } from '@sinclair/typebox';
import Fastify, { type FastifyInstance } from 'fastify';
import { ManualClock } from '../../core/clock.ts';
import { transientError } from '../../core/errors.ts';
import { setPrincipal } from '../../security/principal.ts';
import { describeEachStore } from '../../../test/support/stores.ts';
import { errorHandler } from '../problem.ts';
import { idempotency } from './idempotency-hook.ts';
import { IdempotencyKeys, KEY_TTL_MS } from './idempotency-keys.ts';

describeEachStore('Idempotency-Key', (get) => {
  const clock = new ManualClock(Date.UTC(2026, 5, 1));
  let app: FastifyInstance;
  let runs = 0;
  let gate: Promise<void> | undefined;
  let failNext = false;

  before(async () => {
    app = Fastify();
    app.setErrorHandler(errorHandler);
    app.addHook('onRequest', async (req) => {
      const caller = String(req.headers['x-caller'] ?? 'a');
      setPrincipal(req, { actor: `key:${caller}`, role: 'admin', limitKey: caller });
    });
    idempotency(app, new IdempotencyKeys(get().store, clock));
    const Body = Type.Object({ amount: Type.Integer({ minimum: 1 }) }, { additionalProperties: false });
    for (const url of ['/charges', '/refunds']) {
      app.post(url, { schema: { body: Body } }, async (req, reply) => {
        runs += 1;
        if (gate !== undefined) await gate;
        if (failNext) {
          failNext = false;
          throw transientError('downstream down');
        }
        return reply.code(201).send({ run: runs, amount: (req.body as { amount: number }).amount });
      });
    }
    await app.ready();
  });
  after(async () => {
    await app.close();
  });

  const post = (url: string, body: unknown, key: string | undefined, caller = 'a') =>
    app.inject({ method: 'POST', url, payload: body as object, headers: { 'x-caller': caller, ...(key === undefined ? {} : { 'idempotency-key': key }) } });

  it('a repeat with the same key and body gets the stored answer, marked replayed, without running again', async () => {
    const first = await post('/charges', { amount: 5 }, 'k-same');
    const before = runs;
    const second = await post('/charges', { amount: 5 }, 'k-same');
    assert.equal(first.statusCode, 201);
    assert.equal(second.statusCode, 201);
    assert.equal(second.body, first.body);
    assert.equal(second.headers['idempotent-replayed'], 'true');
    assert.equal(first.headers['idempotent-replayed'], undefined);
    assert.equal(runs, before);
  });

  it('the same key with another body is refused with 422 naming the mismatch, and runs nothing', async () => {
    await post('/charges', { amount: 5 }, 'k-body');
    const before = runs;
    const res = await post('/charges', { amount: 6 }, 'k-body');
    assert.equal(res.statusCode, 422);
    assert.match(res.headers['content-type'] ?? '', /problem\+json/);
    const problem = res.json();
    assert.match(problem.type, /idempotency-key-reused$/);
    assert.equal(problem.mismatch, 'parameters');
    assert.match(problem.detail, /different parameters/);
    assert.equal(runs, before);
  });

  it('the same key on another route is refused with 422 naming the first route', async () => {
    await post('/charges', { amount: 5 }, 'k-route');
    const res = await post('/refunds', { amount: 5 }, 'k-route');
    assert.equal(res.statusCode, 422);
    assert.equal(res.json().mismatch, 'route');
    assert.match(res.json().detail, /POST \/charges/);
  });

  it('a repeat while the first request is still running answers 409, and the first then completes normally', async () => {
    let open!: () => void;
    gate = new Promise((r) => (open = r));
    const first = post('/charges', { amount: 7 }, 'k-flight');
    // Wait until the first has claimed the key.
    for (let i = 0; i < 200; i++) {
      const row = await get().store.db.selectFrom('api_idempotency').select('state').where('key', '=', 'k-flight').executeTakeFirst();
      if (row !== undefined) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    const second = await post('/charges', { amount: 7 }, 'k-flight');
    open();
    gate = undefined;
    assert.equal(second.statusCode, 409);
    assert.match(second.json().type, /idempotency-key-in-flight$/);
    assert.equal((await first).statusCode, 201);
    const third = await post('/charges', { amount: 7 }, 'k-flight');
    assert.equal(third.headers['idempotent-replayed'], 'true');
  });

  it('keys are scoped per API key: another caller with the same key runs its own request', async () => {
    const a = await post('/charges', { amount: 3 }, 'k-shared', 'a');
    const b = await post('/charges', { amount: 3 }, 'k-shared', 'b');
    assert.equal(b.headers['idempotent-replayed'], undefined);
    assert.notEqual(a.json().run, b.json().run);
  });

  it('a key expires after 24 hours: then it runs again', async () => {
    const first = await post('/charges', { amount: 9 }, 'k-expiry');
    clock.advance(KEY_TTL_MS - 1000);
    assert.equal((await post('/charges', { amount: 9 }, 'k-expiry')).headers['idempotent-replayed'], 'true');
    clock.advance(2000);
    const later = await post('/charges', { amount: 9 }, 'k-expiry');
    assert.equal(later.headers['idempotent-replayed'], undefined);
    assert.notEqual(later.json().run, first.json().run);
  });

  it('a 5xx answer is not kept: a retry with the same key runs again', async () => {
    failNext = true;
    const failed = await post('/charges', { amount: 4 }, 'k-retry');
    assert.equal(failed.statusCode, 503);
    const retried = await post('/charges', { amount: 4 }, 'k-retry');
    assert.equal(retried.statusCode, 201);
    assert.equal(retried.headers['idempotent-replayed'], undefined);
  });

  it('a request refused by validation stores nothing under its key', async () => {
    const res = await post('/charges', { amount: 'lots' }, 'k-invalid');
    assert.equal(res.statusCode, 400);
    const row = await get().store.db.selectFrom('api_idempotency').select('key').where('key', '=', 'k-invalid').executeTakeFirst();
    assert.equal(row, undefined);
  });

  it('refuses a key that is too long or not visible ASCII', async () => {
    for (const key of ['x'.repeat(256), 'two words']) {
      const res = await app.inject({ method: 'POST', url: '/charges', payload: { amount: 1 }, headers: { 'idempotency-key': key } });
      assert.equal(res.statusCode, 400, key);
      assert.match(res.json().type, /invalid-idempotency-key$/);
    }
  });
});
