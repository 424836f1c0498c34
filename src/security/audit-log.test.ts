import assert from 'node:assert/strict';
import { it } from 'node:test';
import { sql } from 'kysely';
import { ManualClock } from '../core/clock.ts';
import { describeEachStore } from '../../test/support/stores.ts';
import { AuditLog, GENESIS_HASH } from './audit-log.ts';

describeEachStore('security audit log', (get) => {
  const clock = new ManualClock();

  it('chains each entry to the one before and verifies the whole chain', async () => {
    const log = new AuditLog(get().store, clock);
    const first = await log.append({ actor: 'cli:ana', action: 'key.created', target: 'key:1', after: { role: 'viewer', b: 1, a: 2 } });
    clock.advance(1000);
    const second = await log.append({ actor: 'key:1', action: 'dead-letter.replay', target: '/admin/dead-letters/7/replay', before: null, after: { replayed: 1 } });
    assert.equal(first.prevHash, GENESIS_HASH);
    assert.equal(second.prevHash, first.hash);
    assert.deepEqual(await log.verify(), { ok: true, entries: 2 });
    const listed = await log.list();
    assert.deepEqual(listed.map((e) => [e.action, e.actor, e.at]), [['key.created', 'cli:ana', clock.now() - 1000], ['dead-letter.replay', 'key:1', clock.now()]]);
    assert.deepEqual(listed[0]!.after, { a: 2, b: 1, role: 'viewer' });
  });

  it('keeps the chain linear under concurrent appends', async () => {
    const log = new AuditLog(get().store, clock);
    await Promise.all(Array.from({ length: 20 }, (_, i) => log.append({ actor: 'test', action: 'parallel', target: `t${i}` })));
    const v = await log.verify();
    assert.equal(v.ok, true);
    assert.equal(v.entries, 22);
  });

  it('is refused UPDATE and DELETE by the database itself', async () => {
    const { db } = get().store;
    await assert.rejects(db.updateTable('security_audit').set({ actor: 'mallory' }).where('id', '=', 1).execute(), /append-only/);
    await assert.rejects(db.deleteFrom('security_audit').where('id', '=', 1).execute(), /append-only/);
    assert.deepEqual(await new AuditLog(get().store, clock).verify(), { ok: true, entries: 22 });
  });

  it('detects entries cut from the end against an anchor kept elsewhere', async () => {
    const { store } = get();
    const log = new AuditLog(store, clock);
    const anchor = await log.head();
    assert.equal(anchor.id, 22);
    assert.deepEqual(await log.verify(anchor), { ok: true, entries: 22 });
    assert.deepEqual(await log.verify({ id: 22, hash: 'f'.repeat(64) }), {
      ok: false,
      entries: 22,
      brokenAt: 22,
      reason: 'the anchored entry is missing or changed (entries cut from the end?)',
    });
    assert.equal((await log.verify({ id: 23, hash: anchor.hash })).ok, false, 'an anchor past the end');
  });

  it('finds the first broken link when someone with the power to drop the guard edits an entry', async () => {
    const { store } = get();
    const log = new AuditLog(store, clock);
    // Simulate an attacker with owner rights: lift the guard, rewrite entry 2, put the guard back.
    if (store.dialect === 'postgres') {
      await sql`ALTER TABLE security_audit DISABLE TRIGGER security_audit_append_only`.execute(store.db);
      await store.db.updateTable('security_audit').set({ after: '{"replayed":100}' }).where('id', '=', 2).execute();
      await sql`ALTER TABLE security_audit ENABLE TRIGGER security_audit_append_only`.execute(store.db);
    } else {
      await sql`DROP TRIGGER security_audit_no_update`.execute(store.db);
      await store.db.updateTable('security_audit').set({ after: '{"replayed":100}' }).where('id', '=', 2).execute();
    }
    const v = await log.verify();
    assert.equal(v.ok, false);
    assert.equal(v.ok === false && v.brokenAt, 2);
    assert.match(v.ok === false ? v.reason : '', /hash does not match/);
  });

  it('detects a deleted entry in the middle of the chain', async () => {
    const { store } = get();
    if (store.dialect === 'postgres') {
      await sql`ALTER TABLE security_audit DISABLE TRIGGER security_audit_append_only`.execute(store.db);
      await store.db.updateTable('security_audit').set({ after: '{"replayed":1}' }).where('id', '=', 2).execute();
      await store.db.deleteFrom('security_audit').where('id', '=', 5).execute();
      await sql`ALTER TABLE security_audit ENABLE TRIGGER security_audit_append_only`.execute(store.db);
    } else {
      await store.db.updateTable('security_audit').set({ after: '{"replayed":1}' }).where('id', '=', 2).execute();
      await sql`DROP TRIGGER security_audit_no_delete`.execute(store.db);
      await store.db.deleteFrom('security_audit').where('id', '=', 5).execute();
    }
    const v = await new AuditLog(store, clock).verify();
    assert.equal(v.ok === false && v.brokenAt, 6);
    assert.match(v.ok === false ? v.reason : '', /prev_hash/);
  });
});
