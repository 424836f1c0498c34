/**
 * Lineage at scale: a SQLite store holding `rows` inbox events and outbox messages (each event's
 * `traceparent` in its headers, each message routed from one) and a tenth as many runs (each
 * started by an event: its body as input, its trace) with their lineage index, generated in SQL. Times the lineage of one deal, and, as the same-run baseline,
 * the one scan the lineage used to make before migration 0801 (`headers LIKE '%<trace id>%'`
 * over the inbox; it made a second over the outbox).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { lineageOf } from '../../src/observability/lineage/lineage.ts';
import { openStore } from '../../src/store/open-store.ts';

/** What one measurement found. */
export interface LineageScale {
  rows: number;
  lineageMs: number;
  lineageP95Ms: number;
  headerScanMs: number;
  nodes: number;
  seedSeconds: number;
}

const trace = (i: string) => `printf('%032x', ${i})`;

/** Seeds a store with `rows` events and messages and times the lineage of deal `opp-777`. */
export async function measureLineageAtScale(rows: number, calls: number): Promise<LineageScale> {
  const dir = mkdtempSync(path.join(tmpdir(), 'interlock-bench-lineage-'));
  const store = await openStore({ kind: 'sqlite', sqlitePath: path.join(dir, 'lineage.db') });
  try {
    const t0 = performance.now();
    const runs = Math.max(1000, Math.floor(rows / 10));
    const tp = (i: string) => sql.raw(`'00-' || ${trace(i)} || '-' || printf('%016x', ${i}) || '-01'`);
    await store.transaction(async (trx) => {
      await sql`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${runs})
        INSERT INTO flow_runs (flow, version, key, status, input, created_at, updated_at, ended_at, traceparent)
        SELECT 'lead-to-order', 1, 'opp-' || i, 'completed', '{"id":"evt-' || i || '","type":"opportunity.closed-won"}', 1, 1, 1, ${tp('i')} FROM n`.execute(trx);
      // Each run: its deal, the sales order it wrote, and a customer shared by ten deals.
      await sql`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${runs})
        INSERT INTO lineage_refs (system, type, external_id, run_id, step, relation, at)
        SELECT 'salesforce', 'Opportunity', 'opp-' || i, i, 'run:key', 'read', 1 FROM n
        UNION ALL SELECT 'netsuite', 'salesOrder', CAST(i AS TEXT), i, 'netsuite-sales-order', 'wrote', 1 FROM n
        UNION ALL SELECT 'netsuite', 'customer', CAST(i / 10 AS TEXT), i, 'netsuite-customer', 'wrote', 1 FROM n`.execute(trx);
      await sql`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${rows})
        INSERT INTO inbox (source, event_id, received_at, headers, body, status, attempts, duplicates)
        SELECT 'salesforce', 'evt-' || i, 1, '{"content-type":"application/json","traceparent":"' || ${tp('i')} || '"}', '{"type":"opportunity.closed-won"}', 'processed', 1, 0 FROM n`.execute(trx);
      await sql`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${rows})
        INSERT INTO outbox (destination, key, idempotency_key, payload, headers, status, attempts, next_attempt_at, created_at, inbox_id)
        SELECT 'erp', 'k' || i, 'ilk_bench_' || i, '{}', '{"traceparent":"' || ${tp('i')} || '"}', 'delivered', 1, 1, 1, i FROM n`.execute(trx);
    });
    await sql`ANALYZE`.execute(store.db);
    const seedSeconds = (performance.now() - t0) / 1000;

    const times: number[] = [];
    let nodes = 0;
    for (let i = 0; i < calls; i++) {
      const start = performance.now();
      const lineage = await lineageOf(store, 'opp-777');
      times.push(performance.now() - start);
      nodes = lineage?.nodes.length ?? 0;
      const kinds = new Set(lineage?.nodes.map((n) => n.kind));
      if (!kinds.has('run') || !kinds.has('event') || !kinds.has('message')) throw new Error('the lineage of opp-777 lacks its run, event or message');
    }
    const scans: number[] = [];
    const traceId = (777).toString(16).padStart(32, '0');
    for (let i = 0; i < Math.min(5, calls); i++) {
      const start = performance.now();
      await sql`SELECT id FROM inbox WHERE headers LIKE ${`%${traceId}%`} LIMIT 100`.execute(store.db);
      scans.push(performance.now() - start);
    }
    const sorted = [...times].sort((a, b) => a - b);
    const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor((v.length - 1) / 2)]!;
    return { rows, lineageMs: median(times), lineageP95Ms: sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))]!, headerScanMs: median(scans), nodes, seedSeconds };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
