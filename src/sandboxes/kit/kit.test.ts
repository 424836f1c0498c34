/**
 * The kit's own fault-injection suite: a tiny fake vendor built with the kit proves that each
 * fault, the admin endpoints, the state store and the webhook sender behave as documented.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { defineSandbox, type SandboxContext } from './sandbox-server.ts';
import type { RenderedError, SandboxInstance, SandboxStartOptions } from './types.ts';

const fake = defineSandbox({
  name: 'fake',
  renderError: (kind): RenderedError =>
    kind === 'rate-limited'
      ? { status: 429, headers: { 'retry-after': '1' }, body: { fault: kind } }
      : { status: kind === 'maintenance' ? 503 : 500, headers: {}, body: { fault: kind } },
  eventDelivery: { baseDelayMs: 5, holdMs: 20, maxAttempts: 3 },
  routes(app, context: SandboxContext) {
    const things = context.store.collection<{ id: string }>('things');
    app.post('/v1/things', async () => {
      const thing = { id: `t${things.size + 1}` };
      things.put(thing.id, thing);
      return thing;
    });
    app.get('/v1/things', async () => things.list());
    app.post<{ Body: { url: string; count: number } }>('/v1/emit', async (request) => {
      for (let i = 1; i <= request.body.count; i++) {
        context.events.send({ id: `e${i}`, url: request.body.url, body: JSON.stringify({ n: i }) });
      }
      await context.events.idle();
      return { records: context.events.records() };
    });
  },
  seed(context) {
    context.store.collection('things').put('seeded', { id: 'seeded' });
  },
});

const json = async (url: string, init?: RequestInit): Promise<{ status: number; body: unknown; headers: Headers }> => {
  const response = await fetch(url, init);
  return { status: response.status, body: await response.json(), headers: response.headers };
};
const send = (method: string, body?: unknown): RequestInit => ({
  method,
  headers: body === undefined ? {} : { 'content-type': 'application/json' },
  body: body === undefined ? undefined : JSON.stringify(body),
});

describe('sandbox kit', () => {
  let sandbox: SandboxInstance;
  let receiver: FastifyInstance;
  let receiverUrl = '';
  const received: number[] = [];
  let failNext = 0;

  before(async () => {
    sandbox = await fake.start();
    receiver = Fastify();
    receiver.post<{ Body: { n: number } }>('/hook', async (request, reply) => {
      if (failNext > 0) {
        failNext -= 1;
        return reply.code(500).send({ no: true });
      }
      received.push(request.body.n);
      return { ok: true };
    });
    receiverUrl = `${await receiver.listen({ host: '127.0.0.1', port: 0 })}/hook`;
  });
  after(async () => {
    await sandbox.close();
    await receiver.close();
  });
  const reset = async (): Promise<void> => {
    await sandbox.reset();
    received.length = 0;
    failNext = 0;
  };

  it('answers vendor routes normally when no fault is set', async () => {
    await reset();
    const created = await json(`${sandbox.url}/v1/things`, send('POST'));
    assert.equal(created.status, 200);
    assert.deepEqual(created.body, { id: 't1' });
  });

  it('answers every request with the vendor 503 during maintenance, until turned off', async () => {
    await reset();
    await json(`${sandbox.url}/__sandbox/faults`, send('PATCH', { maintenance: true }));
    const down = await json(`${sandbox.url}/v1/things`);
    assert.equal(down.status, 503);
    assert.deepEqual(down.body, { fault: 'maintenance' });
    await json(`${sandbox.url}/__sandbox/faults`, send('PATCH', { maintenance: false }));
    assert.equal((await json(`${sandbox.url}/v1/things`)).status, 200);
  });

  it('answers exactly the next `burst` requests with the vendor 429 and its headers', async () => {
    await reset();
    sandbox.faults.patch({ rateLimit: { burst: 2 } });
    const first = await json(`${sandbox.url}/v1/things`);
    assert.equal(first.status, 429);
    assert.equal(first.headers.get('retry-after'), '1');
    assert.deepEqual(first.body, { fault: 'rate-limited' });
    assert.deepEqual(sandbox.faults.get().rateLimit, { burst: 1 });
    assert.equal((await json(`${sandbox.url}/v1/things`)).status, 429);
    assert.equal((await json(`${sandbox.url}/v1/things`)).status, 200);
    assert.equal(sandbox.faults.get().rateLimit, null);
  });

  it('fails the configured fraction of requests with the vendor 5xx, never processing them', async () => {
    await reset();
    sandbox.faults.patch({ errorRate: 1 });
    const failed = await json(`${sandbox.url}/v1/things`, send('POST'));
    assert.equal(failed.status, 500);
    assert.deepEqual(failed.body, { fault: 'server' });
    sandbox.faults.patch({ errorRate: 0.5 });
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) statuses.push((await json(`${sandbox.url}/v1/things`)).status);
    assert.ok(statuses.includes(500) && statuses.includes(200), `both outcomes at 0.5: ${statuses.join(',')}`);
    sandbox.faults.patch({ errorRate: 0 });
    assert.deepEqual((await json(`${sandbox.url}/v1/things`)).body, []);
  });

  it('repeats the same fault decisions for the same seed', async () => {
    const run = async (): Promise<number[]> => {
      await reset();
      sandbox.faults.reseed(7);
      sandbox.faults.patch({ errorRate: 0.5 });
      const out: number[] = [];
      for (let i = 0; i < 12; i++) out.push((await fetch(`${sandbox.url}/v1/things`)).status);
      return out;
    };
    assert.deepEqual(await run(), await run());
  });

  it('commits a request and then drops the connection without an answer', async () => {
    await reset();
    sandbox.faults.patch({ dropResponseRate: 1 });
    await assert.rejects(fetch(`${sandbox.url}/v1/things`, send('POST')));
    sandbox.faults.patch({ dropResponseRate: 0 });
    assert.equal(sandbox.faults.struck.dropped, 1);
    assert.deepEqual((await json(`${sandbox.url}/v1/things`)).body, [{ id: 't1' }]);
    assert.equal(sandbox.faults.struck.dropped, 1);
  });

  it('holds a request for the added latency before its handler runs', async () => {
    await reset();
    sandbox.faults.patch({ latencyMs: 1500 });
    let settled = false;
    const slow = fetch(`${sandbox.url}/v1/things`, send('POST')).then((r) => {
      settled = true;
      return r.json();
    });
    // Admin routes are never delayed: the state is read while the vendor request still waits.
    const state = await json(`${sandbox.url}/__sandbox/state`);
    assert.equal(settled, false);
    assert.deepEqual((state.body as { collections: unknown }).collections, { things: 0 });
    assert.deepEqual(await slow, { id: 't1' });
  });

  it('delivers webhooks, retrying failed attempts with backoff', async () => {
    await reset();
    failNext = 2;
    const out = await json(`${sandbox.url}/v1/emit`, send('POST', { url: receiverUrl, count: 1 }));
    assert.deepEqual(received, [1]);
    const [record] = (out.body as { records: { attempts: number; status: string }[] }).records;
    assert.equal(record?.attempts, 3);
    assert.equal(record?.status, 'delivered');
  });

  it('gives up after the last attempt and records the failure', async () => {
    await reset();
    failNext = 10;
    const out = await json(`${sandbox.url}/v1/emit`, send('POST', { url: receiverUrl, count: 1 }));
    assert.deepEqual(received, []);
    assert.deepEqual((out.body as { records: unknown[] }).records, [
      { id: 'e1', url: receiverUrl, attempts: 3, status: 'failed', lastResult: 500 },
    ]);
  });

  it('delivers each event twice at duplicateEventRate 1', async () => {
    await reset();
    sandbox.faults.patch({ duplicateEventRate: 1 });
    await json(`${sandbox.url}/v1/emit`, send('POST', { url: receiverUrl, count: 3 }));
    assert.deepEqual([...received].sort(), [1, 1, 2, 2, 3, 3]);
  });

  it('delivers held events in shuffled order when outOfOrderEvents is on', async () => {
    await reset();
    sandbox.faults.patch({ outOfOrderEvents: true });
    await json(`${sandbox.url}/v1/emit`, send('POST', { url: receiverUrl, count: 8 }));
    assert.deepEqual([...received].sort(), [1, 2, 3, 4, 5, 6, 7, 8]);
    const order = await json(`${sandbox.url}/__sandbox/state`);
    const ids = (order.body as { deliveries: { id: string }[] }).deliveries.map((d) => d.id);
    assert.notDeepEqual(ids, ['e1', 'e2', 'e3', 'e4', 'e5', 'e6', 'e7', 'e8']);
  });

  it('reads, replaces and patches faults through the admin endpoint', async () => {
    await reset();
    const put = await json(`${sandbox.url}/__sandbox/faults`, send('PUT', { latencyMs: 5, tokenTtlSeconds: 60 }));
    assert.equal(put.status, 200);
    assert.deepEqual(put.body, {
      latencyMs: 5,
      errorRate: 0,
      rateLimit: null,
      maintenance: false,
      dropResponseRate: 0,
      duplicateEventRate: 0,
      outOfOrderEvents: false,
      tokenTtlSeconds: 60,
    });
    const patched = await json(`${sandbox.url}/__sandbox/faults`, send('PATCH', { errorRate: 0 }));
    assert.equal((patched.body as { tokenTtlSeconds: number }).tokenTtlSeconds, 60);
    const read = await json(`${sandbox.url}/__sandbox/faults`);
    assert.deepEqual(read.body, patched.body);
  });

  it('refuses bad admin input with a 400 naming the field', async () => {
    await reset();
    const rate = await json(`${sandbox.url}/__sandbox/faults`, send('PATCH', { errorRate: 2 }));
    assert.equal(rate.status, 400);
    assert.match((rate.body as { error: string }).error, /^errorRate: /);
    const unknown = await json(`${sandbox.url}/__sandbox/faults`, send('PATCH', { lag: 1 }));
    assert.equal(unknown.status, 400);
    assert.match((unknown.body as { error: string }).error, /unknown fault setting "lag"/);
    const garbage = await json(`${sandbox.url}/__sandbox/faults`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: '{nope',
    });
    assert.equal(garbage.status, 400);
    assert.equal(typeof (garbage.body as { error: string }).error, 'string');
    assert.deepEqual(sandbox.faults.get().errorRate, 0);
  });

  it('resets state and faults through POST /__sandbox/reset', async () => {
    await json(`${sandbox.url}/v1/things`, send('POST'));
    sandbox.faults.patch({ latencyMs: 1 });
    const answer = await json(`${sandbox.url}/__sandbox/reset`, send('POST'));
    assert.deepEqual(answer.body, { reset: true });
    assert.deepEqual((await json(`${sandbox.url}/v1/things`)).body, []);
    assert.equal(sandbox.faults.get().latencyMs, 0);
  });
});

describe('sandbox kit state', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'interlock-kit-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps state in a SQLite file across a restart, seeding only an empty store', async () => {
    const options: SandboxStartOptions = { seed: true, statePath: path.join(dir, 'fake.sqlite') };
    const first = await fake.start(options);
    await fetch(`${first.url}/v1/things`, { method: 'POST' });
    await first.close();
    const second = await fake.start(options);
    try {
      const listed = await (await fetch(`${second.url}/v1/things`)).json();
      assert.deepEqual(listed, [{ id: 'seeded' }, { id: 't2' }]);
      await second.reset();
      assert.deepEqual(await (await fetch(`${second.url}/v1/things`)).json(), [{ id: 'seeded' }]);
    } finally {
      await second.close();
    }
  });

  it('applies faults given at start and refuses bad ones', async () => {
    const down = await fake.start({ faults: { maintenance: true } });
    try {
      assert.equal((await fetch(`${down.url}/v1/things`)).status, 503);
    } finally {
      await down.close();
    }
    await assert.rejects(fake.start({ faults: { errorRate: -1 } }), /errorRate/);
  });
});
