/**
 * `npm run bench -- q2c --story manufacturer [--quick] [--runs N] [--case sqlite|postgres]`: won
 * Dynamics 365 opportunities per second through the manufacturer's lead-to-order (validate with
 * AvaTax → SAP business partner → SAP sales order, found by PurchaseOrderByCustomer first →
 * write-back) against the seeded Dynamics, SAP and Avalara sandboxes in their own thread, on
 * SQLite and PostgreSQL — measured as the first story's q2c is: the same engine set-up, the same
 * fields, and a same-run baseline of the flow's port calls made one after another with no engine.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openRuntime } from '../../src/cli/runtime.ts';
import type { DynamicsClient } from '../../src/connectors/dynamics/client.ts';
import { SANDBOX_APP } from '../../src/connectors/dynamics/test-support.ts';
import { DYNAMICS_SOURCE } from '../../src/connectors/dynamics/triggers/won-opportunity.ts';
import { loadConfig } from '../../src/core/config.ts';
import { INTEGRATION_STATUS } from '../../src/flows/lead-to-order/write-back.ts';
import type { ManufacturerDeps } from '../../src/flows/manufacturer/deps.ts';
import { MANUFACTURER_LEAD_TO_ORDER_FLOW } from '../../src/flows/manufacturer/flow.ts';
import { manufacturerPorts } from '../../src/flows/manufacturer/ports.ts';
import { openManufacturerSystems } from '../../src/flows/manufacturer/story.ts';
import { nameGuid } from '../../src/sandboxes/dynamics/records.ts';
import { createTestDatabase, postgresUnavailable } from '../../test/support/stores.ts';
import { report, round, type BenchOptions } from '../report.ts';
import { countVendorCalls } from './q2c-deals.ts';
import { measureEngine } from './q2c-engine.ts';
import { startSandboxThread, type SandboxThread } from './q2c-sandboxes.ts';

const CONCURRENCY = 256;
const WARM_UP = 10;
const ACCOUNTS = [['CUST-1001', 'EUR'], ['CUST-1002', 'USD'], ['CUST-1003', 'GBP']] as const;
const LINES = [['VALVE-BV50', 4], ['SPARE-SEALKIT', 10], ['PUMP-CP100', 1]] as const;
// Opportunities made at once during set-up (Dataverse has no multi-row insert without $batch).
const SET_UP_PARALLEL = 16;

/** Runs the manufacturer's q2c. */
export default async function q2cManufacturer(options: BenchOptions): Promise<void> {
  const given = Number(options.args[options.args.indexOf('--runs') + 1]);
  const runs = options.args.includes('--runs') && Number.isInteger(given) && given > 0 ? given : options.quick ? 150 : 1000;
  const baselineDeals = options.quick ? 30 : 200;
  const dir = mkdtempSync(path.join(tmpdir(), 'interlock-bench-q2c-mfg-'));
  const sandboxes = await startSandboxThread('manufacturer');
  try {
    const values = await configValues(sandboxes);
    const before = await runBaseline(values, sandboxes, baselineDeals);
    const results: Array<{ name: string; perS: number; fields: Record<string, unknown> }> = [];
    const cases: Array<[string, () => Promise<{ store: unknown; drop?: () => Promise<void> }>]> = [['sqlite', async () => ({ store: { kind: 'sqlite', sqlite: { path: path.join(dir, 'q2c.db') } } })]];
    if ((await postgresUnavailable()) === undefined) {
      cases.push(['postgres', async () => {
        const db = await createTestDatabase();
        return { store: { kind: 'postgres', postgres: { url: db.url, poolSize: 10 } }, drop: db.drop };
      }]);
    } else {
      process.stderr.write('q2c: PostgreSQL is unreachable; the postgres case is skipped\n');
    }
    const only = options.args[options.args.indexOf('--case') + 1];
    for (const [name, open] of cases.filter(([n]) => !options.args.includes('--case') || n === only)) {
      await sandboxes.reset();
      const { store, drop } = await open();
      const rt = await openRuntime({ values: { ...values, store } });
      try {
        const ids = await createWonOpportunities(rt.manufacturer!.dynamics, runs, `q2c ${name}`);
        const calls = countVendorCalls(sandboxes.urls);
        const cpu = { engine: process.threadCpuUsage(), sandboxes: await sandboxes.cpuMs() };
        const m = await measureEngine(rt, ids, `q2c-mfg-${name}-${Date.now()}`, { flow: MANUFACTURER_LEAD_TO_ORDER_FLOW, source: DYNAMICS_SOURCE });
        const engineCpu = process.threadCpuUsage(cpu.engine);
        const sandboxCpuMs = (await sandboxes.cpuMs()) - cpu.sandboxes;
        const traffic = calls.stop();
        const total = Object.values(traffic.calls).reduce((a, b) => a + b, 0);
        results.push({
          name,
          perS: m.opportunitiesPerS,
          fields: {
            runs,
            concurrency: CONCURRENCY,
            seconds: round(m.seconds),
            p50_ms: m.p50Ms,
            p99_ms: m.p99Ms,
            stage_p50_ms: m.stageP50Ms,
            stage_p99_ms: m.stageP99Ms,
            step_retries: m.stepRetries,
            vendor_calls_per_opportunity: round(total / runs),
            vendor_calls: perOpportunity(traffic.calls, runs),
            vendor_response_kb: perOpportunity(traffic.kb, runs),
            connections_opened: traffic.connections,
            sap_orders_per_opportunity: round((await countSapOrders(rt.manufacturer!)) / runs),
            engine_cpu_ms_per_opportunity: round((engineCpu.user + engineCpu.system) / 1000 / runs),
            sandbox_cpu_ms_per_opportunity: round(sandboxCpuMs / runs),
          },
        });
      } finally {
        await rt.close();
        await drop?.();
      }
    }
    const after = await runBaseline(values, sandboxes, baselineDeals);
    for (const r of results) {
      report({
        bench: 'q2c',
        story: 'manufacturer',
        case: r.name,
        metric: 'opportunities_per_s',
        value: r.perS,
        unit: 'opportunities/s',
        baseline: (before.perS + after.perS) / 2,
        ...r.fields,
        baseline_runs: baselineDeals,
        baseline_before_after: [round(before.perS), round(after.perS)],
        baseline_vendor_calls_per_opportunity: before.callsPerOpportunity,
        baseline_cpu_ms_per_opportunity: round((before.cpuMs + after.cpuMs) / 2),
      });
    }
  } finally {
    await sandboxes.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Makes `n` won opportunities, round-robin over the seeded accounts and products; resolves to their ids. */
export async function createWonOpportunities(dynamics: DynamicsClient, n: number, tag: string): Promise<string[]> {
  const ids: string[] = new Array<string>(n);
  let next = 0;
  const one = async (i: number): Promise<void> => {
    const [account, currency] = ACCOUNTS[i % ACCOUNTS.length]!;
    const [sku, quantity] = LINES[i % LINES.length]!;
    const made = await dynamics.api<{ opportunityid: string }>({
      method: 'POST',
      path: 'opportunities',
      headers: { prefer: 'return=representation' },
      query: { $select: 'opportunityid' },
      json: {
        name: `${tag} ${i}`, isrevenuesystemcalculated: true,
        'customerid_account@odata.bind': `/accounts(${nameGuid(`account:${account}`)})`,
        'pricelevelid@odata.bind': `/pricelevels(${nameGuid('pricelevel:list')})`,
        'transactioncurrencyid@odata.bind': `/transactioncurrencies(${nameGuid(`currency:${currency}`)})`,
      },
    });
    const id = made.body.opportunityid;
    await dynamics.api({
      method: 'POST',
      path: 'opportunityproducts',
      json: { quantity, lineitemnumber: 1, sequencenumber: 1, 'opportunityid@odata.bind': `/opportunities(${id})`, 'productid@odata.bind': `/products(${nameGuid(`product:${sku}`)})`, 'uomid@odata.bind': `/uoms(${nameGuid('uom:primary')})` },
    });
    await dynamics.api({ method: 'POST', path: 'WinOpportunity', json: { Status: 3, OpportunityClose: { subject: 'Won', 'opportunityid@odata.bind': `/opportunities(${id})` } } });
    ids[i] = id;
  };
  await Promise.all(Array.from({ length: SET_UP_PARALLEL }, async () => {
    for (let i = next++; i < n; i = next++) await one(i);
  }));
  return ids;
}

/** The flow's port calls for one deal, one after another: what the engine runs durably. */
async function bookByHand(deps: ManufacturerDeps, opportunityId: string): Promise<void> {
  const ports = manufacturerPorts(deps);
  const deal = await ports.crm.readDeal(opportunityId);
  const check = await ports.validate(deal);
  if (!check.ok) throw new Error(`baseline: opportunity ${opportunityId} is not valid: ${check.problems.join(' ')}`);
  const valid = { ...check, opportunity: deal };
  await ports.crm.reportStatus(opportunityId, INTEGRATION_STATUS.inProgress, null);
  const customer = await ports.erp.upsertCustomer(valid);
  const order = await ports.erp.bookOrder(valid, customer);
  await ports.crm.reportSynced(opportunityId, { erpOrderNumber: ports.erp.orderNumber(order), billingCustomerId: null, subscriptionId: null }, deal);
}

async function runBaseline(values: Record<string, unknown>, sandboxes: SandboxThread, deals: number): Promise<{ perS: number; callsPerOpportunity: number; cpuMs: number }> {
  await sandboxes.reset();
  const systems = await openManufacturerSystems(loadConfig({ values }));
  if (systems === undefined) throw new Error('q2c: the connectors did not configure the manufacturer story');
  try {
    const all = await createWonOpportunities(systems.dynamics, WARM_UP + deals, 'q2c baseline');
    for (const id of all.slice(0, WARM_UP)) await bookByHand(systems, id);
    const ids = all.slice(WARM_UP);
    const calls = countVendorCalls(sandboxes.urls);
    const cpu = process.threadCpuUsage();
    const started = performance.now();
    for (const id of ids) await bookByHand(systems, id);
    const perS = ids.length / ((performance.now() - started) / 1000);
    const used = process.threadCpuUsage(cpu);
    const total = Object.values(calls.stop().calls).reduce((a, b) => a + b, 0);
    return { perS, callsPerOpportunity: round(total / deals), cpuMs: (used.user + used.system) / 1000 / deals };
  } finally {
    await systems.close();
  }
}

async function configValues(sandboxes: SandboxThread): Promise<Record<string, unknown>> {
  const { dynamics, sap, avalara } = sandboxes.urls as Record<string, string>;
  const state = (await (await fetch(`${sap}/__sandbox/state`)).json()) as { basicAuth: { username: string; password: string } };
  return {
    log: { level: 'error' },
    outbound: { allow: ['127.0.0.1'] },
    connectors: {
      dynamics: { environmentUrl: dynamics, loginUrl: dynamics, ...SANDBOX_APP },
      sap: { baseUrl: sap, ...state.basicAuth },
      avalara: { accountId: '2001', licenseKey: 'q2c-bench-license', baseUrl: avalara },
    },
  };
}

// SAP sales orders made by the case: exactly one per opportunity is right.
async function countSapOrders(deps: ManufacturerDeps): Promise<number> {
  const res = await deps.sap.get('API_SALES_ORDER_SRV', 'A_SalesOrder/$count');
  return Number(typeof res.body === 'string' ? res.body : JSON.stringify(res.body));
}

function perOpportunity(counts: Record<string, number>, runs: number): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).map(([name, n]) => [name, round(n / runs)]));
}
