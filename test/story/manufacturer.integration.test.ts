/**
 * The manufacturer story end to end, on both stores, the way it runs in production: `interlock
 * start` as a child process with the Dynamics 365, SAP S/4HANA and Avalara sandboxes as its
 * systems — Dataverse change notifications in through the webhook Interlock registers at start,
 * SAP business events in through Event Mesh — and everything going wrong at once: notifications
 * from both delivered twice and out of order, a 429 storm at Dataverse while the deals book, a
 * business partner changed by someone else between Interlock's read and write (stale ETag), the
 * CSRF sessions expired and the worker SIGKILLed mid-flow. At the end: exactly one SAP sales order
 * per won opportunity, the order numbers and statuses right in Dynamics, shipments, invoices and a
 * payment fed back, and the canonical events published.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { stringify } from 'yaml';
import { queryRecords } from '../../src/connectors/dynamics/actions/query-records.ts';
import { SANDBOX_APP } from '../../src/connectors/dynamics/test-support.ts';
import { sapAdmin } from '../../src/connectors/sap/test-support.ts';
import { systemClock } from '../../src/core/clock.ts';
import { FlowRuntime } from '../../src/engine/flows/runtime.ts';
import { builtInFlows } from '../../src/flows/index.ts';
import { buildManufacturerDeps, type ManufacturerDeps } from '../../src/flows/manufacturer/deps.ts';
import { MANUFACTURER_LEAD_TO_ORDER_FLOW } from '../../src/flows/manufacturer/flow.ts';
import {
  integrationColumns,
  patchRow,
  sapOrdersOf,
  seededAccount,
  seededOpportunity,
  startManufacturerSandboxes,
  winOpportunity,
  type ManufacturerSandboxes,
} from '../../src/flows/manufacturer/test-support.ts';
import { startSink, type Sink } from '../../src/sandboxes/sink/sink.ts';
import { silentLog } from '../support/engine-fixtures.ts';
import { describeEachStore } from '../support/stores.ts';
import { freePort, waitReady } from '../support/ports.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/interlock.js');
const DEALS = ['OPP-1', 'OPP-2', 'OPP-3'] as const;
const MESH_SECRET = 'Bearer interlock-mesh-secret';

describeEachStore('the manufacturer story end to end, with faults and a crash', (get) => {
  let sandboxes: ManufacturerSandboxes;
  let deps: ManufacturerDeps;
  let sink: Sink;
  let dir: string;

  before(async () => {
    sandboxes = await startManufacturerSandboxes();
    deps = await buildManufacturerDeps(sandboxes.options);
    sink = await startSink();
    dir = mkdtempSync(path.join(tmpdir(), 'interlock-manufacturer-'));
  });
  after(async () => {
    await deps?.close();
    await sink?.close();
    await sandboxes?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const faults = async (sandbox: { url: string }, settings: Record<string, unknown>) => {
    const res = await fetch(`${sandbox.url}/__sandbox/faults`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify(settings) });
    assert.equal(res.status, 200, await res.text());
  };

  /** Polls `check` every 250 ms until it holds; the last failure explains a timeout. */
  const until = async (what: string, check: () => Promise<void>, timeoutMs = 120_000): Promise<void> => {
    const end = Date.now() + timeoutMs;
    for (;;) {
      try {
        await check();
        return;
      } catch (err) {
        if (Date.now() > end) throw new Error(`${what} did not happen in ${timeoutMs / 1000} s: ${(err as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  };

  it('books each won opportunity once in SAP and feeds shipments and invoices back, through duplicates, reordering, a 429 storm, a stale ETag, CSRF expiry and a SIGKILL', { timeout: 400_000 }, async (t) => {
    await sandboxes.reset();
    const { config: storeConfig, store } = get();
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const sapState = (await (await fetch(`${sandboxes.sap.url}/__sandbox/state`)).json()) as { basicAuth: { username: string; password: string } };
    const values = {
      server: { port },
      store: storeConfig.kind === 'sqlite' ? { kind: 'sqlite', sqlite: { path: storeConfig.sqlitePath } } : { kind: 'postgres', postgres: { url: storeConfig.postgresUrl } },
      log: { level: 'error' },
      outbound: { allow: ['127.0.0.1'] },
      worker: { lease: '3s', poll: '100ms' },
      connectors: {
        dynamics: {
          environmentUrl: sandboxes.dynamics.url, loginUrl: sandboxes.dynamics.url, ...SANDBOX_APP,
          webhook: { key: 'interlock-webhook-key', url: `${base}/hooks/dynamics` },
        },
        sap: { baseUrl: sandboxes.sap.url, ...sapState.basicAuth, eventMesh: { secret: MESH_SECRET } },
        avalara: { accountId: '2001', licenseKey: 'interlock-demo-license', baseUrl: sandboxes.avalara.url },
      },
      flows: { manufacturer: { publishTo: 'analytics' } },
      destinations: { analytics: { url: `${sink.url}/ok`, timeout: '1s' } },
    };
    const configFile = path.join(dir, `interlock-${storeConfig.kind}.yaml`);
    writeFileSync(configFile, stringify(values));
    await sapAdmin(sandboxes.sap, 'event-subscriptions', { url: `${base}/hooks/sap`, headers: { authorization: MESH_SECRET } });

    let child: ChildProcess | undefined;
    const spawnChild = async () => {
      child = spawn(process.execPath, [BIN, 'start', '--config', configFile], { stdio: ['ignore', 'ignore', 'inherit'] });
      await waitReady(base);
    };
    await spawnChild();
    // start registers /hooks/dynamics with Dataverse once it listens.
    await until('the Dynamics webhook registration', async () => {
      for await (const row of queryRecords(deps.dynamics, { entitySet: 'sdkmessageprocessingsteps', select: ['name'], filter: "name eq 'Interlock: Update of account'" })) if (row) return;
      throw new Error('no step yet');
    }, 30_000);

    // Bad input at the two intakes: clear problem+json answers, nothing stored.
    const post = (url: string, body: string, headers: Record<string, string> = {}) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    for (const [res, status] of [
      [await post(`${base}/hooks/dynamics?code=wrong`, '{}'), 401],
      [await post(`${base}/hooks/dynamics?code=interlock-webhook-key`, '{"MessageName":"Update"}'), 400],
      [await post(`${base}/hooks/sap`, '{}', { authorization: 'Bearer wrong' }), 401],
      [await post(`${base}/hooks/sap`, '{"specversion":"0.3"}', { authorization: MESH_SECRET }), 400],
    ] as const) {
      assert.equal(res.status, status, await res.clone().text());
      assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/);
    }
    const unknown = await post(`${base}/hooks/sap`, JSON.stringify({ specversion: '1.0', id: 'x-1', type: 'sap.s4.beh.product.v1.Product.Changed.v1', source: '/s4', data: {} }), { authorization: MESH_SECRET });
    assert.deepEqual([unknown.status, await unknown.json()], [202, { eventId: 'x-1', ignored: true }]);

    await faults(sandboxes.dynamics, { duplicateEventRate: 0.5, outOfOrderEvents: true });
    // Latency spreads the bookings out, so the kill below finds one deal booked and another not.
    await faults(sandboxes.sap, { duplicateEventRate: 0.5, outOfOrderEvents: true, latencyMs: 150 });
    // Fabrikam's name changed in the CRM: booking updates its business partner, which someone
    // else saves in between (412 on Interlock's first If-Match).
    await patchRow(deps.dynamics, 'accounts', seededAccount('CUST-1002'), { name: 'Fabrikam Industries Incorporated' });
    await sapAdmin(sandboxes.sap, 'concurrent-edits', { count: 1 });

    const ids = DEALS.map((d) => seededOpportunity(d));
    for (const id of ids) await winOpportunity(deps.dynamics, id);
    // The deals are won: Dataverse starts refusing with 429s.
    await faults(sandboxes.dynamics, { rateLimit: { burst: 12 } });

    const flows = new FlowRuntime({ store, clock: systemClock, log: silentLog, registry: builtInFlows(undefined, store, { systems: deps }), worker: 'test', leaseMs: 3000, pollMs: 100 });
    const diagnosis = async (): Promise<string> => {
      const runs = await flows.runs.list({}, 50);
      return `runs:\n${runs.map((r) => `  ${r.id} ${r.flow} ${r.key} ${r.status} ${r.waitingFor ?? ''} ${r.error ?? ''}`).join('\n')}`;
    };
    let kills = 0;
    try {
      await until('every deal synced', async () => {
        const statuses = await Promise.all(ids.map(async (id) => (await integrationColumns(deps.dynamics, id).catch(() => ({ il_integrationstatus: '?' })))['il_integrationstatus']));
        // Kill the worker once mid-flow (some deal under way or booked, not all booked: every deal
        // may go from under way to booked between two looks), and let SAP's CSRF sessions expire with it.
        if (kills === 0 && statuses.some((s) => s === 'In Progress' || s === 'Synced') && statuses.some((s) => s !== 'Synced')) {
          const exited = new Promise((r) => child?.once('exit', r));
          child?.kill('SIGKILL');
          kills++;
          await exited;
          await sapAdmin(sandboxes.sap, 'csrf/expire');
          await spawnChild();
        }
        assert.deepEqual(statuses, ['Synced', 'Synced', 'Synced']);
      }).catch(async (err: unknown) => assert.fail(`${(err as Error).message}\n${await diagnosis()}`));
      await faults(sandboxes.dynamics, { rateLimit: null });

      const orders = new Map<string, string>();
      for (const id of ids) {
        const sap = await sapOrdersOf(deps.sap, id);
        assert.equal(sap.length, 1, `one SAP sales order for ${id}: ${JSON.stringify(sap)}`);
        assert.equal(sap[0]?.DeliveryBlockReason, '', 'the order is not blocked (no compensation ran)');
        const columns = await integrationColumns(deps.dynamics, id);
        assert.equal(columns['il_erpordernumber'], sap[0]?.SalesOrder);
        assert.equal(columns['il_integrationerror'], null);
        orders.set(id, sap[0]?.SalesOrder ?? '');
      }

      // S/4HANA ships and bills each order; Event Mesh pushes the events (twice, shuffled).
      for (const salesOrder of orders.values()) {
        const delivery = String((await sapAdmin(sandboxes.sap, `sales-orders/${salesOrder}/delivery`))['DeliveryDocument']);
        await sapAdmin(sandboxes.sap, `outbound-deliveries/${delivery}/goods-issue`);
        await sapAdmin(sandboxes.sap, `outbound-deliveries/${delivery}/billing`, { taxRate: 0.19 });
      }
      await until('shipments and invoices fed back to Dynamics', async () => {
        for (const id of ids) {
          const c = await integrationColumns(deps.dynamics, id);
          assert.match(String(c['il_shipmentstatus']), /^Shipped /, id);
          assert.match(String(c['il_billingstatus']), /^Invoiced /, id);
          assert.equal(c['il_paymentstatus'], 'Open', id);
        }
      }).catch(async (err: unknown) => assert.fail(`${(err as Error).message}\n${await diagnosis()}`));
      // Fabrikam pays its invoice: collections reaches Dynamics as Paid.
      const billed = await deps.sap.get('API_BILLING_DOCUMENT_SRV', 'A_BillingDocument', { $filter: `SoldToParty eq '17100002'` });
      const fabrikamInvoice = (billed.body as { d: { results: Array<{ BillingDocument: string }> } }).d.results[0]?.BillingDocument ?? '';
      await sapAdmin(sandboxes.sap, `billing-documents/${fabrikamInvoice}/payment`);
      await until('the payment fed back', async () => {
        assert.equal((await integrationColumns(deps.dynamics, seededOpportunity('OPP-2')))['il_paymentstatus'], 'Paid');
      }).catch(async (err: unknown) => assert.fail(`${(err as Error).message}\n${await diagnosis()}`));
      await until('the canonical events published', async () => {
        const events = sink.effects.map((e) => JSON.parse(e.body) as { id: string; type: string; subject: string });
        for (const id of ids) {
          const types = new Set(events.filter((e) => e.subject === `d365-opp-${id}`).map((e) => e.type));
          assert.ok(types.has('interlock.shipment.dispatched.v1') && types.has('interlock.invoice.posted.v1'), `${id}: ${[...types].join(', ')}`);
        }
        assert.ok(events.some((e) => e.type === 'interlock.invoice.paid.v1' && e.subject === `d365-opp-${seededOpportunity('OPP-2')}`), 'the payment published');
      }, 60_000);

      // The business partner took the CRM's new name although its first write met a stale ETag.
      const sapSummary = (await (await fetch(`${sandboxes.sap.url}/__sandbox/state`)).json()) as { concurrentEditsPending?: number };
      assert.equal(sapSummary.concurrentEditsPending, 0, 'the armed concurrent edit met a write');
      const bp = await deps.sap.get('API_BUSINESS_PARTNER', 'A_BusinessPartner', { $filter: "BusinessPartnerIDByExtSystem eq 'CUST-1002'" });
      assert.match(JSON.stringify(bp.body), /Fabrikam Industries Incorporated/);
      // One completed lead-to-order run per deal; retriggers by duplicate notifications attached or found it done.
      for (const id of ids) {
        const runs = (await flows.runs.list({ key: id })).filter((r) => r.flow === MANUFACTURER_LEAD_TO_ORDER_FLOW);
        assert.ok(runs.some((r) => r.status === 'completed'), `${id}: ${JSON.stringify(runs)}`);
        assert.ok(runs.every((r) => r.status !== 'failed' && r.status !== 'compensated'), `${id}: ${JSON.stringify(runs)}`);
      }
      assert.equal(kills, 1, `the worker was killed mid-flow\n${await diagnosis()}`);
      t.diagnostic(`manufacturer [${storeConfig.kind}]: ${ids.length} deals, ${kills} SIGKILL, ${sink.effects.length} canonical events`);
    } finally {
      child?.kill('SIGTERM');
      await new Promise((r) => (child?.exitCode !== null ? r(undefined) : child?.once('exit', r)));
    }
  });
});
