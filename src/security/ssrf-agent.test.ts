import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { AddressPolicy, AddressRefusedError } from './address-policy.ts';
import { createGuardedDispatcher, type ResolveAll } from './ssrf-agent.ts';

// Names resolve through this table only: no query leaves the machine, no traffic leaves 127.0.0.1.
const DNS: Record<string, string> = { 'internal.test': '10.0.0.7', 'rebound.test': '192.168.1.20', 'sandbox.test': '127.0.0.1', 'other.test': '127.0.0.1' };
const resolve: ResolveAll = (hostname, _options, callback) => {
  const address = DNS[hostname];
  if (address === undefined) return callback(Object.assign(new Error(`ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), []);
  callback(null, [{ address, family: 4 }]);
};

describe('SSRF guard (undici dispatcher)', () => {
  let server: Server;
  let port = 0;
  let hits = 0;
  before(async () => {
    server = createServer((req, res) => {
      hits += 1;
      const to = new URL(req.url ?? '/', 'http://x').searchParams.get('to');
      if (to !== null) res.writeHead(302, { location: to.replace('PORT', String(port)) }).end();
      else res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    await new Promise<void>((r) => server.close(() => r()));
  });

  const refusedWith = async (url: string, dispatcher = createGuardedDispatcher(new AddressPolicy(), { resolve })) => {
    const before = hits;
    await assert.rejects(request(url, { dispatcher }), (err: unknown) => {
      assert.ok(err instanceof AddressRefusedError, `expected AddressRefusedError, got ${String(err)}`);
      return true;
    });
    return hits - before;
  };

  for (const host of ['127.0.0.1', '2130706433', '0177.0.0.1', '0x7f.0.0.1', '[::ffff:127.0.0.1]', '[::1]']) {
    it(`refuses http://${host}:port before connecting`, async () => {
      assert.equal(await refusedWith(`http://${host}:${port}/`), 0, 'the local server was not reached');
    });
  }

  it('refuses a DNS name that resolves to a private address', async () => {
    assert.equal(await refusedWith(`http://internal.test:${port}/`), 0);
  });

  it('allows an explicitly allowed address, and checks every redirect hop', async () => {
    const dispatcher = createGuardedDispatcher(new AddressPolicy(['127.0.0.1/32']), { resolve });
    const ok = await request(`http://127.0.0.1:${port}/`, { dispatcher });
    assert.equal(ok.statusCode, 200);
    assert.equal(await ok.body.text(), 'ok');
    const followed = await request(`http://127.0.0.1:${port}/?to=${encodeURIComponent('http://127.0.0.1:PORT/done')}`, { dispatcher });
    assert.equal(followed.statusCode, 200);
    await followed.body.dump();
    for (const to of ['http://10.1.2.3:PORT/', 'http://rebound.test:PORT/', 'http://2130706434:PORT/', 'http://[::ffff:7f00:1]:PORT/']) {
      // The first hop reaches the allowed server; the redirect target is refused.
      assert.equal(await refusedWith(`http://127.0.0.1:${port}/?to=${encodeURIComponent(to)}`, dispatcher), 1, to);
    }
    await dispatcher.close();
  });

  it('with maxRedirections 0 answers the redirect itself, and still guards every connection', async () => {
    const dispatcher = createGuardedDispatcher(new AddressPolicy(['127.0.0.1/32']), { resolve, maxRedirections: 0 });
    const before = hits;
    const res = await request(`http://127.0.0.1:${port}/?to=${encodeURIComponent('http://10.1.2.3:PORT/')}`, { dispatcher });
    assert.equal(res.statusCode, 302);
    await res.body.dump();
    assert.equal(hits - before, 1, 'one hop, not followed');
    assert.equal(await refusedWith(`http://internal.test:${port}/`, dispatcher), 0);
    await dispatcher.close();
  });

  it('allows a host by its exact name', async () => {
    const dispatcher = createGuardedDispatcher(new AddressPolicy(['sandbox.test']), { resolve });
    const res = await request(`http://sandbox.test:${port}/`, { dispatcher });
    assert.equal(res.statusCode, 200);
    await res.body.dump();
    assert.equal(await refusedWith(`http://other.test:${port}/`, dispatcher), 0);
    await dispatcher.close();
  });
});
