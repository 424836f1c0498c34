/**
 * What the store already knows, read as figures: queue depths and ages, dead letters, circuits,
 * runs waiting, sync lag, open discrepancies (the engine snapshot), and the business facts the
 * built-in flows journal — sales orders booked (`netsuite-sales-order` steps) and how long after
 * the closed-won trigger, invoices created (`netsuite-invoice`), order decisions. Each is one
 * aggregate query over an index; callers cache the answers (see `figures-cache.ts`).
 */
import { sql } from 'kysely';
import type { Store } from '../store/store.ts';

/** The step that books an ERP order, and the one that creates an ERP invoice. */
export const ORDER_STEP = 'netsuite-sales-order';
export const INVOICE_STEP = 'netsuite-invoice';
/** The first step of a lead-to-order run: a run that has it is a deal decision. */
export const DEAL_STEP = 'read-opportunity';

/** The engine's state at one instant. */
export interface EngineSnapshot {
  inboxPending: number;
  inboxOldestAt: number | null;
  outbox: Array<{ destination: string; pending: number; oldestAt: number | null }>;
  deadLetters: Array<{ kind: string; parked: number }>;
  circuits: Array<{ destination: string; circuit: 'closed' | 'open' | 'half-open'; pausedUntil: number }>;
  runs: Array<{ status: string; count: number }>;
  /** Last progress per system (connector cursors) and per scheduled sync. */
  syncs: Array<{ system: string; at: number }>;
  openDiscrepancies: Array<{ job: string; open: number }>;
}

const n = (v: unknown): number => Number(v ?? 0);
const nOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** Reads the engine snapshot. */
export async function engineSnapshot(store: Store): Promise<EngineSnapshot> {
  const db = store.db;
  const [inbox, outbox, dead, circuits, runs, cursors, schedules, discrepancies] = await Promise.all([
    db.selectFrom('inbox').select((eb) => [eb.fn.countAll().as('c'), eb.fn.min('received_at').as('oldest')]).where('status', '=', 'pending').executeTakeFirst(),
    db.selectFrom('outbox').select((eb) => ['destination', eb.fn.countAll().as('c'), eb.fn.min('created_at').as('oldest')]).where('status', 'in', ['pending', 'delivering']).groupBy('destination').execute(),
    db.selectFrom('dead_letters').select((eb) => ['kind', eb.fn.countAll().as('c')]).where('state', '=', 'parked').groupBy('kind').execute(),
    db.selectFrom('destination_state').select(['destination', 'circuit', 'paused_until']).execute(),
    db.selectFrom('flow_runs').select((eb) => ['status', eb.fn.countAll().as('c')]).where('status', 'in', ['queued', 'running', 'waiting', 'compensating']).groupBy('status').execute(),
    db.selectFrom('connector_cursors').select((eb) => ['connector', eb.fn.max('updated_at').as('at')]).groupBy('connector').execute(),
    db.selectFrom('sync_schedules').select(['name', 'last_finished_at']).where('last_finished_at', 'is not', null).execute(),
    sql<{ job: string; c: number }>`
      SELECT r.job AS job, COUNT(d.id) AS c FROM reconcile_runs r
        JOIN reconcile_discrepancies d ON d.run_id = r.id AND d.heal_status NOT IN ('healed', 'rejected')
       WHERE r.id = (SELECT MAX(r2.id) FROM reconcile_runs r2 WHERE r2.job = r.job AND r2.status = 'completed')
       GROUP BY r.job`.execute(db),
  ]);
  return {
    inboxPending: n(inbox?.c),
    inboxOldestAt: nOrNull(inbox?.oldest),
    outbox: outbox.map((r) => ({ destination: r.destination, pending: n(r.c), oldestAt: nOrNull(r.oldest) })),
    deadLetters: dead.map((r) => ({ kind: r.kind, parked: n(r.c) })),
    circuits: circuits.map((r) => ({ destination: r.destination, circuit: r.circuit, pausedUntil: n(r.paused_until) })),
    runs: runs.map((r) => ({ status: r.status, count: n(r.c) })),
    syncs: [
      ...cursors.map((r) => ({ system: r.connector, at: n(r.at) })),
      ...schedules.map((r) => ({ system: `sync:${r.name}`, at: n(r.last_finished_at) })),
    ],
    openDiscrepancies: discrepancies.rows.map((r) => ({ job: r.job, open: n(r.c) })),
  };
}

/** Good and total events of a ratio over a window. */
export interface Tally {
  good: number;
  total: number;
}

/** Completed steps named `step` that ended at or after `since`. */
export async function countSteps(store: Store, step: string, since: number): Promise<number> {
  const r = await store.db.selectFrom('flow_steps').select((eb) => eb.fn.countAll().as('c')).where('name', '=', step).where('status', '=', 'completed').where('ended_at', '>=', since).executeTakeFirst();
  return n(r?.c);
}

/** End times of the completed steps named `step` since `since` (at most `limit`, newest first). */
export async function stepEndTimes(store: Store, step: string, since: number, limit = 100_000): Promise<number[]> {
  const rows = await store.db.selectFrom('flow_steps').select('ended_at').where('name', '=', step).where('status', '=', 'completed').where('ended_at', '>=', since).orderBy('ended_at', 'desc').limit(limit).execute();
  return rows.map((r) => n(r.ended_at));
}

/** Closed-won → ERP order latencies (ms) of orders booked since `since`, newest first, at most `limit`. */
export async function orderLatencies(store: Store, since: number, limit = 50_000): Promise<number[]> {
  const { rows } = await sql<{ ms: number }>`
    SELECT s.ended_at - r.created_at AS ms FROM flow_steps s JOIN flow_runs r ON r.id = s.run_id
     WHERE s.name = ${ORDER_STEP} AND s.status = 'completed' AND s.ended_at >= ${since}
     ORDER BY s.ended_at DESC LIMIT ${limit}`.execute(store.db);
  return rows.map((r) => n(r.ms));
}

/** Orders booked since `since` within `thresholdMs` of their trigger, of all booked. */
export async function orderLatencyTally(store: Store, since: number, thresholdMs: number): Promise<Tally> {
  const { rows } = await sql<{ good: number | null; total: number }>`
    SELECT SUM(CASE WHEN s.ended_at - r.created_at <= ${thresholdMs} THEN 1 ELSE 0 END) AS good, COUNT(*) AS total
      FROM flow_steps s JOIN flow_runs r ON r.id = s.run_id
     WHERE s.name = ${ORDER_STEP} AND s.status = 'completed' AND s.ended_at >= ${since}`.execute(store.db);
  return { good: n(rows[0]?.good), total: n(rows[0]?.total) };
}

/**
 * Deal decisions since `since`: lead-to-order runs that ended, booked (good) or not (rejected,
 * invalid, failed, compensated). Runs that found the deal already booked or not closed-won are
 * no decision and not counted.
 */
export async function orderAcceptanceTally(store: Store, since: number): Promise<Tally> {
  const { rows } = await sql<{ good: number | null; total: number }>`
    SELECT SUM(CASE WHEN EXISTS (SELECT 1 FROM flow_steps o WHERE o.run_id = r.id AND o.name = ${ORDER_STEP} AND o.status = 'completed') THEN 1 ELSE 0 END) AS good,
           COUNT(*) AS total
      FROM flow_runs r
     WHERE r.ended_at >= ${since}
       AND EXISTS (SELECT 1 FROM flow_steps d WHERE d.run_id = r.id AND d.name = ${DEAL_STEP})
       AND (r.output IS NULL OR (r.output NOT LIKE '%"already-synced"%' AND r.output NOT LIKE '%"not-closed-won"%'))`.execute(store.db);
  return { good: n(rows[0]?.good), total: n(rows[0]?.total) };
}

/** Deliveries since `since`: delivered (good) of delivered or parked. */
export async function deliveryTally(store: Store, since: number): Promise<Tally> {
  const [ok, dead] = await Promise.all([
    store.db.selectFrom('outbox').select((eb) => eb.fn.countAll().as('c')).where('status', '=', 'delivered').where('delivered_at', '>=', since).executeTakeFirst(),
    store.db.selectFrom('dead_letters').select((eb) => eb.fn.countAll().as('c')).where('kind', '=', 'delivery').where('parked_at', '>=', since).executeTakeFirst(),
  ]);
  return { good: n(ok?.c), total: n(ok?.c) + n(dead?.c) };
}

/** Runs that ended since `since`: completed (good) of all ended. */
export async function runTally(store: Store, since: number): Promise<Tally> {
  const r = await store.db
    .selectFrom('flow_runs')
    .select((eb) => [eb.fn.countAll().as('total'), eb.fn.sum<number>(sql`CASE WHEN status = 'completed' THEN 1 ELSE 0 END`).as('good')])
    .where('ended_at', '>=', since)
    .executeTakeFirst();
  return { good: n(r?.good), total: n(r?.total) };
}
