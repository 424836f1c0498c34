import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { DestinationConfig } from '../core/config.ts';
import { HttpDeliverer } from './http-deliverer.ts';

describe('HttpDeliverer', () => {
  let server: Server;
  let base = '';
  const seen: Array<Record<string, unknown>> = [];
  before(async () => {
    server = createServer((req, res) => {
      seen.push({ url: req.url, key: req.headers['idempotency-key'], headers: req.headers, body: '' });
      if (req.url === '/ok') return void res.writeHead(204).end();
      if (req.url === '/busy') return void res.writeHead(429, { 'retry-after': '3' }).end('slow down');
      if (req.url === '/ok?x=1') return void res.writeHead(404).end();
      if (req.url === '/moved') return void res.writeHead(302, { location: '/ok' }).end();
      if (req.url === '/bad') return void res.writeHead(400).end('no');
      if (req.url === '/down') return void res.writeHead(503).end();
      if (req.url === '/long') return void res.writeHead(500).end('é'.repeat(3000));
      if (req.url === '/later') return void res.writeHead(503, { 'Retry-After': new Date(Date.now() + 60_000).toUTCString() }).end('maintenance');
      if (req.url === '/trickle') {
        // An answer that starts at once and never ends: a byte every 50 ms keeps any idle timeout at bay.
        res.writeHead(200, { 'content-type': 'text/plain' });
        const beat = setInterval(() => res.write('.'), 50);
        res.on('close', () => clearInterval(beat));
        return;
      }
      // '/hang': never answers
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const deliverTo = async (path: string, timeoutMs = 2000, headers: { dest?: Record<string, string>; message?: Record<string, string> } = {}) => {
    const dest = { url: `${base}${path}`, method: 'POST', headers: headers.dest ?? {}, timeoutMs } as unknown as DestinationConfig;
    const deliverer = new HttpDeliverer({ d: dest }, ['127.0.0.1']);
    try {
      return await deliverer.deliver({ id: 1, destination: 'd', key: 'k', idempotencyKey: 'ilk_1', payload: '{}', headers: headers.message ?? {}, attempt: 2 });
    } finally {
      await deliverer.close();
    }
  };

  it('classifies answers: 2xx delivered, 429 rate-limited with Retry-After, 5xx retryable, other 4xx permanent', async () => {
    assert.deepEqual(await deliverTo('/ok'), { ok: true, status: 204 });
    assert.equal(seen.at(-1)!.key, 'ilk_1');
    const busy = await deliverTo('/busy');
    assert.equal(busy.ok, false);
    assert.deepEqual(!busy.ok && [busy.failure, busy.retryAfterMs, busy.response], ['rate-limited', 3000, 'slow down']);
    const down = await deliverTo('/down');
    assert.equal(!down.ok && down.failure, 'retryable');
    const bad = await deliverTo('/bad');
    assert.equal(!bad.ok && bad.failure, 'permanent');
  });

  it('sends the destination headers, the message headers over them, and its own over both, each once', async () => {
    assert.deepEqual(
      await deliverTo('/ok?x=1', 2000, {
        dest: { 'Content-Type': 'application/vnd.api+json', 'X-Api-Key': 'dest', 'Idempotency-Key': 'dest' },
        message: { 'x-api-key': 'message', 'idempotency-key': 'message', 'x-interlock-event-id': 'evt-1' },
      }),
      { ok: false, failure: 'permanent', reason: 'HTTP 404', status: 404, response: '' },
    );
    const h = seen.at(-1)!.headers as Record<string, string>;
    assert.equal(seen.at(-1)!.url, '/ok?x=1');
    assert.deepEqual(
      [h['content-type'], h['x-api-key'], h['idempotency-key'], h['x-interlock-attempt'], h['x-interlock-event-id']],
      ['application/vnd.api+json', 'message', 'ilk_1', '2', 'evt-1'],
    );
  });

  it('does not follow a redirect: a 3xx is a permanent failure, and the payload is not sent on as a GET', async () => {
    const before = seen.length;
    assert.deepEqual(await deliverTo('/moved'), { ok: false, failure: 'permanent', reason: 'HTTP 302', status: 302, response: '' });
    assert.deepEqual(seen.slice(before).map((s) => s.url), ['/moved']);
  });

  it('an attempt that gets no answer within the timeout is a retryable failure', async () => {
    const outcome = await deliverTo('/hang', 200);
    assert.equal(outcome.ok, false);
    assert.equal(!outcome.ok && outcome.failure, 'retryable');
    assert.match(!outcome.ok ? outcome.reason : '', /no answer within 200 ms/);
  });

  it('an answer still arriving at the timeout is a retryable failure: the timeout bounds the whole attempt', async () => {
    const outcome = await deliverTo('/trickle', 300);
    assert.deepEqual(!outcome.ok && [outcome.failure, /no answer within 300 ms/.test(outcome.reason)], ['retryable', true]);
  });

  it('keeps the first 2048 characters of a failure\'s answer, and a Retry-After given as a date', async () => {
    const long = await deliverTo('/long');
    assert.deepEqual(!long.ok && [long.failure, long.status, long.response], ['retryable', 500, 'é'.repeat(2048)]);
    const later = await deliverTo('/later');
    assert.equal(!later.ok && later.response, 'maintenance');
    const wait = !later.ok ? later.retryAfterMs ?? 0 : 0;
    assert.ok(wait > 50_000 && wait <= 60_000, `Retry-After in ${wait} ms`);
  });

  it('a destination at an address the SSRF guard refuses is a permanent failure, and nothing is sent', async () => {
    const before = seen.length;
    const dest = { url: `${base}/ok`, method: 'POST', headers: {}, timeoutMs: 2000 } as unknown as DestinationConfig;
    const deliverer = new HttpDeliverer({ d: dest });
    try {
      const outcome = await deliverer.deliver({ id: 1, destination: 'd', key: 'k', idempotencyKey: 'ilk_1', payload: '{}', headers: {}, attempt: 1 });
      assert.equal(!outcome.ok && outcome.failure, 'permanent');
      assert.equal(seen.length, before);
    } finally {
      await deliverer.close();
    }
  });

  it('closing waits for an attempt in flight, which still ends at its deadline', async () => {
    const dest = { url: `${base}/hang`, method: 'POST', headers: {}, timeoutMs: 200 } as unknown as DestinationConfig;
    const deliverer = new HttpDeliverer({ d: dest }, ['127.0.0.1']);
    const attempt = deliverer.deliver({ id: 1, destination: 'd', key: 'k', idempotencyKey: 'ilk_1', payload: '{}', headers: {}, attempt: 1 });
    await new Promise((r) => setTimeout(r, 20));
    await deliverer.close();
    const outcome = await attempt;
    assert.equal(!outcome.ok && outcome.failure, 'retryable');
  });

  it('several attempts in flight each end at their own deadline or answer', async () => {
    const dest = (path: string, timeoutMs: number) => ({ url: `${base}${path}`, method: 'POST', headers: {}, timeoutMs }) as unknown as DestinationConfig;
    const deliverer = new HttpDeliverer({ slow: dest('/hang', 400), fast: dest('/hang', 150), ok: dest('/ok', 2000) }, ['127.0.0.1']);
    try {
      const send = (destination: string) => deliverer.deliver({ id: 1, destination, key: 'k', idempotencyKey: 'ilk_1', payload: '{}', headers: {}, attempt: 1 });
      const outcomes = await Promise.all([send('slow'), send('fast'), send('ok')]);
      assert.deepEqual(outcomes.map((o) => !o.ok && /no answer within (\d+) ms/.exec(o.reason)?.[1]), ['400', '150', false]);
    } finally {
      await deliverer.close();
    }
  });
});
