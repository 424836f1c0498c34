/**
 * Request limits as the server applies them: JSON depth on parsed routes and on the raw webhook
 * intake, header size, body size, and the request timeout handed to Node.
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { startHarness, type Harness } from '../../test/support/engine-harness.ts';
import { describeEachStore } from '../../test/support/stores.ts';
import { jsonDepthExceeds } from './request-limits.ts';

describe('jsonDepthExceeds', () => {
  it('counts nesting of arrays and objects, not brackets inside strings', () => {
    assert.equal(jsonDepthExceeds('{"a":[1,{"b":2}]}', 3), false);
    assert.equal(jsonDepthExceeds('{"a":[1,{"b":2}]}', 2), true);
    assert.equal(jsonDepthExceeds('{"a":"[[[[[[[[[["}', 1), false);
    assert.equal(jsonDepthExceeds('{"a":"\\"[[[["}', 1), false);
    assert.equal(jsonDepthExceeds('['.repeat(100_000), 64), true);
  });
});

describeEachStore('request limits on the server', (get) => {
  let h: Harness | undefined;
  before(async () => {
    h = await startHarness(
      get().store,
      {
        server: { bodyLimit: 4096, jsonDepth: 8, maxHeaderSize: 2048, requestTimeout: '7s' },
        sources: { orders: { eventId: { path: 'id' }, routes: [] } },
        destinations: { sink: { url: 'http://127.0.0.1:9/ok' } },
      },
      { worker: false },
    );
  });
  after(async () => {
    await h?.close();
  });

  const inboxCount = async () =>
    Number((await get().store.db.selectFrom('inbox').select(get().store.db.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

  it('refuses JSON nested deeper than the limit on a parsed route (400 json-too-deep)', async () => {
    const deep = JSON.stringify({ ids: [1], destination: 'x', nested: JSON.parse('['.repeat(10) + ']'.repeat(10)) as unknown });
    const res = await fetch(`${h!.url}/admin/dead-letters/replay`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: deep });
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as { type: string }).type, /json-too-deep$/);
  });

  it('refuses a too-deep webhook and stores nothing, while a shallow one is accepted', async () => {
    const before = await inboxCount();
    const deep = await fetch(`${h!.url}/hooks/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: `{"id":"d1","x":${'['.repeat(20)}${']'.repeat(20)}}` });
    assert.equal(deep.status, 400);
    assert.match(((await deep.json()) as { type: string }).type, /json-too-deep$/);
    assert.equal(await inboxCount(), before);
    const ok = await fetch(`${h!.url}/hooks/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"id":"d2","x":[[1]]}' });
    assert.equal(ok.status, 202);
    await ok.body?.cancel();
  });

  it('refuses a request head larger than the header limit (431)', async () => {
    const port = Number(new URL(h!.url).port);
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/healthz', headers: { 'x-big': 'a'.repeat(4096) } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(status, 431);
  });

  it('refuses a body over the limit (413) and hands the request timeout to Node', async () => {
    const res = await fetch(`${h!.url}/admin/dead-letters/replay`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ destination: 'x'.repeat(5000) }) });
    assert.equal(res.status, 413);
    await res.body?.cancel();
    assert.equal(h!.app.server.requestTimeout, 7000);
  });
});
