import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ManualClock } from '../core/clock.ts';
import { describeEachStore } from '../../test/support/stores.ts';
import { ApiKeys, hashKey, KEY_PREFIX, parseKeyId } from './api-keys.ts';
import { AuditLog } from './audit-log.ts';
import { roleAllows, ROLES } from './roles.ts';

describeEachStore('API keys', (get) => {
  const clock = new ManualClock();
  const keysOf = () => new ApiKeys(get().store, new AuditLog(get().store, clock), clock);

  it('issues a key once, stores only its hash, and authenticates it with its role', async () => {
    const keys = keysOf();
    assert.equal(await keys.anyIssued(), false);
    const { key, record } = await keys.create({ role: 'operator', label: 'ci pipeline', actor: 'cli:ana' });
    assert.ok(key.startsWith(KEY_PREFIX));
    assert.equal(parseKeyId(key), record.id);
    const row = await get().store.db.selectFrom('api_keys').selectAll().where('id', '=', record.id).executeTakeFirstOrThrow();
    assert.equal(row.hash, hashKey(key));
    assert.ok(!JSON.stringify(row).includes(key.slice(KEY_PREFIX.length + 13)), 'the random part is not stored');
    const who = await keys.authenticate(key);
    assert.equal(who?.role, 'operator');
    assert.equal(who?.lastUsedAt, clock.now());
    assert.equal(await keys.anyIssued(), true);
  });

  it('refuses a wrong, malformed or altered key', async () => {
    const keys = keysOf();
    const { key } = await keys.create({ role: 'viewer', label: 'x', actor: 'cli:ana' });
    assert.equal(await keys.authenticate(key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A')), undefined);
    assert.equal(await keys.authenticate('nope'), undefined);
    assert.equal(await keys.authenticate(''), undefined);
  });

  it('refuses a revoked key and an expired one, and audits creation and revocation', async () => {
    const keys = keysOf();
    const { key, record } = await keys.create({ role: 'admin', label: 'temp', actor: 'cli:ana', expiresAt: clock.now() + 60_000 });
    assert.equal((await keys.authenticate(key))?.role, 'admin');
    clock.advance(60_000);
    assert.equal(await keys.authenticate(key), undefined, 'expired');
    const { key: k2, record: r2 } = await keys.create({ role: 'approver', label: 'b', actor: 'cli:ana' });
    await keys.revoke(r2.id, 'key:' + record.id);
    assert.equal(await keys.authenticate(k2), undefined, 'revoked');
    assert.equal((await keys.list()).find((k) => k.id === r2.id)?.revokedAt, clock.now());
    const audit = await new AuditLog(get().store, clock).list();
    assert.deepEqual(audit.filter((e) => e.target === `key:${r2.id}`).map((e) => e.action), ['key.created', 'key.revoked']);
    assert.ok(!JSON.stringify(audit).includes(k2), 'no key in the audit log');
    await assert.rejects(keys.revoke('000000000000', 'x'), /no API key/);
  });

  it('refuses a bad role and a past expiry', async () => {
    await assert.rejects(keysOf().create({ role: 'root' as 'admin', label: 'x', actor: 'a' }), /role must be one of/);
    await assert.rejects(keysOf().create({ role: 'viewer', label: 'x', actor: 'a', expiresAt: clock.now() }), /expiry must be in the future/);
  });
});

it('orders roles viewer < operator < approver < admin', () => {
  assert.deepEqual(ROLES, ['viewer', 'operator', 'approver', 'admin']);
  assert.equal(roleAllows('admin', 'viewer'), true);
  assert.equal(roleAllows('operator', 'operator'), true);
  assert.equal(roleAllows('operator', 'approver'), false);
  assert.equal(roleAllows('viewer', 'operator'), false);
});
