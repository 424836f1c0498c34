import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { WalSync, walFsync } from './wal-sync.ts';
import { openSqliteStore } from './sqlite-store.ts';

/** An fsync that finishes when the test says so, recording when each one started. */
function controlledFsync() {
  const started: Array<{ finish: () => void; fail: (e: Error) => void }> = [];
  const fsync = () =>
    new Promise<void>((resolve, reject) => {
      started.push({ finish: resolve, fail: reject });
    });
  return { fsync, started };
}

describe('WalSync', () => {
  it('a caller arriving during an fsync waits for the next one, which everyone arriving meanwhile shares', async () => {
    const { fsync, started } = controlledFsync();
    const wal = new WalSync(fsync);
    const done: string[] = [];
    const first = wal.sync().then(() => done.push('first'));
    assert.equal(started.length, 1);
    const second = wal.sync().then(() => done.push('second'));
    const third = wal.sync().then(() => done.push('third'));
    assert.equal(started.length, 1, 'no second fsync while one is under way');
    started[0]!.finish();
    await first;
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(done, ['first'], 'the later callers are not answered by an fsync that began before them');
    assert.equal(started.length, 2, 'one more fsync for both later callers');
    started[1]!.finish();
    await Promise.all([second, third]);
    assert.deepEqual(done, ['first', 'second', 'third']);
    assert.equal(wal.count, 2);
  });

  it('a failed fsync rejects its callers; the next caller gets a fresh one', async () => {
    const { fsync, started } = controlledFsync();
    const wal = new WalSync(fsync);
    const a = wal.sync();
    const b = wal.sync();
    started[0]!.fail(new Error('EIO'));
    await assert.rejects(a, /EIO/);
    await new Promise((r) => setImmediate(r));
    started[1]!.finish();
    await b;
    const c = wal.sync();
    started[2]!.finish();
    await c;
    assert.equal(started.length, 3);
  });

  it('flushes the WAL of a real database, the database file before there is a WAL, and refuses once closed', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'interlock-wal-'));
    try {
      const file = path.join(dir, 'x.db');
      const none = walFsync(file);
      await assert.rejects(none.fsync(), /ENOENT/, 'nothing to flush is an error, not a silent success');
      const store = openSqliteStore(file);
      const early = walFsync(file);
      await early.fsync(); // no WAL before the first write: the database file
      await store.transaction((trx) => trx.schema.createTable('t').addColumn('a', 'integer').execute());
      await early.fsync();
      await early.close();
      await assert.rejects(early.fsync(), /closed/);
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
