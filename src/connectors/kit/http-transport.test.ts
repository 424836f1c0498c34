import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { InterlockError } from '../../core/errors.ts';
import { startSink, type Sink } from '../../sandboxes/sink/sink.ts';
import { registry } from '../../observability/metrics.ts';
import { vendorHealth } from '../../observability/vendor-health.ts';
import { HttpTransport } from './http-transport.ts';

describe('HttpTransport', () => {
  let sink: Sink;
  let t: HttpTransport;
  before(async () => {
    sink = await startSink();
    t = new HttpTransport({ vendor: 'acme', baseUrl: sink.url, allow: ['127.0.0.1'], timeoutMs: 2000 });
  });
  after(async () => {
    await t.close();
    await sink.close();
  });

  it('sends JSON and form bodies and parses JSON answers', async () => {
    const r = await t.call<{ ok: boolean }>({ method: 'POST', path: '/ok', json: { a: 1 }, headers: { 'idempotency-key': 'k1' } });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { ok: true });
    await t.call({ method: 'POST', path: '/ok', form: { 'items[0][price]': 'price_1', quantity: 2 }, headers: { 'idempotency-key': 'k2' } });
    assert.equal(sink.effects.find((e) => e.key === 'k2')?.body, 'items%5B0%5D%5Bprice%5D=price_1&quantity=2');
  });

  const cases: Array<[string, string, string, number | undefined]> = [
    ['a 429 with Retry-After', '/status/429?retryAfter=7', 'rate-limited', 7000],
    ['a 503', '/status/503', 'transient', undefined],
    ['a 401', '/status/401', 'auth', undefined],
    ['a 404', '/status/404', 'not-found', undefined],
    ['a 409', '/status/409', 'conflict', undefined],
    ['a 400', '/status/400', 'permanent', undefined],
  ];
  for (const [what, path, code, retryAfterMs] of cases) {
    it(`translates ${what} into the taxonomy (${code})`, async () => {
      await assert.rejects(t.call({ method: 'GET', path }), (err: InterlockError) => {
        assert.equal(err.code, code);
        assert.equal(err.retryAfterMs, retryAfterMs);
        assert.match(err.message, /^acme GET \/status\/\d{3} answered \d{3}/);
        return true;
      });
    });
  }

  it('lets the vendor refine the class from its error body', async () => {
    const refined = new HttpTransport({
      vendor: 'acme',
      baseUrl: sink.url,
      allow: ['127.0.0.1'],
      classify: (res) => (res.status === 400 ? { code: 'validation', message: 'field x is required' } : undefined),
    });
    await assert.rejects(refined.call({ method: 'GET', path: '/status/400' }), /validation|field x is required/);
    await refined.close();
  });

  it('calls a connection error transient, and a private address outside the allow-list permanent', async () => {
    const down = new HttpTransport({ vendor: 'acme', baseUrl: 'http://127.0.0.1:9', allow: ['127.0.0.1'] });
    await assert.rejects(down.call({ method: 'GET', path: '/' }), (e: InterlockError) => e.code === 'transient');
    await down.close();
    const guarded = new HttpTransport({ vendor: 'acme', baseUrl: sink.url });
    await assert.rejects(guarded.call({ method: 'GET', path: '/ok' }), (e: InterlockError) => e.code === 'permanent' && /refusing to connect/.test(e.message));
    await guarded.close();
  });
});

describe('HttpTransport on a connection lost before the answer', () => {
  let server: Server;
  let base: string;
  // Every path drops its first `n` requests unanswered (as a vendor whose answer is lost does).
  const drops = new Map<string, number>();
  const seen = new Map<string, number>();
  before(async () => {
    server = createServer((req, res) => {
      const path = req.url ?? '';
      seen.set(path, (seen.get(path) ?? 0) + 1);
      if (path === '/hang') return; // never answers
      const left = drops.get(path) ?? 0;
      if (left > 0) {
        drops.set(path, left - 1);
        req.socket.destroy();
        return;
      }
      res.setHeader('content-type', 'application/json');
      res.end('{"ok":true}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve()) && server.closeAllConnections()));

  const transport = () => new HttpTransport({ vendor: 'acme', baseUrl: base, allow: ['127.0.0.1'], timeoutMs: 2000 });

  it('sends an idempotent call again (a GET, a POST with an Idempotency-Key) and answers once', async () => {
    const t = transport();
    drops.set('/read', 2);
    drops.set('/keyed', 1);
    assert.deepEqual((await t.call({ method: 'GET', path: '/read' })).body, { ok: true });
    assert.deepEqual((await t.call({ method: 'POST', path: '/keyed', json: {}, headers: { 'Idempotency-Key': 'k' } })).body, { ok: true });
    assert.deepEqual([seen.get('/read'), seen.get('/keyed')], [3, 2]);
    await t.close();
  });

  it('never sends a plain POST twice: the lost answer is a transient error for the caller to resolve', async () => {
    const t = transport();
    drops.set('/create', 1);
    await assert.rejects(t.call({ method: 'POST', path: '/create', json: {} }), (err: InterlockError) => err.code === 'transient');
    assert.equal(seen.get('/create'), 1);
    await t.close();
  });

  it('gives up after two retries', async () => {
    const t = transport();
    drops.set('/flaky', 5);
    await assert.rejects(t.call({ method: 'GET', path: '/flaky' }), (err: InterlockError) => err.code === 'transient');
    assert.equal(seen.get('/flaky'), 3);
    await t.close();
  });

  it('gives up on a call that outlives its timeout, without sending it again (the vendor may be struggling)', async () => {
    const t = transport();
    await assert.rejects(t.call({ method: 'GET', path: '/hang', timeoutMs: 300 }), (err: InterlockError) => err.code === 'transient' && /timeout|within 300 ms/i.test(err.message));
    // Once, or not at all if the deadline passed before the request reached the server.
    assert.ok((seen.get('/hang') ?? 0) <= 1);
    await t.close();
  });

  it('sends paths and queries as URL resolution would: plain paths joined, anything else resolved', async () => {
    const t = new HttpTransport({ vendor: 'acme', baseUrl: `${base}/api/`, allow: ['127.0.0.1'], timeoutMs: 2000 });
    const cases: Array<[string, Record<string, string | number | undefined> | undefined, string]> = [
      ['/v1/things', { q: "name = 'a b'", limit: 10, skip: undefined }, "/v1/things?q=name+%3D+%27a+b%27&limit=10"],
      ['/v1/things', {}, '/v1/things'],
      ['/v1/a/../b', undefined, '/v1/b'],
      ['/v1/with space', undefined, '/v1/with%20space'],
      ['/v1/x?a=1', { b: '2' }, '/v1/x?a=1&b=2'],
      ['relative', undefined, '/api/relative'],
      [`${base}/absolute`, undefined, '/absolute'],
    ];
    for (const [path, query, sent] of cases) {
      const before = seen.get(sent) ?? 0;
      await t.call({ method: 'GET', path, ...(query === undefined ? {} : { query }) });
      assert.equal(seen.get(sent), before + 1, `${path} was sent as ${sent}`);
    }
    await t.close();
  });

  it('fails a call waiting for a connection at its timeout, not when a connection frees up', async () => {
    const t = new HttpTransport({ vendor: 'acme', baseUrl: base, allow: ['127.0.0.1'], timeoutMs: 30_000, connections: 1 });
    const hanging = t.call({ method: 'GET', path: '/hang' }).catch((err: InterlockError) => err.code);
    const started = Date.now();
    await assert.rejects(t.call({ method: 'GET', path: '/queued', timeoutMs: 200 }), (err: InterlockError) => err.code === 'transient' && /within 200 ms/.test(err.message));
    assert.ok(Date.now() - started < 5_000, `the queued call waited ${Date.now() - started} ms`);
    assert.equal(seen.get('/queued'), undefined, 'the call never reached the vendor');
    await t.close(50);
    assert.equal(await hanging, 'transient');
  });

  it('closes without waiting out a call still in flight: after a short grace the call is aborted', async () => {
    const t = transport();
    const before = seen.get('/hang') ?? 0;
    const pending = t.call({ method: 'GET', path: '/hang', timeoutMs: 30_000 });
    const outcome = pending.then(() => 'answered', (err: InterlockError) => err.code);
    while ((seen.get('/hang') ?? 0) === before) await new Promise((r) => setTimeout(r, 10));
    const started = Date.now();
    await t.close(100);
    // 30 s would be the call's own timeout; the close gives it 100 ms.
    assert.ok(Date.now() - started < 5_000, `close took ${Date.now() - started} ms`);
    assert.equal(await outcome, 'transient');
    assert.ok(Date.now() - started < 5_000, `the call was left waiting ${Date.now() - started} ms`);
  });
});

describe('HttpTransport circuit breaker and connection cap', () => {
  let server: Server;
  let base: string;
  // What the vendor answers now, and how many exchanges it holds at once.
  let status = 200;
  let holdMs = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  let received = 0;
  before(async () => {
    server = createServer((req, res) => {
      received += 1;
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      setTimeout(() => {
        inFlight -= 1;
        res.statusCode = status;
        res.setHeader('content-type', 'application/json');
        res.setHeader('sforce-limit-info', 'api-usage=40/100');
        res.end(status < 400 ? '{"ok":true}' : '{"error":"down"}');
      }, holdMs);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve()) && server.closeAllConnections()));

  const circuitGauge = async (vendor: string): Promise<number | undefined> =>
    (await registry.getSingleMetric('interlock_vendor_circuit_state')?.get())?.values.find((v) => v.labels['vendor'] === vendor)?.value;

  it('opens after a burst of vendor failures, fails fast and retryable, probes once when half-open and closes on success', async () => {
    let now = 0;
    const t = new HttpTransport({ vendor: 'Breaky', baseUrl: base, allow: ['127.0.0.1'], circuit: { failureThreshold: 3, openMs: 1000, now: () => now } });
    status = 503;
    for (let i = 0; i < 3; i++) await assert.rejects(t.call({ method: 'GET', path: '/x' }), (e: InterlockError) => e.code === 'transient' && /answered 503/.test(e.message));
    assert.equal(t.circuitState, 'open');
    assert.equal(await circuitGauge('breaky'), 1);
    assert.deepEqual([vendorHealth('breaky').status, vendorHealth('breaky').circuit], ['down', 'open']);
    const sent = received;
    now = 400;
    await assert.rejects(t.call({ method: 'GET', path: '/x' }), (e: InterlockError) => e.code === 'transient' && e.retryable && e.retryAfterMs === 600 && /circuit open/.test(e.message));
    assert.equal(received, sent, 'an open circuit sends nothing');
    // Half-open: one probe goes out, a call beside it still fails fast; the probe failing reopens.
    now = 1000;
    assert.equal(t.circuitState, 'half-open');
    const probe = t.call({ method: 'GET', path: '/x' });
    await assert.rejects(t.call({ method: 'GET', path: '/x' }), /circuit open/);
    await assert.rejects(probe, /answered 503/);
    assert.equal(t.circuitState, 'open');
    // The next probe succeeds: closed, and calls flow again.
    now = 2000;
    status = 200;
    assert.deepEqual((await t.call({ method: 'GET', path: '/x' })).body, { ok: true });
    assert.equal(t.circuitState, 'closed');
    assert.equal(await circuitGauge('breaky'), 0);
    assert.deepEqual((await t.call({ method: 'GET', path: '/x' })).body, { ok: true });
    await t.close();
  });

  it('does not open on refusals of the request (4xx) or on 429s: the vendor is answering', async () => {
    const t = new HttpTransport({ vendor: 'Picky', baseUrl: base, allow: ['127.0.0.1'], circuit: { failureThreshold: 2 } });
    for (const s of [400, 404, 429, 400, 429]) {
      status = s;
      await assert.rejects(t.call({ method: 'GET', path: '/x' }));
    }
    assert.equal(t.circuitState, 'closed');
    status = 200;
    await t.close();
  });

  it('keeps at most `connections` exchanges in flight per origin; the rest wait their turn', async () => {
    const t = new HttpTransport({ vendor: 'Narrow', baseUrl: base, allow: ['127.0.0.1'], connections: 2 });
    status = 200;
    holdMs = 30;
    maxInFlight = 0;
    const answers = await Promise.all(Array.from({ length: 8 }, () => t.call({ method: 'GET', path: '/x' })));
    holdMs = 0;
    assert.equal(answers.length, 8);
    assert.equal(maxInFlight, 2);
    await t.close();
  });

  it("exposes the vendor's remaining allowance as a gauge", async () => {
    const t = new HttpTransport({
      vendor: 'Limited',
      baseUrl: base,
      allow: ['127.0.0.1'],
      rateLimitRemaining: (headers) => {
        const m = /api-usage=(\d+)\/(\d+)/.exec(String(headers['sforce-limit-info']));
        return m === null ? undefined : Number(m[2]) - Number(m[1]);
      },
    });
    await t.call({ method: 'GET', path: '/x' });
    const values = (await registry.getSingleMetric('interlock_vendor_rate_limit_remaining')?.get())?.values;
    assert.equal(values?.find((v) => v.labels['vendor'] === 'limited')?.value, 60);
    assert.equal(vendorHealth('limited').rateLimitRemaining, 60);
    await t.close();
  });
});
