/**
 * The partner portal example (examples/partner-portal) run as a user runs it: `interlock start`
 * as a child process with the seeded sandboxes as its connectors (both stories: the manufacturer's
 * Dynamics 365 and SAP S/4HANA answer the checks and book the order), an operator key made through
 * the admin API, then the walk script as another process. A quote that passes every check is
 * booked as one SAP sales order, however often it is sent with its key; one SAP would refuse stops
 * at the check that says why.
 */
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { sandboxConnectors, sandboxNamed } from '../../src/demo/demo-config.ts';
import { manufacturerConnectors } from '../../src/demo/manufacturer.ts';
import { sapOrdersOf } from '../../src/flows/manufacturer/read-back.ts';
import { SapClient } from '../../src/connectors/sap/client.ts';
import type { SandboxInstance } from '../../src/sandboxes/kit/index.ts';
import { startSandboxes } from '../../src/sandboxes/registry.ts';
import { freePort, waitReady } from '../support/ports.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TOKEN = 'partner-portal-test-bootstrap-token';

/** Runs an example script; resolves with its exit code and output. */
function run(script: string, args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [script, ...args], { cwd: ROOT, env: { ...process.env, ...env }, timeout: 90_000 }, (err, stdout, stderr) =>
      resolve({ code: err === null ? 0 : Number((err as { code?: number }).code ?? 1), stdout, stderr }),
    );
  });
}

/** Runs the walk script. */
const walk = (env: Record<string, string>) => run('examples/partner-portal/walk-quote.ts', ['--json'], env);

describe('partner portal example against interlock start', { timeout: 240_000 }, () => {
  let sandboxes: SandboxInstance[] = [];
  let child: ChildProcess | undefined;
  let dir: string;
  let base: string;
  let apiKey: string;

  before(async () => {
    sandboxes = await startSandboxes({ seed: true });
    dir = mkdtempSync(path.join(tmpdir(), 'interlock-portal-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const values = {
      server: { port },
      store: { kind: 'sqlite', sqlite: { path: path.join(dir, 'interlock.db') } },
      log: { level: 'error' },
      admin: { token: TOKEN },
      outbound: { allow: ['127.0.0.1'] },
      sync: { enabled: false },
      // Both stories: the manufacturer's flow (Dynamics 365 → SAP) books what the portal submits.
      connectors: { ...(await sandboxConnectors(sandboxes)), ...(await manufacturerConnectors(sandboxNamed(sandboxes, 'dynamics'), sandboxNamed(sandboxes, 'sap'), base)) },
    };
    const configFile = path.join(dir, 'interlock.yaml');
    writeFileSync(configFile, stringify(values));
    child = spawn(process.execPath, ['bin/interlock.js', 'start', '--config', configFile], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    await waitReady(base);
    const res = await fetch(`${base}/admin/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'operator', label: 'partner-portal' }),
    });
    assert.equal(res.status, 201, await res.clone().text());
    apiKey = ((await res.json()) as { key: string }).key;
  });
  after(async () => {
    if (child !== undefined && child.exitCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    await Promise.allSettled(sandboxes.map((s) => s.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('walks a quote: account, availability, tax, credit, one order run for two submissions with one key, the run completed', async () => {
    // The salesperson's opportunity for the quote, won in Dynamics 365 (the example's win-deal.ts).
    const won = await run('examples/partner-portal/win-deal.ts', [sandboxNamed(sandboxes, 'dynamics').url], {});
    assert.equal(won.code, 0, won.stderr);
    const opportunityId = won.stdout.trim();
    assert.match(opportunityId, /^[0-9a-f-]{36}$/);
    const out = await walk({ INTERLOCK_URL: base, INTERLOCK_API_KEY: apiKey, OPPORTUNITY_ID: opportunityId });
    if (process.env['SHOW_WALK'] !== undefined) process.stderr.write(out.stdout);
    assert.equal(out.code, 0, `${out.stdout}\n${out.stderr}`);
    const lines = out.stdout.trim().split('\n');
    assert.match(lines[0]!, /^1\. Account CUST-1002 → SAP business partner 17100002 Fabrikam Industries Inc\./);
    assert.match(lines[1]!, /^2\. Availability at plant 1710: MOTOR-E15 2 of \d+ PC ✓, VALVE-BV50 10 of \d+ PC ✓$/);
    assert.match(lines[2]!, /^3\. Tax: [\d.]+ USD on 8400 \(.*MI STATE TAX 5%/);
    assert.match(lines[3]!, /^4\. Credit: within-limit, [\d.]+ USD left; an order of 8400 fits$/);
    assert.match(out.stdout, /Sent again with the same key: run \d+, the first answer — no second order/);
    const summary = JSON.parse(lines.at(-1)!) as { ok: boolean; runId: number; retriedRunId: number; status: string; total: number; tax: number };
    assert.equal(summary.ok, true);
    assert.equal(summary.status, 'completed');
    assert.equal(summary.retriedRunId, summary.runId);
    assert.equal(summary.total, 8400);
    assert.ok(summary.tax > 0);
    // The won opportunity started a run through Dynamics' webhook too; whichever came first booked
    // it, the other found it booked: every run of the key completed, and SAP holds one order.
    const runs = (await (await fetch(`${base}/admin/runs?key=${opportunityId}`, { headers: { authorization: `Bearer ${apiKey}` } })).json()) as { items: Array<{ id: number; flow: string; status: string }> };
    assert.ok(runs.items.some((r) => r.id === summary.runId));
    assert.deepEqual([...new Set(runs.items.map((r) => `${r.flow} ${r.status}`))], ['manufacturer-lead-to-order completed']);
    const sap = sandboxNamed(sandboxes, 'sap');
    const { basicAuth } = (await (await fetch(`${sap.url}/__sandbox/state`)).json()) as { basicAuth: { username: string; password: string } };
    const sapClient = new SapClient({ baseUrl: sap.url, credentials: { kind: 'basic', ...basicAuth }, allow: ['127.0.0.1'] });
    try {
      assert.equal((await sapOrdersOf(sapClient, opportunityId)).length, 1, 'one SAP sales order for the opportunity');
    } finally {
      await sapClient.close();
    }
  });

  it('stops at the check that refuses the quote, with the reasons, and submits nothing', async () => {
    // CUST-1003 buys in GBP: the account check refuses a USD order in its sales area.
    const out = await walk({ INTERLOCK_URL: base, INTERLOCK_API_KEY: apiKey, ACCOUNT: 'CUST-1003' });
    assert.equal(out.code, 2, `${out.stdout}\n${out.stderr}`);
    assert.match(out.stdout, /✗ the account cannot take this order:\n\s+· Business partner 17100003 \(CUST-1003\) buys in GBP, not USD/);
    assert.doesNotMatch(out.stdout, /Submitted/);
  });
});
