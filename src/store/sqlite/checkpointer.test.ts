import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { it } from 'node:test';
import { sql } from 'kysely';
import { openSqliteStore } from './sqlite-store.ts';

it('the WAL is checkpointed on a worker thread, not by commits on the event loop', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'interlock-ckpt-'));
  const file = path.join(dir, 'x.db');
  const store = openSqliteStore(file);
  try {
    const { rows } = await sql<{ wal_autocheckpoint: number }>`PRAGMA wal_autocheckpoint`.execute(store.db);
    assert.equal(rows[0]!.wal_autocheckpoint, 0, 'commits never checkpoint');
    await sql`CREATE TABLE t (a TEXT)`.execute(store.db);
    const before = statSync(file).size;
    const blob = 'x'.repeat(4000);
    for (let i = 0; i < 300; i++) await store.transaction((trx) => sql`INSERT INTO t (a) VALUES (${blob})`.execute(trx), { durable: false });
    // Only a checkpoint moves pages from the WAL into the database file.
    for (let i = 0; i < 200 && statSync(file).size <= before + 300 * 4000; i++) await new Promise((r) => setTimeout(r, 25));
    assert.ok(statSync(file).size > before + 300 * 4000, `the database file grew from ${before} to ${statSync(file).size} bytes`);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
