/**
 * The `interlock` command as a user runs it: help on every command, one readable line (no stack
 * trace) and a non-zero exit for bad configuration or arguments, and dead letters from the CLI.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { ManualClock } from '../../src/core/clock.ts';
import { CompletionRecorder } from '../../src/engine/completions.ts';
import { claimMessages } from '../../src/engine/claims.ts';
import { enqueue } from '../../src/engine/outbox.ts';
import { openStore } from '../../src/store/open-store.ts';
import { destination, message } from '../support/engine-fixtures.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/interlock.js');
const run = (args: string[], cwd: string) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, INTERLOCK_LOG_LEVEL: 'silent' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

describe('interlock CLI', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'interlock-cli-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('prints help for the program and for each command', () => {
    const top = run(['--help'], dir);
    assert.equal(top.code, 0);
    for (const c of ['start', 'worker', 'dlq', 'migrate', 'sandbox']) assert.match(top.out, new RegExp(`\\b${c}\\b`));
    for (const c of [['start'], ['worker'], ['dlq', 'list'], ['dlq', 'replay'], ['migrate']]) {
      const r = run([...c, '--help'], dir);
      assert.equal(r.code, 0, c.join(' '));
      assert.match(r.out, /Usage: interlock/);
    }
  });

  it('stops on a bad config value with one line naming the file, key, value and expectation', () => {
    const file = path.join(dir, 'bad.yaml');
    writeFileSync(file, stringify({ server: { port: 'eighty' } }));
    const r = run(['migrate', '--config', file], dir);
    assert.equal(r.code, 2);
    assert.equal(r.err.trim(), `interlock: ${file}: key "server.port" has "eighty"; expected an integer ≥ 0 and ≤ 65535`);
    assert.doesNotMatch(r.err, /\n\s+at /);
  });

  it('names a missing config file', () => {
    const r = run(['worker', '--config', path.join(dir, 'nope.yaml')], dir);
    assert.equal(r.code, 2);
    assert.match(r.err, /config file .*nope\.yaml does not exist/);
  });

  it('lists, shows, replays and discards dead letters from the store', async () => {
    const db = path.join(dir, 'dlq.db');
    const file = path.join(dir, 'interlock.yaml');
    writeFileSync(file, stringify({ store: { sqlite: { path: db } } }));
    const store = await openStore({ kind: 'sqlite', sqlitePath: db });
    const clock = new ManualClock();
    await store.transaction((trx) => enqueue(trx, [message('erp', 'A', 1), message('erp', 'B', 2)], clock.now()));
    const claimed = await claimMessages(store, 'erp', destination(), 'w', 10, clock.now(), 10_000);
    const recorder = new CompletionRecorder({ store, clock, destinations: { erp: destination() }, worker: 'w' });
    for (const m of claimed.messages) await recorder.record({ message: m, outcome: { ok: false, failure: 'permanent', reason: 'HTTP 422', status: 422 } });
    await store.close();

    const list = run(['dlq', 'list', '--json'], dir);
    assert.equal(list.code, 0, list.err);
    const items = JSON.parse(list.out) as Array<{ id: number; destination: string }>;
    assert.equal(items.length, 2);
    assert.equal(run(['dlq', 'show', String(items[0]!.id)], dir).code, 0);
    const none = run(['dlq', 'replay'], dir);
    assert.equal(none.code, 2);
    assert.match(none.err, /replay needs an id or a filter/);
    assert.match(run(['dlq', 'replay', String(items[0]!.id)], dir).out, /replayed 1 dead letter\n/);
    assert.match(run(['dlq', 'discard', '--destination', 'erp'], dir).out, /discarded 1 dead letter\n/);
    assert.match(run(['dlq', 'list'], dir).out, /no dead letters match/);
    assert.match(run(['dlq', 'show', 'x'], dir).err, /id must be a positive whole number, got "x"/);
    assert.match(run(['dlq', 'list', '--since', 'yesterday'], dir).err, /--since must be an ISO date-time/);
  });
});
