/**
 * `interlock demo` as a user runs it: the scenario on fresh sandboxes, the summary table, and an
 * exit code that says whether every system holds what it should.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { it } from 'node:test';
import { runCli } from '../support/cli.ts';

it('interlock demo plays the story, prints where each deal stands and exits 0 when all systems agree', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'interlock-demo-cli-'));
  try {
    const r = await runCli(['demo'], { dir });
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /marks all four Closed Won/);
    assert.match(r.stdout, /waits for a discount approval/);
    assert.match(r.stdout, /The salesperson bills the seats annually too/);
    for (const account of ['Initech Ltd', 'Globex GmbH', 'Acme Corporation', 'Umbrella Health']) {
      assert.match(r.stdout, new RegExp(`${account} — .*│  Synced  `), `${account} is in the table as Synced`);
    }
    assert.match(r.stdout, /Payment Failed/);
    assert.match(r.stdout, /✓ Every system holds what it should/);
    assert.equal(r.stderr.includes('    at '), false, 'no stack trace');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
