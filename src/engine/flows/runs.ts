/**
 * Starting and claiming runs. A start applies the flow's policy for a business key that already
 * has an active run (attach, queue or reject), with the database's unique index as the arbiter
 * when two starts race. Claims lease due runs exactly like outbox messages: `FOR UPDATE SKIP
 * LOCKED` on PostgreSQL, and a lease that, once expired, lets another worker take the run over.
 */
import { sql, type Kysely } from 'kysely';
import { conflictError, InterlockError } from '../../core/errors.ts';
import type { FlowDefinition } from '../../flows/define-flow.ts';
import type { Database } from '../../store/schema.ts';
import type { Store } from '../../store/store.ts';
import { traceparentForRun } from '../../observability/tracing.ts';
import { ACTIVE_STATUSES, toRunRow, toStepRow, type ClaimedRun, type RunRow, type StepRow } from './run-rows.ts';

/** The active statuses as SQL literals, for the conflict target of the one-active-run index. */
const ACTIVE_LITERALS = sql.raw(ACTIVE_STATUSES.map((st) => `'${st}'`).join(', '));

/** What a start did. */
export interface StartResult {
  runId: number;
  /** `started` (a new active run), `queued` (behind the active one) or `attached` (the active one). */
  outcome: 'started' | 'queued' | 'attached';
}

/** Starts a run of `flow` for `key` within `trx`, by the flow's concurrency policy. */
export async function startRun(
  trx: Kysely<Database>,
  flow: FlowDefinition,
  key: string,
  input: unknown,
  now: number,
  traceparent?: string | null,
): Promise<StartResult> {
  const row = newRow(flow, key, input, now, traceparent);
  // One start per inbound event: a template, not the query builder, whose per-call building cost
  // more than the insert. The conflict target repeats the partial index's predicate as literals:
  // SQLite matches a partial index only on the same literal predicate.
  const { rows } = await sql<{ id: number | string }>`
    INSERT INTO flow_runs (flow, version, "key", input, output, error, stop_reason, waiting_for, lease_owner, lease_until,
                           created_at, updated_at, ended_at, traceparent, status, wake_at)
    VALUES (${row.flow}, ${row.version}, ${row.key}, ${row.input}, NULL, NULL, NULL, NULL, NULL, NULL,
            ${now}, ${now}, NULL, ${row.traceparent}, 'running', ${now})
    ON CONFLICT (flow, "key") WHERE status IN (${ACTIVE_LITERALS}) DO NOTHING
    RETURNING id`.execute(trx);
  const inserted = rows[0];
  if (inserted !== undefined) return { runId: Number(inserted.id), outcome: 'started' };

  const active = await trx
    .selectFrom('flow_runs')
    .select('id')
    .where('flow', '=', flow.name)
    .where('key', '=', key)
    .where('status', 'in', [...ACTIVE_STATUSES])
    .executeTakeFirst();
  if (flow.concurrency === 'reject' || active === undefined) {
    throw conflictError(`flow "${flow.name}" already has an active run for key "${key}"`, {
      type: 'run-active',
      details: active === undefined ? {} : { activeRunId: Number(active.id) },
    });
  }
  if (flow.concurrency === 'attach') return { runId: Number(active.id), outcome: 'attached' };
  const queued = await trx
    .insertInto('flow_runs')
    .values({ ...row, status: 'queued', wake_at: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { runId: Number(queued.id), outcome: 'queued' };
}

/** One start of {@link startRuns}. */
export interface StartRequest {
  flow: FlowDefinition;
  key: string;
  input: unknown;
  /** The trace the run joins; by default the active one (or a new root). */
  traceparent?: string | null;
}

/**
 * Starts many runs within `trx`: one multi-row insert for every key without an active run, the
 * flow's policy for the rest. A refusal is returned in its place, not thrown.
 */
export async function startRuns(trx: Kysely<Database>, requests: readonly StartRequest[], now: number): Promise<Array<StartResult | InterlockError>> {
  const started = new Map<string, number>();
  for (let i = 0; i < requests.length; i += 200) {
    const rows = requests.slice(i, i + 200).map((r) => ({ ...newRow(r.flow, r.key, r.input, now, r.traceparent), status: 'running' as const, wake_at: now }));
    const inserted = await trx
      .insertInto('flow_runs')
      .values(rows)
      .onConflict((oc) => oc.columns(['flow', 'key']).where(sql.ref('status'), 'in', ACTIVE_STATUSES.map((st) => sql.lit(st))).doNothing())
      .returning(['id', 'flow', 'key'])
      .execute();
    for (const row of inserted) started.set(`${row.flow}\u0000${row.key}`, Number(row.id));
  }
  const out: Array<StartResult | InterlockError> = [];
  for (const r of requests) {
    const id = started.get(`${r.flow.name}\u0000${r.key}`);
    if (id !== undefined) {
      // The first request of a key in the batch got the insert; later ones meet it as active.
      started.delete(`${r.flow.name}\u0000${r.key}`);
      out.push({ runId: id, outcome: 'started' });
      continue;
    }
    try {
      out.push(await startRun(trx, r.flow, r.key, r.input, now, r.traceparent));
    } catch (err) {
      // Refusals are decided before any failing statement, so the transaction stays usable.
      if (!(err instanceof InterlockError) || err.code !== 'conflict') throw err;
      out.push(err);
    }
  }
  return out;
}

function newRow(flow: FlowDefinition, key: string, input: unknown, now: number, traceparent?: string | null) {
  return {
    flow: flow.name,
    version: flow.version,
    key,
    input: JSON.stringify(input ?? null),
    output: null,
    error: null,
    stop_reason: null,
    waiting_for: null,
    lease_owner: null,
    lease_until: null,
    created_at: now,
    updated_at: now,
    ended_at: null,
    // The trace the run's executions join: the starter's (an inbound event, an API call) or its own.
    traceparent: traceparent === undefined ? (traceparentForRun(flow.name, key) ?? null) : traceparent,
  };
}

/** Claims up to `max` due runs for `worker`, with their journals. */
export async function claimRuns(store: Store, worker: string, max: number, now: number, leaseMs: number): Promise<ClaimedRun[]> {
  const until = now + leaseMs;
  const claimed = await store.transaction(async (trx) => {
    // While leased, `wake_at` is the lease's end: a run whose worker died becomes due with it.
    const { rows } = await sql<RunRow>`
      UPDATE flow_runs
         SET lease_owner = ${worker}, lease_until = ${until}, wake_at = ${until}, updated_at = ${now},
             status = CASE WHEN status = 'waiting' THEN 'running' ELSE status END,
             waiting_for = NULL
       WHERE id IN (
         SELECT id FROM flow_runs
          WHERE wake_at IS NOT NULL AND wake_at <= ${now}
          ORDER BY wake_at
          LIMIT ${max}
          ${sql.raw(store.lockClause)})
      RETURNING *`.execute(trx);
    return rows.map(toRunRow);
    // A claim lost in a power failure is simply made again: its commit need not wait for the disk.
  }, { durable: false });
  if (claimed.length === 0) return [];
  // The ids as one value (a JSON array on SQLite, an array on PostgreSQL): one statement text
  // whatever the number of runs claimed, so SQLite prepares it once.
  const ids = claimed.map((r) => r.id);
  const { rows: steps } = await sql<StepRow>`SELECT * FROM flow_steps WHERE ${
    store.dialect === 'postgres' ? sql`run_id = ANY(${ids}::bigint[])` : sql`run_id IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`
  }`.execute(store.db);
  const journals = new Map<number, ClaimedRun['journal']>(claimed.map((r) => [r.id, new Map()]));
  for (const s of steps) {
    const row = toStepRow(s);
    journals.get(row.run_id)?.set(row.name, row);
  }
  return claimed.map((run) => ({ run, journal: journals.get(run.id)! }));
}

/** Extends the leases `worker` holds on `ids` (runs executing a long step); resolves to how many it still held. */
export async function renewLeases(store: Store, worker: string, ids: readonly number[], now: number, leaseMs: number): Promise<number> {
  if (ids.length === 0) return 0;
  const r = await store.db
    .updateTable('flow_runs')
    .set({ lease_until: now + leaseMs, wake_at: now + leaseMs })
    .where('id', 'in', [...ids])
    .where('lease_owner', '=', worker)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Gives every leased run back at once: on SQLite the process that held the leases is gone. */
export async function releaseOrphanedRuns(store: Store, now: number): Promise<void> {
  await store.db
    .updateTable('flow_runs')
    .set({ lease_owner: null, lease_until: null, wake_at: now })
    .where('lease_owner', 'is not', null)
    .execute();
}
