/**
 * `interlock keys` as people run it: a key shown once on stdout, listed without the key, revoked.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli, type CliResult } from '../../../test/support/cli.ts';

let dir = '';

function cli(args: string[]): Promise<CliResult> {
  return runCli(args, { dir });
}

before(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'interlock-keys-cli-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('interlock keys', () => {
  it('creates a key shown once on stdout, lists it without the key, and revokes it', async () => {
    const created = await cli(['keys', 'create', '--role', 'operator', '--label', 'ci', '--expires', '30d']);
    assert.equal(created.code, 0, created.stderr);
    const key = created.stdout.trim();
    assert.match(key, /^ilk_live_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    assert.match(created.stderr, /shown once/);
    const list = await cli(['keys', 'list', '--json']);
    const items = JSON.parse(list.stdout) as Array<{ id: string; role: string; label: string; expiresAt: number; revokedAt: number | null }>;
    assert.equal(items.length, 1);
    assert.deepEqual([items[0]!.role, items[0]!.label, items[0]!.revokedAt], ['operator', 'ci', null]);
    assert.ok(items[0]!.expiresAt > Date.now() + 29 * 86_400_000);
    assert.ok(!list.stdout.includes(key));
    const revoked = await cli(['keys', 'revoke', items[0]!.id]);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.match(revoked.stdout, /revoked key [0-9a-f]{12} \(operator\)/);
    assert.ok(((JSON.parse((await cli(['keys', 'list', '--json'])).stdout) as Array<{ revokedAt: number | null }>)[0]!.revokedAt ?? 0) > 0);
  });

  it('refuses a bad role, a bad expiry and an unknown id', async () => {
    const role = await cli(['keys', 'create', '--role', 'root']);
    assert.equal(role.code, 2);
    assert.match(role.stderr, /--role must be/);
    const exp = await cli(['keys', 'create', '--role', 'viewer', '--expires', 'someday']);
    assert.equal(exp.code, 2);
    assert.match(exp.stderr, /--expires must be/);
    const unknown = await cli(['keys', 'revoke', 'nope']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no API key with id "nope"/);
  });
});
