/**
 * `interlock reconcile` and `interlock sync` as a user runs them, against the seeded sandboxes,
 * configured by a file: reports in every format, healing with and without approval, run
 * history, one-line errors.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startSandboxes, type Sandboxes } from '../../src/flows/lead-to-order/test-support.ts';
import { connectSystems } from '../../src/sync/systems/systems.ts';
import { runCli } from '../support/cli.ts';
import { accountIds, createWonDeal } from './support/data-set.ts';

let sandboxes: Sandboxes;
let dir: string;
let config: string;

before(async () => {
  sandboxes = await startSandboxes();
  dir = mkdtempSync(path.join(tmpdir(), 'interlock-cli-sync-'));
  config = path.join(dir, 'interlock.yaml');
  const o = sandboxes.options;
  const netsuite = o.netsuite.credentials;
  const sf = o.salesforce.credentials as { clientId: string; clientSecret: string };
  writeFileSync(
    config,
    JSON.stringify({
      outbound: { allow: ['127.0.0.1'] },
      connectors: {
        salesforce: { loginUrl: o.salesforce.loginUrl, clientId: sf.clientId, clientSecret: sf.clientSecret, changeDataCapture: { enabled: false } },
        netsuite: { baseUrl: o.netsuite.baseUrl, clientId: netsuite.clientId, certificateId: netsuite.certificateId, privateKey: String(netsuite.privateKey), algorithm: netsuite.algorithm ?? 'ES256' },
        stripe: { secretKey: o.stripe.secretKey, baseUrl: o.stripe.baseUrl },
        avalara: { accountId: o.avalara.accountId, licenseKey: o.avalara.licenseKey, baseUrl: o.avalara.baseUrl },
      },
    }),
  );
});

after(async () => {
  await sandboxes.close();
  rmSync(dir, { recursive: true, force: true });
});

const cli = (...args: string[]) => runCli([...args, '-c', config], { dir });

describe('interlock reconcile and sync', () => {
  it('reports a job as JSON, heals its safe classes, then reports the rest as CSV and a table', { timeout: 300_000 }, async () => {
    const json = await cli('reconcile', 'customers', '--format', 'json');
    assert.equal(json.code, 0, json.stderr);
    const report = JSON.parse(json.stdout) as { run: { kinds: Record<string, number> }; discrepancies: Array<{ kind: string; system: string }> };
    assert.deepEqual(report.run.kinds, { missing: 8, orphan: 2 });
    assert.equal(report.discrepancies.length, 10);

    const healed = await cli('reconcile', 'customers', '--heal');
    assert.equal(healed.code, 0, healed.stderr);
    assert.match(healed.stdout, /healed 8, failed 0, waiting for approval 0, for a person 2/);

    const csv = await cli('reconcile', 'customers', '--format', 'csv', '--fail-on-drift');
    assert.equal(csv.code, 1, 'drift left: the orphans');
    const lines = csv.stdout.trimEnd().split('\r\n');
    assert.equal(lines[0], 'id,kind,key,system,record_ids,field,expected,actual,heal_status,heal_detail');
    assert.deepEqual(lines.slice(1).map((l) => l.split(',').slice(1, 4).join(' ')), ['orphan ACME-001 netsuite', 'orphan GLOBEX-002 netsuite']);

    const list = await cli('reconcile', 'list', '--job', 'customers');
    assert.equal(list.code, 0, list.stderr);
    assert.equal(list.stdout.match(/customers/g)?.length, 3);
  });

  it('waits for approval before booking a missing deal, then books it once', { timeout: 300_000 }, async () => {
    const systems = connectSystems(sandboxes.options);
    const accounts = await accountIds(systems);
    await createWonDeal(systems, accounts['Initech Ltd'] ?? '', 'Initech - CLI', [['SUPPORT-PREM', 2, 'Monthly']]);
    const run = await cli('reconcile', 'deals', '--heal');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /waiting for approval 2/);
    const ids = [...run.stdout.matchAll(/│\s+\d+\s+│\s+(\d+)\s+│\s+'missing'/g)].map((m) => m[1] ?? '');
    assert.equal(ids.length, 2, run.stdout);
    for (const id of ids) {
      const approved = await cli('reconcile', 'approve', id);
      assert.equal(approved.code, 0, approved.stderr);
      assert.match(approved.stdout, new RegExp(`discrepancy ${id} healed`));
      const again = await cli('reconcile', 'approve', id);
      assert.notEqual(again.code, 0);
      assert.match(again.stderr, /is healed; only one waiting for approval/);
      assert.doesNotMatch(again.stderr, /\n\s+at /, 'no stack trace');
    }
    const clean = await cli('reconcile', 'deals', '--fail-on-drift');
    assert.equal(clean.code, 0, clean.stdout);
    assert.match(clean.stdout, /0 discrepancies/);
  });

  it('runs a sync now, lists its schedule and last run, and names what is wrong in one line', { timeout: 300_000 }, async () => {
    const run = await cli('sync', 'run', 'customers', '--batch-size', '2');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /sync customers: 4 read, 4 written, 0 deleted, 0 skipped in 2 batches/);
    const list = await cli('sync', 'list', '--json');
    const rows = JSON.parse(list.stdout) as Array<{ sync: string; last: string }>;
    assert.equal(rows.find((r) => r.sync === 'customers')?.last, 'ok');
    for (const [args, message] of [
      [['reconcile', 'customers', '--format', 'xml'], /--format must be table, csv or json, got "xml"/],
      [['reconcile', 'ledgers'], /no reconciliation job "ledgers"; jobs: customers, deals, invoices/],
      [['sync', 'run', 'orders'], /no sync "orders"; syncs: customers, products, price-books/],
    ] as const) {
      const bad = await cli(...args);
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr, message);
      assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
    }
  });
});
