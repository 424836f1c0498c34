/**
 * `interlock demo --story manufacturer` as a user runs it: Dynamics 365 → SAP S/4HANA on fresh
 * sandboxes, the table of where each deal stands, and an exit code that says whether every system
 * holds what it should; an unknown story is refused.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { it } from 'node:test';
import { runCli } from '../support/cli.ts';

it('interlock demo --story manufacturer books each won opportunity once in SAP, feeds SAP back to Dynamics and exits 0', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'interlock-demo-mfg-'));
  try {
    const r = await runCli(['demo', '--story', 'manufacturer'], { dir });
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    for (const deal of ['Contoso', 'Fabrikam', 'Adventure Works']) {
      assert.match(r.stdout, new RegExp(`${deal} — .*│  Synced    │  \\d+ +│  Shipped `), `${deal} is in the table, synced and shipped`);
    }
    assert.match(r.stdout, /Fabrikam — .*│ {2}Paid/);
    assert.match(r.stdout, /✓ Every system holds what it should: 3 won opportunities booked once each in SAP/);
    assert.equal(r.stderr.includes('    at '), false, 'no stack trace');
    const bad = await runCli(['demo', '--story', 'retail'], { dir });
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /--story must be first or manufacturer/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
