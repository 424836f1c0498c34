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
      seen.push({ url: req.url, key: req.headers['idempotency-key'] });
      if (req.url === '/ok') return void res.writeHead(204).end();
      if (req.url === '/busy') return void res.writeHead(429, { 'retry-after': '3' }).end('slow down');
      if (req.url === '/bad') return void res.writeHead(400).end('no');
      if (req.url === '/down') return void res.writeHead(503).end();
      // '/hang': never answers
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const deliverTo = async (path: string, timeoutMs = 2000) => {
    const dest = { url: `${base}${path}`, method: 'POST', headers: {}, timeoutMs } as unknown as DestinationConfig;
    const deliverer = new HttpDeliverer({ d: dest }, ['127.0.0.1']);
    try {
      return await deliverer.deliver({ id: 1, destination: 'd', key: 'k', idempotencyKey: 'ilk_1', payload: '{}', headers: {}, attempt: 1 });
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

  it('an attempt that gets no answer within the timeout is a retryable failure', async () => {
    const outcome = await deliverTo('/hang', 200);
    assert.equal(outcome.ok, false);
    assert.equal(!outcome.ok && outcome.failure, 'retryable');
  });
});
