/**
 * `npm start` on a fresh clone — `interlock start` with no configuration file, in an empty folder
 * — as the README's Quick start promises: both stories played live on the seeded sandboxes, each
 * ending with every system holding what it should; the banner naming both stories' flows; a
 * second start on the same data playing again with new deals, the plant's stock where the seed put
 * it (the story restocks what it ships); a clean, prompt stop on SIGTERM.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { it } from 'node:test';
import { sapSandbox } from '../../src/sandboxes/sap/sap-sandbox.ts';
import { SEED_MATERIALS } from '../../src/sandboxes/sap/seed.ts';
import { freePort } from '../support/ports.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/interlock.js');

/** Runs `interlock start <args>` in `cwd` until its banner is out, then stops it with SIGTERM. */
async function startAndStop(cwd: string, args: string[]): Promise<{ stdout: string; stderr: string; code: number | null; stopMs: number }> {
  const port = await freePort();
  const child = spawn(process.execPath, [BIN, 'start', ...args], { cwd, env: { ...process.env, INTERLOCK_PORT: String(port) } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 150_000;
  while (!stdout.includes('Stop with Ctrl-C') && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const stopping = Date.now();
  child.kill('SIGTERM');
  const code = await exited;
  return { stdout, stderr, code, stopMs: Date.now() - stopping };
}

it('npm start with no configuration plays both stories live, serves, plays again on the same data, and stops promptly', { timeout: 360_000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'interlock-start-'));
  try {
    const first = await startAndStop(dir, ['--no-sample']);
    assert.equal(first.stderr.includes('    at '), false, `no stack trace:\n${first.stderr}`);
    assert.match(first.stdout, /The first story, live: Salesforce → NetSuite and Stripe/);
    assert.match(first.stdout, /The manufacturer story, live: Dynamics 365 → SAP S\/4HANA/);
    assert.equal(first.stdout.match(/Every system holds what it should/g)?.length, 2, first.stdout);
    for (const deal of ['Contoso', 'Fabrikam', 'Adventure Works']) assert.match(first.stdout, new RegExp(`${deal} — .*│  Synced +│  \\d+ +│  Shipped `));
    assert.match(first.stdout, /manufacturer lead-to-order \(Dynamics 365 won → SAP S\/4HANA\)/);
    assert.match(first.stdout, /dynamics +http:\/\/127\.0\.0\.1:\d+/);
    assert.match(first.stdout, /Canonical events .* analytics sink/);
    assert.equal(first.code, 0);
    // Closing waits for nothing long (a CDC long poll in flight is cut after a short grace).
    assert.ok(first.stopMs < 8_000, `stopped in ${first.stopMs} ms`);

    // The same folder again: the sandboxes' state is kept, and the stories book new deals.
    const again = await startAndStop(dir, ['--no-sample', '--story', 'manufacturer']);
    assert.doesNotMatch(again.stdout, /The first story, live/);
    assert.equal(again.stdout.match(/Every system holds what it should/g)?.length, 1, again.stdout);
    const orders = (out: string) => [...out.matchAll(/Dynamics Synced · SAP sales order (\d+)/g)].map((m) => m[1]);
    assert.equal(orders(again.stdout).length, 3);
    assert.equal(orders(again.stdout).filter((o) => orders(first.stdout).includes(o)).length, 0, 'new orders, not the last run\'s');

    // Played twice, the story has shipped six orders: the plant still has what the seed put there
    // (nothing is left open to hold any of it), so the demo can be played any number of times.
    const sap = await sapSandbox.start({ statePath: path.join(dir, 'data/sandboxes/sap.sqlite') });
    try {
      const { basicAuth } = (await (await fetch(`${sap.url}/__sandbox/state`)).json()) as { basicAuth: { username: string; password: string } };
      const authorization = `Basic ${Buffer.from(`${basicAuth.username}:${basicAuth.password}`).toString('base64')}`;
      for (const [material, , , seeded] of SEED_MATERIALS) {
        const res = await fetch(`${sap.url}/sap/opu/odata/sap/API_PRODUCT_AVAILY_INFO_BASIC/DetermineAvailabilityAt?SupplyingPlant='1710'&Material='${material}'&ATPCheckingRule='A'`, { headers: { authorization, accept: 'application/json' } });
        const available = ((await res.json()) as { d: { results: Array<{ AvailableQuantityInBaseUnit: string }> } }).d.results[0]?.AvailableQuantityInBaseUnit;
        assert.equal(Number(available), seeded, `${material} available after two plays`);
      }
    } finally {
      await sap.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('interlock start refuses an unknown story, naming the ones it knows', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'interlock-start-'));
  try {
    const child = spawn(process.execPath, [BIN, 'start', '--story', 'retail'], { cwd: dir });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.notEqual(code, 0);
    assert.match(stderr, /--story must be one of both, first, manufacturer, got "retail"/);
    assert.equal(stderr.includes('    at '), false, 'no stack trace');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
