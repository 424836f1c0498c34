/**
 * Bad input on every endpoint: a 4xx answer with an RFC 9457 problem+json body that names the
 * problem, and nothing stored. Runs on both stores.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { post, startHarness, type Harness } from '../support/engine-harness.ts';
import { describeEachStore } from '../support/stores.ts';

describeEachStore('bad input', (get) => {
  let h: Harness | undefined;
  let guarded: Harness | undefined;
  before(async () => {
    const values = {
      server: { bodyLimit: 4096 },
      sources: { orders: { eventId: { path: 'id' }, routes: [{ destination: 'sink' }] }, signed: { eventId: { header: 'x-event-id' }, routes: [] } },
      destinations: { sink: { url: 'http://127.0.0.1:9/ok' } },
    };
    h = await startHarness(get().store, values, { worker: false });
    guarded = await startHarness(get().store, { ...values, admin: { token: 'a-long-enough-admin-token' } }, { worker: false });
  });
  after(async () => {
    await h?.close();
    await guarded?.close();
  });

  const stored = async () => {
    const { db } = get().store;
    const [i, o, d] = await Promise.all([
      db.selectFrom('inbox').select(db.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      db.selectFrom('outbox').select(db.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      db.selectFrom('dead_letters').select(db.fn.countAll<number>().as('n')).where('state', '!=', 'parked').executeTakeFirstOrThrow(),
    ]);
    return [Number(i.n), Number(o.n), Number(d.n)];
  };

  type Case = [name: string, method: string, path: string, body: string | undefined, headers: Record<string, string>, status: number, type: RegExp];
  const cases: Case[] = [
    ['malformed JSON', 'POST', '/hooks/orders', '{"id": "1",', {}, 400, /malformed-json/],
    ['an empty body', 'POST', '/hooks/orders', '', {}, 400, /malformed-json/],
    ['a JSON body that is not an object with the id', 'POST', '/hooks/orders', '[1,2]', {}, 400, /missing-event-id/],
    ['a body over the size limit', 'POST', '/hooks/orders', JSON.stringify({ id: 'x', pad: 'a'.repeat(5000) }), {}, 413, /body-too-large/],
    ['an unknown source', 'POST', '/hooks/nowhere', '{"id":"1"}', {}, 404, /unknown-source/],
    ['a missing event id (body path)', 'POST', '/hooks/orders', '{"order":"1"}', {}, 400, /missing-event-id/],
    ['a missing event id (header)', 'POST', '/hooks/signed', '{"id":"1"}', {}, 400, /missing-event-id/],
    ['an event id over 512 characters', 'POST', '/hooks/orders', JSON.stringify({ id: 'x'.repeat(600) }), {}, 400, /invalid-event-id/],
    // PostgreSQL text cannot hold it: stored, it would fail the whole batch the event shares.
    ['an event id with a NUL character', 'POST', '/hooks/orders', '{"id":"a\\u0000b"}', {}, 400, /invalid-event-id/],
    ['an unknown route', 'GET', '/nope', undefined, {}, 404, /not-found/],
    ['a dead-letter id that is not a number', 'GET', '/admin/dead-letters/abc', undefined, {}, 400, /invalid-request/],
    ['a dead-letter id that does not exist', 'GET', '/admin/dead-letters/999999', undefined, {}, 404, /not-found/],
    ['a bad error class filter', 'GET', '/admin/dead-letters?errorClass=bogus', undefined, {}, 400, /invalid-request/],
    ['a bad time filter', 'GET', '/admin/dead-letters?from=yesterday', undefined, {}, 400, /invalid-request/],
    ['a limit out of range', 'GET', '/admin/dead-letters?limit=100000', undefined, {}, 400, /invalid-request/],
    ['an unknown query key', 'GET', '/admin/dead-letters?colour=red', undefined, {}, 400, /invalid-request/],
    ['replaying a dead letter that does not exist', 'POST', '/admin/dead-letters/999999/replay', '{}', {}, 404, /not-found/],
    ['discarding a dead letter that does not exist', 'POST', '/admin/dead-letters/999999/discard', '{}', {}, 404, /not-found/],
    ['a bulk replay without a filter', 'POST', '/admin/dead-letters/replay', '{}', {}, 400, /validation/],
    ['a bulk discard with an unknown key', 'POST', '/admin/dead-letters/discard', '{"everything":true}', {}, 400, /invalid-request/],
    ['a bulk replay with malformed JSON', 'POST', '/admin/dead-letters/replay', '{"ids":[1,', {}, 400, /malformed-json/],
    ['a bulk replay with ids of the wrong type', 'POST', '/admin/dead-letters/replay', '{"ids":["a"]}', {}, 400, /invalid-request/],
  ];

  for (const [name, method, path, body, headers, status, type] of cases) {
    it(`answers ${status} problem+json and stores nothing for ${name}`, async () => {
      const before = await stored();
      const res = await fetch(`${h!.url}${path}`, {
        method,
        headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        ...(body === undefined ? {} : { body }),
      });
      assert.equal(res.status, status);
      assert.equal(res.headers.get('content-type')?.split(';')[0], 'application/problem+json');
      const problem = (await res.json()) as { type: string; title: string; status: number; detail: string };
      assert.match(problem.type, type);
      assert.equal(problem.status, status);
      assert.ok(problem.detail.length > 0);
      assert.doesNotMatch(problem.detail, /\n\s+at /, 'no stack trace');
      assert.deepEqual(await stored(), before);
    });
  }

  it('refuses the admin API without the configured bearer token, and accepts it with', async () => {
    const without = await fetch(`${guarded!.url}/admin/dead-letters`);
    assert.equal(without.status, 401);
    assert.equal(without.headers.get('content-type')?.split(';')[0], 'application/problem+json');
    const wrong = await fetch(`${guarded!.url}/admin/dead-letters`, { headers: { authorization: 'Bearer nope' } });
    assert.equal(wrong.status, 401);
    const right = await fetch(`${guarded!.url}/admin/dead-letters`, { headers: { authorization: 'Bearer a-long-enough-admin-token' } });
    assert.equal(right.status, 200);
    const replay = await post(`${guarded!.url}/admin/dead-letters/replay`, { destination: 'sink' });
    assert.equal(replay.status, 401);
  });
});
