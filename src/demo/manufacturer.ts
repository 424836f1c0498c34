/**
 * The manufacturer story, headless (`interlock demo --story manufacturer`): Interlock in this
 * process over fresh, seeded Dynamics 365, SAP S/4HANA and Avalara sandboxes — Dataverse's change
 * notifications in through the webhook Interlock registers at start, SAP's business events through
 * Event Mesh, canonical events out to a recording sink. A salesperson wins three opportunities;
 * each becomes one SAP sales order; SAP ships and bills them and one customer pays; Dynamics shows
 * it all. The check at the end reads every system back.
 */
import { createServer } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Runtime } from '../cli/runtime.ts';
import { openRuntime } from '../cli/runtime.ts';
import { listenOrExplain } from '../cli/listen.ts';
import { InterlockError } from '../core/errors.ts';
import type { ManufacturerDeps } from '../flows/manufacturer/deps.ts';
import { integrationColumns, sapOrdersOf, seededOpportunity, winOpportunity } from '../flows/manufacturer/read-back.ts';
import { avalaraSandbox } from '../sandboxes/avalara/avalara-sandbox.ts';
import { DEFAULT_DYNAMICS_CONFIG } from '../sandboxes/dynamics/config.ts';
import { createDynamicsSandbox } from '../sandboxes/dynamics/dynamics-sandbox.ts';
import type { SandboxInstance } from '../sandboxes/kit/index.ts';
import { sapSandbox } from '../sandboxes/sap/sap-sandbox.ts';
import { startSink, type Sink } from '../sandboxes/sink/sink.ts';

const DEALS = [
  { key: 'OPP-1', label: 'Contoso — line 3 pump retrofit' },
  { key: 'OPP-2', label: 'Fabrikam — cooling loop valves' },
  { key: 'OPP-3', label: 'Adventure Works — seal kit restock' },
] as const;
/** The deal whose customer pays its invoice in the demo. */
const PAYING = 'OPP-2';
const MESH_SECRET = 'Bearer interlock-demo-mesh';

/** Where one deal stands in each system. */
export interface ManufacturerStanding {
  label: string;
  opportunityId: string;
  dynamicsStatus: string;
  sapOrders: string[];
  erpOrderNumber: string;
  shipment: string;
  billing: string;
  payment: string;
}

/** The outcome: standings, problems (empty when every system holds what it should), timing. */
export interface ManufacturerDemoResult {
  standings: ManufacturerStanding[];
  canonicalEvents: string[];
  problems: string[];
  elapsedMs: number;
}

/** Runs the story on a store at `storePath` (SQLite), printing progress through `print`. */
export async function playManufacturerDemo(options: { storePath: string; print: (line: string) => void; settleMs?: number }): Promise<ManufacturerDemoResult> {
  const started = Date.now();
  const say = (line: string) => options.print(`${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s  ${line}`);
  const at = { host: '127.0.0.1', port: 0, seed: true };
  const sandboxes: SandboxInstance[] = await Promise.all([createDynamicsSandbox().start(at), sapSandbox.start(at), avalaraSandbox.start(at)]);
  const [dynamics, sap, avalara] = sandboxes as [SandboxInstance, SandboxInstance, SandboxInstance];
  let sink: Sink | undefined;
  let rt: Runtime | undefined;
  let app: FastifyInstance | undefined;
  try {
    sink = await startSink();
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const sapState = (await (await fetch(`${sap.url}/__sandbox/state`)).json()) as { basicAuth: { username: string; password: string } };
    rt = await openRuntime({
      values: {
        store: { kind: 'sqlite', sqlite: { path: options.storePath } },
        server: { port },
        log: { level: 'warn' },
        outbound: { allow: ['127.0.0.1'] },
        connectors: {
          dynamics: { environmentUrl: dynamics.url, loginUrl: dynamics.url, ...appOf(DEFAULT_DYNAMICS_CONFIG), webhook: { key: 'interlock-demo-webhook', url: `${base}/hooks/dynamics` } },
          sap: { baseUrl: sap.url, ...sapState.basicAuth, eventMesh: { secret: MESH_SECRET } },
          avalara: { accountId: '2001', licenseKey: 'interlock-demo-license', baseUrl: avalara.url },
        },
        flows: { manufacturer: { publishTo: 'analytics' } },
        destinations: { analytics: { url: `${sink.url}/ok` } },
      },
    });
    const systems = rt.manufacturer;
    if (systems === undefined) throw new InterlockError('unexpected', 'the manufacturer demo configuration opened no manufacturer systems');
    await admin(sap, 'event-subscriptions', { url: `${base}/hooks/sap`, headers: { authorization: MESH_SECRET } });
    const { buildServer } = await import('../api/server.ts');
    app = await buildServer({ config: rt.config, store: rt.store, engine: rt.engine, log: rt.log, manufacturer: systems });
    await listenOrExplain(app, { host: '127.0.0.1', port }, async () => undefined);
    await rt.startWorker();
    say('Interlock runs over Dynamics 365, SAP S/4HANA and Avalara; its webhook is registered with Dataverse.');

    const settleMs = options.settleMs ?? 60_000;
    const ids = DEALS.map((d) => seededOpportunity(d.key));
    say('A salesperson wins three opportunities in Dynamics 365:');
    for (const [i, deal] of DEALS.entries()) {
      await winOpportunity(systems.dynamics, ids[i] ?? '');
      say(`  · ${deal.label}`);
    }
    await until(settleMs, async () => (await Promise.all(ids.map((id) => integrationColumns(systems.dynamics, id)))).every((c) => c['il_integrationstatus'] === 'Synced'));
    for (const [i, deal] of DEALS.entries()) {
      const c = await integrationColumns(systems.dynamics, ids[i] ?? '');
      say(`${deal.label}: Dynamics ${String(c['il_integrationstatus'])} · SAP sales order ${String(c['il_erpordernumber'])}`);
    }
    say('SAP delivers, issues goods and bills each order; Event Mesh tells Interlock.');
    for (const id of ids) {
      const order = (await sapOrdersOf(systems.sap, id))[0]?.SalesOrder;
      if (order === undefined) continue;
      const delivery = String((await admin(sap, `sales-orders/${order}/delivery`))['DeliveryDocument']);
      await admin(sap, `outbound-deliveries/${delivery}/goods-issue`);
      const billing = String((await admin(sap, `outbound-deliveries/${delivery}/billing`, { taxRate: 0.19 }))['BillingDocument']);
      if (id === seededOpportunity(PAYING)) {
        await until(settleMs, async () => String((await integrationColumns(systems.dynamics, id))['il_billingstatus'] ?? '').startsWith('Invoiced'));
        await admin(sap, `billing-documents/${billing}/payment`);
        say(`Fabrikam pays invoice ${billing}.`);
      }
    }
    const expected = (id: string) => (id === seededOpportunity(PAYING) ? 'Paid' : 'Open');
    await until(settleMs, async () =>
      (await Promise.all(ids.map(async (id) => ({ id, c: await integrationColumns(systems.dynamics, id) })))).every(
        ({ id, c }) => String(c['il_shipmentstatus'] ?? '').startsWith('Shipped') && c['il_paymentstatus'] === expected(id),
      ),
    );
    const recorded = sink;
    await until(10_000, async () => canonicalTypes(recorded).filter((t) => t === 'interlock.invoice.paid.v1').length >= 1);

    const standings = await Promise.all(DEALS.map((d, i) => standingOf(systems, d.label, ids[i] ?? '')));
    const problems = check(standings, canonicalTypes(sink), expected);
    return { standings, canonicalEvents: canonicalTypes(sink), problems, elapsedMs: Date.now() - started };
  } finally {
    await app?.close();
    await rt?.close();
    await sink?.close();
    await Promise.allSettled(sandboxes.map((s) => s.close()));
  }
}

async function standingOf(systems: ManufacturerDeps, label: string, opportunityId: string): Promise<ManufacturerStanding> {
  const c = await integrationColumns(systems.dynamics, opportunityId);
  const text = (v: unknown) => (v === null || v === undefined ? '—' : String(v));
  return {
    label,
    opportunityId,
    dynamicsStatus: text(c['il_integrationstatus']),
    sapOrders: (await sapOrdersOf(systems.sap, opportunityId)).map((o) => o.SalesOrder),
    erpOrderNumber: text(c['il_erpordernumber']),
    shipment: text(c['il_shipmentstatus']),
    billing: text(c['il_billingstatus']),
    payment: text(c['il_paymentstatus']),
  };
}

/** What is wrong, as sentences: an empty list when every system holds what it should. */
export function check(standings: readonly ManufacturerStanding[], events: readonly string[], expectedPayment: (opportunityId: string) => string): string[] {
  const problems: string[] = [];
  for (const s of standings) {
    if (s.sapOrders.length !== 1) problems.push(`${s.label}: ${s.sapOrders.length} SAP sales orders, expected exactly one`);
    if (s.dynamicsStatus !== 'Synced') problems.push(`${s.label}: Dynamics shows ${s.dynamicsStatus}, expected Synced`);
    if (s.sapOrders.length === 1 && s.erpOrderNumber !== s.sapOrders[0]) problems.push(`${s.label}: Dynamics has order ${s.erpOrderNumber}, SAP ${s.sapOrders[0] ?? '—'}`);
    if (!s.shipment.startsWith('Shipped')) problems.push(`${s.label}: shipment status ${s.shipment}`);
    if (!s.billing.startsWith('Invoiced')) problems.push(`${s.label}: billing status ${s.billing}`);
    if (s.payment !== expectedPayment(s.opportunityId)) problems.push(`${s.label}: payment status ${s.payment}, expected ${expectedPayment(s.opportunityId)}`);
  }
  for (const type of ['interlock.shipment.dispatched.v1', 'interlock.invoice.posted.v1', 'interlock.invoice.paid.v1']) {
    if (!events.includes(type)) problems.push(`no ${type} event was published`);
  }
  return problems;
}

/** The standings as a table. */
export function manufacturerTable(standings: readonly ManufacturerStanding[]): string {
  const header = ['Deal', 'Dynamics', 'SAP order', 'Shipment', 'Billing', 'Payment'];
  const rows = standings.map((s) => [s.label, s.dynamicsStatus, s.sapOrders.join(', ') || '—', s.shipment, s.billing, s.payment]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => `  ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  │  ')}`;
  return [line(header), `  ${widths.map((w) => '─'.repeat(w)).join('──┼──')}`, ...rows.map(line)].join('\n');
}

// The sandbox's app registration, as the connector signs in with it.
function appOf(c: { tenantId: string; clientId: string; clientSecret: string }): { tenantId: string; clientId: string; clientSecret: string } {
  return { tenantId: c.tenantId, clientId: c.clientId, clientSecret: c.clientSecret };
}

function canonicalTypes(sink: Sink): string[] {
  return sink.effects.map((e) => {
    try {
      return String((JSON.parse(e.body) as { type?: unknown }).type);
    } catch {
      return '?';
    }
  });
}

async function until(timeoutMs: number, done: () => Promise<boolean>): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await done().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function admin(sap: SandboxInstance, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${sap.url}/__sandbox/sap/${path}`, { method: 'POST', headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  if (res.status >= 300) throw new InterlockError('unexpected', `the SAP sandbox refused ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, unknown>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
