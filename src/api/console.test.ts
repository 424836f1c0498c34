/**
 * Serving the console: any screen path answers the app (so bookmarks and reloads work), built
 * assets are cached for good and the page never, a missing asset is a 404 rather than the page,
 * nothing outside the build is reachable, and an unbuilt console says how to build it.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { registerConsole } from './console.ts';

describe('the console route', () => {
  let dir: string;
  let app: FastifyInstance;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'interlock-console-route-'));
    mkdirSync(path.join(dir, 'dist', 'assets'), { recursive: true });
    writeFileSync(path.join(dir, 'dist', 'index.html'), '<!doctype html><div id="root"></div>');
    writeFileSync(path.join(dir, 'dist', 'assets', 'index-abc123.js'), 'console.log(1)');
    writeFileSync(path.join(dir, 'secret.txt'), 'not for the browser');
    app = Fastify();
    await registerConsole(app, `${path.join(dir, 'dist')}/`);
  });
  after(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers every screen path with the app, never cached, under a content security policy', async () => {
    for (const url of ['/console/', '/console/runs/12', '/console/search/006Hs0000000001IAA']) {
      const res = await app.inject(url);
      assert.equal(res.statusCode, 200, url);
      assert.match(res.body, /id="root"/);
      assert.equal(res.headers['cache-control'], 'no-cache');
      assert.match(String(res.headers['content-security-policy']), /default-src 'self'/);
    }
    assert.equal((await app.inject('/console')).headers.location, '/console/');
  });

  it('serves hashed assets cached for a year and answers 404 for a missing one', async () => {
    const res = await app.inject('/console/assets/index-abc123.js');
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['cache-control']), /max-age=31536000.*immutable/);
    assert.equal((await app.inject('/console/assets/gone-000.js')).statusCode, 404);
  });

  it('reaches nothing outside the build', async () => {
    for (const url of ['/console/../secret.txt', '/console/%2e%2e/secret.txt', '/console/..%2fsecret.txt']) {
      const res = await app.inject(url);
      assert.doesNotMatch(res.body, /not for the browser/, url);
    }
  });

  it('says how to build the console when there is no build', async () => {
    const bare = Fastify();
    await registerConsole(bare, `${path.join(dir, 'nothing')}/`);
    const res = await bare.inject('/console/');
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /npm run build:web/);
    await bare.close();
  });
});
