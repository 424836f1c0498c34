import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { it } from 'node:test';
import { ManualClock } from '../core/clock.ts';
import { describeEachStore } from '../../test/support/stores.ts';
import { AuditLog } from './audit-log.ts';
import { dataKeyAad, open, seal, valueAad } from './envelope.ts';
import { generateMasterKey, loadMasterKey, parseMasterKey } from './master-key.ts';
import { resolveSecretRefs } from './secret-refs.ts';
import { Secrets } from './secrets.ts';

const CANARY = 'canary-7f3a9c1e-do-not-leak-4b2d';

/** Every message, detail and cause text of an error, for leak checks. */
function errorText(err: unknown): string {
  const e = err as Error & { details?: unknown; cause?: unknown };
  return `${e.message} ${JSON.stringify(e.details ?? {})} ${e.cause === undefined ? '' : errorText(e.cause)}`;
}

describeEachStore('secrets', (get) => {
  const clock = new ManualClock();
  const master = parseMasterKey(generateMasterKey(), 'test key');
  const secretsOf = (key = master) => new Secrets(get().store, new AuditLog(get().store, clock), clock, key);

  it('stores a value encrypted and reveals it; listing shows names and metadata only', async () => {
    const s = secretsOf();
    const meta = await s.set('stripe.api-key', CANARY, 'cli:test');
    assert.deepEqual({ name: meta.name, version: meta.version, masterKeyId: meta.masterKeyId }, { name: 'stripe.api-key', version: 1, masterKeyId: master.id });
    assert.equal(await s.reveal('stripe.api-key'), CANARY);
    await s.set('hubspot', 'hubspot-client-secret', 'cli:test');
    const listed = await s.list();
    assert.deepEqual(listed.map((m) => m.name), ['hubspot', 'stripe.api-key']);
    assert.doesNotMatch(JSON.stringify(listed), /canary|hubspot-client-secret/);
  });

  it('setting again makes a new version under a new data key, and audits it without the value', async () => {
    const s = secretsOf();
    const { db } = get().store;
    const before = await db.selectFrom('secrets').selectAll().where('name', '=', 'stripe.api-key').executeTakeFirstOrThrow();
    const meta = await s.set('stripe.api-key', CANARY, 'cli:test');
    assert.equal(meta.version, 2);
    const after = await db.selectFrom('secrets').selectAll().where('name', '=', 'stripe.api-key').executeTakeFirstOrThrow();
    assert.notEqual(after.wrapped_key, before.wrapped_key);
    assert.notEqual(after.ciphertext, before.ciphertext);
    const audit = await new AuditLog(get().store, clock).list();
    assert.deepEqual(audit.filter((e) => e.target === 'secret:stripe.api-key').map((e) => e.action), ['secret.set', 'secret.rotated']);
  });

  it('refuses tampered ciphertext and a ciphertext moved to another name', async () => {
    const { db } = get().store;
    const s = secretsOf();
    const row = await db.selectFrom('secrets').selectAll().where('name', '=', 'stripe.api-key').executeTakeFirstOrThrow();
    // Swap the whole sealed pair onto another name: the associated data no longer matches.
    await db.updateTable('secrets').set({ ciphertext: row.ciphertext, wrapped_key: row.wrapped_key, master_key_id: row.master_key_id }).where('name', '=', 'hubspot').execute();
    await assert.rejects(s.reveal('hubspot'), (err: unknown) => {
      assert.match((err as Error).message, /failed authentication/);
      assert.ok(!errorText(err).includes(CANARY));
      return true;
    });
    // Flip one bit of the value's ciphertext.
    const bytes = Buffer.from(row.ciphertext, 'base64');
    bytes[20] = bytes[20]! ^ 1;
    await db.updateTable('secrets').set({ ciphertext: bytes.toString('base64') }).where('name', '=', 'stripe.api-key').execute();
    await assert.rejects(s.reveal('stripe.api-key'), /failed authentication/);
    await s.set('stripe.api-key', CANARY, 'cli:test');
    await s.set('hubspot', 'hubspot-client-secret', 'cli:test');
  });

  it('opens nothing with the wrong associated data or the wrong key (envelope level)', () => {
    const key = Buffer.alloc(32, 7);
    const sealed = seal(Buffer.from(CANARY), key, valueAad('a'));
    assert.equal(open(sealed, key, valueAad('a')).toString(), CANARY);
    assert.throws(() => open(sealed, key, valueAad('b')), /failed authentication/);
    assert.throws(() => open(sealed, key, dataKeyAad('a')), /failed authentication/);
    assert.throws(() => open(sealed, Buffer.alloc(32, 8), valueAad('a')), /failed authentication/);
    assert.throws(() => open(Buffer.alloc(5), key, valueAad('a')), /failed authentication/);
  });

  it('rotating the master key re-wraps every data key, keeps every value readable, and leaves values untouched', async () => {
    const { db } = get().store;
    const before = await db.selectFrom('secrets').selectAll().orderBy('name').execute();
    const next = parseMasterKey(generateMasterKey(), 'next key');
    const result = await secretsOf().rotateMaster(next, 'cli:test');
    assert.equal(result.rewrapped, before.length);
    const after = await db.selectFrom('secrets').selectAll().orderBy('name').execute();
    assert.deepEqual(after.map((r) => r.ciphertext), before.map((r) => r.ciphertext), 'values are not re-encrypted');
    assert.ok(after.every((r, i) => r.wrapped_key !== before[i]!.wrapped_key && r.master_key_id === next.id));
    const rotated = secretsOf(next);
    assert.equal(await rotated.reveal('stripe.api-key'), CANARY);
    assert.equal(await rotated.reveal('hubspot'), 'hubspot-client-secret');
    await assert.rejects(secretsOf().reveal('hubspot'), /wrapped by master key/);
    assert.deepEqual(await rotated.rotateMaster(next, 'cli:test'), { rewrapped: 0 }, 'running it again is harmless');
    // Rotate back so the remaining tests use the first key.
    await rotated.rotateMaster(master, 'cli:test');
  });

  it('resolves secret:// references in configuration and names the key of an unknown one', async () => {
    const s = secretsOf();
    const config = Object.freeze({ destinations: { erp: { headers: { authorization: 'secret://stripe.api-key', accept: 'application/json' } } }, list: ['secret://hubspot'] });
    const resolved = await resolveSecretRefs(config, (n) => s.reveal(n));
    assert.equal(resolved.destinations.erp.headers.authorization, CANARY);
    assert.equal(resolved.destinations.erp.headers.accept, 'application/json');
    assert.deepEqual(resolved.list, ['hubspot-client-secret']);
    assert.equal(config.destinations.erp.headers.authorization, 'secret://stripe.api-key', 'the original is left alone');
    await assert.rejects(resolveSecretRefs({ a: { b: 'secret://nope' } }, (n) => s.reveal(n)), /config key "a\.b" refers to secret "nope"/);
  });

  it('never writes the canary in clear: not in the audit log, not in the database tables, not in the SQLite file', async () => {
    const { store, config } = get();
    const audit = await new AuditLog(store, clock).list({ limit: 10_000 });
    assert.ok(!JSON.stringify(audit).includes(CANARY), 'audit log');
    assert.equal((await new AuditLog(store, clock).verify()).ok, true);
    const rows = await store.db.selectFrom('secrets').selectAll().execute();
    const dump = JSON.stringify(rows);
    assert.ok(!dump.includes(CANARY) && !dump.includes(Buffer.from(CANARY).toString('base64')), 'secrets table');
    if (config.kind === 'sqlite') {
      for (const file of [config.sqlitePath, `${config.sqlitePath}-wal`]) {
        if (!existsSync(file)) continue;
        const bytes = readFileSync(file);
        assert.equal(bytes.indexOf(CANARY), -1, `${file} holds the canary in clear`);
        assert.equal(bytes.indexOf(Buffer.from(CANARY).toString('base64')), -1, `${file} holds the canary in base64`);
      }
    }
  });
});

it('loads the master key from the environment or a key file, and says what is wrong without echoing it', () => {
  const key = generateMasterKey();
  assert.equal(loadMasterKey({ INTERLOCK_MASTER_KEY: key }).bytes.length, 32);
  assert.throws(() => loadMasterKey({}), /no master key: set INTERLOCK_MASTER_KEY/);
  assert.throws(() => loadMasterKey({ INTERLOCK_MASTER_KEY: 'short-secretish' }), (err: unknown) => {
    assert.match((err as Error).message, /INTERLOCK_MASTER_KEY must be 32 bytes in base64/);
    assert.ok(!(err as Error).message.includes('short-secretish'));
    return true;
  });
  assert.throws(() => loadMasterKey({ INTERLOCK_MASTER_KEY_FILE: '/nonexistent/key' }), /cannot read the master key file/);
});
