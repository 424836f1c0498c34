/**
 * A populated Interlock for the browser tests: the demo (sandboxes, server, worker) with the
 * story played, an API key per role, a `ledger` destination that refuses until told to accept
 * (to park a dead letter and then deliver its replay), and a deal that waits for approval.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { systemClock } from '../../../src/core/clock.ts';
import { closeWon, createDeal, DEMO_DEALS } from '../../../src/demo/deals.ts';
import { startDemoHost, type DemoHost } from '../../../src/demo/demo-host.ts';
import { playScenario, type ScenarioResult } from '../../../src/demo/scenario.ts';
import { APPROVAL } from '../../../src/engine/flows/waits.ts';
import { LEAD_TO_ORDER_FLOW } from '../../../src/flows/lead-to-order/flow.ts';
import { OrderSchema } from '../../../src/canonical/order.ts';
import { ContractRegistry } from '../../../src/governance/registry.ts';
import { ApiKeys } from '../../../src/security/api-keys.ts';
import { AuditLog } from '../../../src/security/audit-log.ts';
import { ROLES, type Role } from '../../../src/security/roles.ts';
import { ensureConsoleBuilt } from '../../../web/build.ts';

/** A destination that answers 422 until `accepting`, and records what it accepted. */
export interface Ledger {
  url: string;
  accepting: boolean;
  received: string[];
  close(): Promise<void>;
}

async function startLedger(): Promise<Ledger> {
  const ledger = { accepting: false, received: [] as string[] } as Ledger;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (!ledger.accepting) {
        res.writeHead(422, { 'content-type': 'application/json' }).end('{"error":"ledger period closed"}');
        return;
      }
      ledger.received.push(body);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  ledger.url = `http://127.0.0.1:${(server.address() as { port: number }).port}/entries`;
  ledger.close = () => new Promise((resolve) => server.close(() => resolve()));
  return ledger;
}

/** The running, populated instance. */
export interface ConsoleHost {
  host: DemoHost;
  base: string;
  story: ScenarioResult;
  keys: Record<Role, string>;
  ledger: Ledger;
  /** GET an admin route as `role`. */
  admin<T>(route: string, role?: Role): Promise<T>;
  /** Registers the shipped contracts, then publishes order 1.1.0 with a purchase-order number. */
  publishOrderChange(): Promise<void>;
  /** Posts an event the ledger refuses; resolves to its dead letter's id once parked. */
  parkDeadLetter(eventId: string): Promise<number>;
  /** Closes a deal whose discount needs approval; resolves to its run id once it waits. */
  pendingApproval(): Promise<{ runId: number; opportunityId: string }>;
  close(): Promise<void>;
}

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Builds the console if stale, starts the demo with the ledger, plays the story, issues keys. */
export async function startConsoleHost(): Promise<ConsoleHost> {
  await ensureConsoleBuilt({ quiet: true });
  const dir = mkdtempSync(path.join(tmpdir(), 'interlock-console-'));
  const ledger = await startLedger();
  const base = {
    store: { kind: 'sqlite', sqlite: { path: path.join(dir, 'interlock.db') } },
    server: { port: 0 },
    log: { level: 'warn' },
    sources: { orders: { eventId: { path: 'id' }, routes: [{ destination: 'ledger', key: 'order' }] } },
    destinations: { ledger: { url: ledger.url, retry: { maxAttempts: 1 } } },
  };
  const host = await startDemoHost({ base });
  try {
    const story = await playScenario(host.scenario(() => undefined));
    if (story.problems.length > 0) throw new Error(`the demo story did not settle: ${story.problems.join('; ')}`);
    const issuer = new ApiKeys(host.rt.store, new AuditLog(host.rt.store, systemClock), systemClock);
    const keys = {} as Record<Role, string>;
    for (const role of ROLES) keys[role] = (await issuer.create({ role, label: `console test ${role}`, actor: 'test' })).key;
    const admin = async <T>(route: string, role: Role = 'admin'): Promise<T> => {
      const res = await fetch(`${host.baseUrl}${route}`, { headers: { authorization: `Bearer ${keys[role]}` } });
      if (!res.ok) throw new Error(`GET ${route}: ${res.status} ${await res.text()}`);
      return (await res.json()) as T;
    };
    return {
      host,
      base: host.baseUrl,
      story,
      keys,
      ledger,
      admin,
      publishOrderChange: async () => {
        const registry = new ContractRegistry(host.rt.store, { clock: systemClock });
        await registry.bootstrap({ id: 'ci', roles: [] });
        const schema = structuredClone(OrderSchema) as unknown as { properties: Record<string, unknown> };
        schema.properties['purchaseOrderNumber'] = { type: 'string', maxLength: 40 };
        const p = await registry.propose({ id: 'alice@example.com', roles: [] }, { subject: 'order', version: '1.1.0', schema, note: 'customer PO on orders' });
        await registry.review({ id: 'bob@example.com', roles: [] }, p.id, 'looks right');
        await registry.approve({ id: 'carol@example.com', roles: ['owner:commercial'] }, p.id);
        await registry.publish({ id: 'carol@example.com', roles: ['owner:commercial'] }, p.id);
      },
      parkDeadLetter: async (eventId) => {
        // The dead letter of this event, not one an earlier test left parked.
        const parked = async () => (await admin<{ items: Array<{ id: number }> }>('/admin/dead-letters?destination=ledger&state=any')).items.map((d) => d.id);
        const before = new Set(await parked());
        const res = await fetch(`${host.baseUrl}/hooks/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: eventId, order: 'SO-CONSOLE-1', amount: 1200 }) });
        if (res.status !== 202) throw new Error(`the hook answered ${res.status}`);
        return eventually('the dead letter', async () => (await parked()).find((id) => !before.has(id)));
      },
      pendingApproval: async () => {
        const sf = host.rt.systems!.salesforce;
        const made = await createDeal(sf, DEMO_DEALS.find((d) => d.key === 'expansion')!, `console ${Date.now()}`);
        await closeWon(sf, made.id);
        const runId = await eventually('the run to wait for approval', async () => {
          const runs = await host.rt.engine.flows.runs.list({ flow: LEAD_TO_ORDER_FLOW, status: 'waiting' });
          return runs.find((r) => r.key === made.id && r.waitingFor === APPROVAL)?.id;
        }, 60_000);
        return { runId, opportunityId: made.id };
      },
      close: async () => {
        await host.close();
        await ledger.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await host.close();
    await ledger.close();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
