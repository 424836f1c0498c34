/**
 * `interlock secrets` as people run it: child processes, values on stdin, nothing secret on
 * stdout or stderr, nothing in clear in the database file.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli, type CliResult } from '../../../test/support/cli.ts';
import { systemClock } from '../../core/clock.ts';
import { openStore } from '../../store/open-store.ts';
import { AuditLog } from '../../security/audit-log.ts';
import { generateMasterKey, parseMasterKey } from '../../security/master-key.ts';
import { Secrets } from '../../security/secrets.ts';

const CANARY = 'canary-cli-5d1e0f77-never-printed';
const MASTER = generateMasterKey();
const NEXT = generateMasterKey();
let dir = '';

function cli(args: string[], options: { stdin?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  return runCli(args, { dir, stdin: options.stdin ?? '', env: { INTERLOCK_MASTER_KEY: MASTER, ...options.env } });
}

before(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'interlock-secrets-cli-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('interlock secrets', () => {
  const outputs: string[] = [];
  const run = async (args: string[], options?: Parameters<typeof cli>[1]) => {
    const r = await cli(args, options);
    outputs.push(r.stdout, r.stderr);
    return r;
  };

  it('sets a secret from stdin and lists names and metadata only', async () => {
    const set = await run(['secrets', 'set', 'stripe.api-key'], { stdin: `${CANARY}\n` });
    assert.equal(set.code, 0, set.stderr);
    assert.match(set.stdout, /secret stripe\.api-key set \(version 1, master key [0-9a-f]{16}\)/);
    const list = await run(['secrets', 'list', '--json']);
    assert.equal(list.code, 0, list.stderr);
    assert.deepEqual((JSON.parse(list.stdout) as Array<{ name: string; version: number }>).map((m) => [m.name, m.version]), [['stripe.api-key', 1]]);
  });

  it('refuses an empty value, a bad name and a missing master key with one line each', async () => {
    const empty = await run(['secrets', 'set', 'x'], { stdin: '' });
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /no value on stdin/);
    const bad = await run(['secrets', 'set', 'Bad Name'], { stdin: 'v' });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /secret names are/);
    const noKey = await run(['secrets', 'list'], { env: { INTERLOCK_MASTER_KEY: '' } });
    assert.equal(noKey.code, 2);
    assert.match(noKey.stderr, /no master key/);
  });

  it('rotate-master re-wraps under the new key and every secret stays readable with it', async () => {
    const missing = await run(['secrets', 'rotate-master']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /INTERLOCK_NEW_MASTER_KEY/);
    const rotated = await run(['secrets', 'rotate-master'], { env: { INTERLOCK_NEW_MASTER_KEY: NEXT } });
    assert.equal(rotated.code, 0, rotated.stderr);
    assert.match(rotated.stdout, /re-wrapped 1 data key under master key/);
    const store = await openStore({ kind: 'sqlite', sqlitePath: path.join(dir, 'interlock.db') });
    try {
      const secrets = new Secrets(store, new AuditLog(store, systemClock), systemClock, parseMasterKey(NEXT, 'next'));
      assert.equal(await secrets.reveal('stripe.api-key'), CANARY);
      const audit = await new AuditLog(store, systemClock).list();
      assert.deepEqual(audit.map((e) => e.action), ['secret.set', 'secret.master-rotated']);
      assert.ok(!JSON.stringify(audit).includes(CANARY));
    } finally {
      await store.close();
    }
  });

  it('never prints the value, and the database file never holds it in clear', () => {
    for (const text of outputs) assert.ok(!text.includes(CANARY), `printed: ${text}`);
    for (const file of ['interlock.db', 'interlock.db-wal'].map((f) => path.join(dir, f))) {
      if (existsSync(file)) assert.equal(readFileSync(file).indexOf(CANARY), -1, file);
    }
  });
});
