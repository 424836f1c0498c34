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
import { integrationColumns, sapOrdersOf, winOpportunity } from '../flows/manufacturer/read-back.ts';
import { avalaraSandbox } from '../sandboxes/avalara/avalara-sandbox.ts';
import { DEFAULT_DYNAMICS_CONFIG } from '../sandboxes/dynamics/config.ts';
import { createDynamicsSandbox } from '../sandboxes/dynamics/dynamics-sandbox.ts';
import type { SandboxInstance } from '../sandboxes/kit/index.ts';
import { sapSandbox } from '../sandboxes/sap/sap-sandbox.ts';
import { startSink, type Sink } from '../sandboxes/sink/sink.ts';
import { createManufacturerDeal, MANUFACTURER_DEALS, type ManufacturerDeal } from './manufacturer-deals.ts';

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

/** What the manufacturer scenario works with: Interlock's clients of the systems, and SAP's own users. */
export interface ManufacturerScenarioContext {
  systems: ManufacturerDeps;
  /** The SAP sandbox, whose admin API stands in for SAP's warehouse and accounts receivable. */
  sap: SandboxInstance;
  /** Where the story is told, one line per call. */
  print: (line: string) => void;
  /** Longest wait for the systems to settle at each stage. @default 60000 */
  settleMs?: number;
  /** The canonical event types published so far, when a sink records them (checked at the end). */
  publishedEvents?: () => string[];
}

/**
 * Plays the manufacturer story against a running Interlock: a salesperson wins three new
 * opportunities in Dynamics; each becomes one SAP sales order; SAP ships and bills them and one
 * customer pays; Dynamics shows it all. Never throws for a wrong outcome (see `problems`).
 */
export async function playManufacturerScenario(ctx: ManufacturerScenarioContext): Promise<ManufacturerDemoResult> {
  const started = Date.now();
  const say = (line: string) => ctx.print(`${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s  ${line}`);
  const { systems, sap } = ctx;
  const settleMs = ctx.settleMs ?? 60_000;
  const suffix = new Date().toISOString().slice(0, 19).replace('T', ' ');
  say('A salesperson wins three opportunities in Dynamics 365:');
  const deals: Array<{ deal: ManufacturerDeal; id: string }> = [];
  for (const deal of MANUFACTURER_DEALS) {
    const id = await createManufacturerDeal(systems.dynamics, deal, suffix);
    await winOpportunity(systems.dynamics, id);
    deals.push({ deal, id });
    ctx.print(`          · ${deal.label}`);
  }
  await until(settleMs, async () => (await Promise.all(deals.map((d) => integrationColumns(systems.dynamics, d.id)))).every((c) => c['il_integrationstatus'] === 'Synced'));
  for (const { deal, id } of deals) {
    const c = await integrationColumns(systems.dynamics, id);
    say(`${deal.label}: Dynamics ${String(c['il_integrationstatus'])} · SAP sales order ${String(c['il_erpordernumber'])}`);
  }
  say('SAP delivers, issues goods and bills each order; Event Mesh tells Interlock.');
  for (const { deal, id } of deals) {
    const order = (await sapOrdersOf(systems.sap, id))[0]?.SalesOrder;
    if (order === undefined) continue;
    const delivery = String((await admin(sap, `sales-orders/${order}/delivery`))['DeliveryDocument']);
    await admin(sap, `outbound-deliveries/${delivery}/goods-issue`);
    // The plant is replenished with what shipped, so that a demo played again and again (its
    // sandboxes keep their data across restarts) never runs the materials out of stock.
    for (const [material, quantity] of deal.lines) await admin(sap, `materials/${material}/goods-receipt`, { quantity });
    const billing = String((await admin(sap, `outbound-deliveries/${delivery}/billing`, { taxRate: 0.19 }))['BillingDocument']);
    if (deal.pays) {
      await until(settleMs, async () => String((await integrationColumns(systems.dynamics, id))['il_billingstatus'] ?? '').startsWith('Invoiced'));
      await admin(sap, `billing-documents/${billing}/payment`);
      say(`${deal.label.split(' — ')[0] ?? deal.label} pays invoice ${billing}.`);
    }
  }
  const expected = (id: string) => (deals.find((d) => d.id === id)?.deal.pays === true ? 'Paid' : 'Open');
  await until(settleMs, async () =>
    (await Promise.all(deals.map(async ({ id }) => ({ id, c: await integrationColumns(systems.dynamics, id) })))).every(
      ({ id, c }) => String(c['il_shipmentstatus'] ?? '').startsWith('Shipped') && c['il_paymentstatus'] === expected(id),
    ),
  );
  const published = ctx.publishedEvents;
  if (published !== undefined) await until(10_000, async () => published().includes('interlock.invoice.paid.v1'));
  const standings = await Promise.all(deals.map((d) => standingOf(systems, d.deal.label, d.id)));
  const events = published?.() ?? [];
  const problems = check(standings, published === undefined ? undefined : events, expected);
  return { standings, canonicalEvents: events, problems, elapsedMs: Date.now() - started };
}

/**
 * The Event Mesh subscription SAP sends its business events on, pointed at Interlock's
 * `/hooks/sap` (with the secret `connectors.sap.eventMesh.secret` expects).
 */
export async function subscribeSapEvents(sap: SandboxInstance, hooksUrl: string): Promise<void> {
  await admin(sap, 'event-subscriptions', { url: hooksUrl, headers: { authorization: MESH_SECRET } });
}

/** `connectors.dynamics` and `connectors.sap` for the sandboxes, Interlock listening at `base`. */
export async function manufacturerConnectors(dynamics: SandboxInstance, sap: SandboxInstance, base: string): Promise<Record<string, unknown>> {
  const sapState = (await (await fetch(`${sap.url}/__sandbox/state`)).json()) as { basicAuth: { username: string; password: string } };
  return {
    dynamics: { environmentUrl: dynamics.url, loginUrl: dynamics.url, ...appOf(DEFAULT_DYNAMICS_CONFIG), webhook: { key: 'interlock-demo-webhook', url: `${base}/hooks/dynamics` } },
    sap: { baseUrl: sap.url, ...sapState.basicAuth, eventMesh: { secret: MESH_SECRET } },
  };
}

/** Runs the story headless on a store at `storePath` (SQLite) over fresh sandboxes, printing progress through `print`. */
export async function playManufacturerDemo(options: { storePath: string; print: (line: string) => void; settleMs?: number }): Promise<ManufacturerDemoResult> {
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
    rt = await openRuntime({
      values: {
        store: { kind: 'sqlite', sqlite: { path: options.storePath } },
        server: { port },
        log: { level: 'warn' },
        outbound: { allow: ['127.0.0.1'] },
        connectors: {
          ...(await manufacturerConnectors(dynamics, sap, base)),
          avalara: { accountId: '2001', licenseKey: 'interlock-demo-license', baseUrl: avalara.url },
        },
        flows: { manufacturer: { publishTo: 'analytics' } },
        destinations: { analytics: { url: `${sink.url}/ok` } },
      },
    });
    const systems = rt.manufacturer;
    if (systems === undefined) throw new InterlockError('unexpected', 'the manufacturer demo configuration opened no manufacturer systems');
    await subscribeSapEvents(sap, `${base}/hooks/sap`);
    const { buildServer } = await import('../api/server.ts');
    app = await buildServer({ config: rt.config, store: rt.store, engine: rt.engine, log: rt.log, manufacturer: systems });
    await listenOrExplain(app, { host: '127.0.0.1', port }, async () => undefined);
    await rt.startWorker();
    options.print('    Interlock runs over Dynamics 365, SAP S/4HANA and Avalara; its webhook is registered with Dataverse.');
    const recorded = sink;
    return await playManufacturerScenario({
      systems,
      sap,
      print: options.print,
      ...(options.settleMs === undefined ? {} : { settleMs: options.settleMs }),
      publishedEvents: () => canonicalTypes(recorded),
    });
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
export function check(standings: readonly ManufacturerStanding[], events: readonly string[] | undefined, expectedPayment: (opportunityId: string) => string): string[] {
  const problems: string[] = [];
  for (const s of standings) {
    if (s.sapOrders.length !== 1) problems.push(`${s.label}: ${s.sapOrders.length} SAP sales orders, expected exactly one`);
    if (s.dynamicsStatus !== 'Synced') problems.push(`${s.label}: Dynamics shows ${s.dynamicsStatus}, expected Synced`);
    if (s.sapOrders.length === 1 && s.erpOrderNumber !== s.sapOrders[0]) problems.push(`${s.label}: Dynamics has order ${s.erpOrderNumber}, SAP ${s.sapOrders[0] ?? '—'}`);
    if (!s.shipment.startsWith('Shipped')) problems.push(`${s.label}: shipment status ${s.shipment}`);
    if (!s.billing.startsWith('Invoiced')) problems.push(`${s.label}: billing status ${s.billing}`);
    if (s.payment !== expectedPayment(s.opportunityId)) problems.push(`${s.label}: payment status ${s.payment}, expected ${expectedPayment(s.opportunityId)}`);
  }
  // Without a sink recording them (npm start --no-sample), the published events are not checked.
  for (const type of events === undefined ? [] : ['interlock.shipment.dispatched.v1', 'interlock.invoice.posted.v1', 'interlock.invoice.paid.v1']) {
    if (!events?.includes(type)) problems.push(`no ${type} event was published`);
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

/** The CloudEvent types `sink` has received, in order. */
export function canonicalTypes(sink: Sink): string[] {
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
