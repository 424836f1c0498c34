import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { errorHandler } from '../api/problem.ts';
import { systemClock } from '../core/clock.ts';
import { describeEachStore } from '../../test/support/stores.ts';
import { ApiKeys } from './api-keys.ts';
import { AuditLog } from './audit-log.ts';
import { principalOf } from './principal.ts';
import { requireRole } from './require-role.ts';

describeEachStore('requireRole', (get) => {
  let app: FastifyInstance | undefined;
  let keys: ApiKeys | undefined;
  before(async () => {
    keys = new ApiKeys(get().store, new AuditLog(get().store, systemClock), systemClock);
    app = Fastify();
    app.setErrorHandler(errorHandler);
    app.get('/approve', { onRequest: requireRole({ keys }, 'approver') }, async (req) => principalOf(req));
    app.get('/config', { onRequest: requireRole({ keys }, 'admin') }, async (req) => principalOf(req));
    await app.ready();
  });
  after(async () => {
    await app?.close();
  });

  it('on a fresh install admits loopback and refuses any other address', async () => {
    const local = await app!.inject({ url: '/config', remoteAddress: '127.0.0.1' });
    assert.equal(local.statusCode, 200);
    assert.deepEqual(local.json(), { actor: 'loopback', role: 'admin', limitKey: 'loopback' });
    const mapped = await app!.inject({ url: '/config', remoteAddress: '::ffff:127.0.0.1' });
    assert.equal(mapped.statusCode, 200);
    for (const remoteAddress of ['10.0.0.5', '192.168.1.9', '::ffff:10.0.0.5', '2001:db8::1']) {
      const remote = await app!.inject({ url: '/config', remoteAddress });
      assert.equal(remote.statusCode, 403, remoteAddress);
      assert.match(remote.json<{ detail: string }>().detail, /loopback only/);
    }
  });

  it('checks a fixed role per route: approver passes /approve, not /config', async () => {
    const { key, record } = await keys!.create({ role: 'approver', label: 'a', actor: 'test' });
    const auth = { authorization: `Bearer ${key}` };
    const ok = await app!.inject({ url: '/approve', headers: auth, remoteAddress: '10.0.0.5' });
    assert.equal(ok.statusCode, 200);
    assert.deepEqual(ok.json(), { actor: `key:${record.id}`, name: 'a', role: 'approver', limitKey: record.id });
    const refused = await app!.inject({ url: '/config', headers: auth });
    assert.equal(refused.statusCode, 403);
    assert.equal(refused.json<{ requiredRole: string }>().requiredRole, 'admin');
    const noKey = await app!.inject({ url: '/approve', remoteAddress: '127.0.0.1' });
    assert.equal(noKey.statusCode, 401, 'once a key exists, loopback needs one too');
    const basic = await app!.inject({ url: '/approve', headers: { authorization: `Basic ${key}` } });
    assert.equal(basic.statusCode, 401);
  });
});
