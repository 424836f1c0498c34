/**
 * The journal's hot statements as fixed SQL texts, one per dialect, run through
 * `executeQuery` without the query builder. A journal commit runs them for every step of every
 * run, and building them with Kysely per call (objects, parsers, a compile, one parameter per
 * column and row) cost more CPU than SQLite took to execute them. Each statement takes the whole
 * batch as one value — a JSON array read with `json_each` on SQLite, typed arrays read with
 * `unnest` on PostgreSQL — so its text never changes with the batch size: prepared once on
 * SQLite, one round trip per batch on PostgreSQL, and no bound-parameter limit to chunk around.
 * Journal entries on SQLite are the exception: one execution of one prepared statement each.
 */
import { CompiledQuery, type Kysely } from 'kysely';
import type { Database } from '../../store/schema.ts';
import type { Dialect } from '../../store/store.ts';
import type { RunStatus } from '../../store/migrations/0200-flows.ts';
import type { LineageRefTable } from '../../store/migrations/0800-observability.ts';
import type { StepRow } from './run-rows.ts';

/**
 * One run's change: which of its columns to set (a {@link RunField} mask) and their values. The
 * mask, not `undefined`, says what is left alone, so one statement serves every kind of change.
 */
export interface RunChange {
  runId: number;
  mask: number;
  status?: string | null | undefined;
  output?: string | null | undefined;
  error?: string | null | undefined;
  stop_reason?: string | null | undefined;
  waiting_for?: string | null | undefined;
  wake_at?: number | null | undefined;
  ended_at?: number | null | undefined;
}

/** Bits of {@link RunChange.mask}. `release` clears the lease (owner and end). */
export const RunField = {
  status: 1,
  output: 2,
  error: 4,
  stop_reason: 8,
  waiting_for: 16,
  wake_at: 32,
  ended_at: 64,
  release: 128,
} as const;

/** The journal's statements for one dialect. */
export interface JournalStatements {
  /** Renews the lease on `ids` that `worker` still holds; returns those runs and their status. */
  renewLeases(trx: Kysely<Database>, ids: readonly number[], worker: string, until: number, now: number): Promise<Array<{ id: number; status: RunStatus }>>;
  /**
   * Of `ids`, the runs `worker` holds, with their status, locked against a takeover until the
   * transaction ends (PostgreSQL; SQLite's one writer is lock enough). Writes nothing: for runs
   * whose lease has long to go, it fences a write as well as a renewal does, without rewriting the
   * run's row and its due-time index entry on every step.
   */
  fence(trx: Kysely<Database>, ids: readonly number[], worker: string): Promise<Array<{ id: number; status: RunStatus }>>;
  /**
   * {@link fence} and, for the runs held, {@link upsertSteps} and {@link insertRefs}, in one
   * statement (PostgreSQL: one round trip instead of three). Entries and references of runs not
   * held are left out. Absent where separate statements cost no round trips (SQLite).
   */
  fenceAndWrite?(
    trx: Kysely<Database>,
    ids: readonly number[],
    worker: string,
    steps: readonly StepRow[],
    refs: readonly LineageRefTable[],
  ): Promise<Array<{ id: number; status: RunStatus }>>;
  /** Inserts or updates journal entries (by run and step name); resolves to the statements it executed. */
  upsertSteps(trx: Kysely<Database>, steps: readonly StepRow[]): Promise<number>;
  /** Inserts lineage references, skipping ones already there. */
  insertRefs(trx: Kysely<Database>, refs: readonly LineageRefTable[]): Promise<void>;
  /** Applies run changes (at most one per run), stamping `updated_at`. */
  updateRuns(trx: Kysely<Database>, changes: readonly RunChange[], now: number): Promise<void>;
}

const STEP_COLUMNS = 'run_id, name, seq, kind, status, attempts, result, error, due_at, wait, started_at, ended_at, trace_id';
const STEP_CONFLICT = `ON CONFLICT (run_id, name) DO UPDATE SET status = excluded.status, attempts = excluded.attempts,
  result = excluded.result, error = excluded.error, due_at = excluded.due_at, ended_at = excluded.ended_at`;
const REF_COLUMNS = 'system, type, external_id, run_id, step, relation, at';

/** `SET` list of a run change read from `u` (the change) over `t` (the row). */
function runSetList(t: string): string {
  const keep = (column: string, bit: number) => `${column} = CASE WHEN (u.mask & ${bit}) <> 0 THEN u.${column} ELSE ${t}.${column} END`;
  const clear = (column: string) => `${column} = CASE WHEN (u.mask & ${RunField.release}) <> 0 THEN NULL ELSE ${t}.${column} END`;
  return [
    keep('status', RunField.status),
    keep('output', RunField.output),
    keep('error', RunField.error),
    keep('stop_reason', RunField.stop_reason),
    keep('waiting_for', RunField.waiting_for),
    keep('wake_at', RunField.wake_at),
    keep('ended_at', RunField.ended_at),
    clear('lease_owner'),
    clear('lease_until'),
  ].join(', ');
}

const SQLITE = {
  lease: `UPDATE flow_runs SET lease_until = ?, wake_at = ?, updated_at = ?
    WHERE id IN (SELECT value FROM json_each(?)) AND lease_owner = ? RETURNING id, status`,
  fence: `SELECT id, status FROM flow_runs WHERE id IN (SELECT value FROM json_each(?)) AND lease_owner = ?`,
  step: `INSERT INTO flow_steps (${STEP_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ${STEP_CONFLICT}`,
  // `WHERE true`: SQLite's parser needs it between a SELECT and ON CONFLICT.
  refs: `INSERT INTO lineage_refs (${REF_COLUMNS})
    SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, value ->> 6
      FROM json_each(?) WHERE true ON CONFLICT DO NOTHING`,
  runs: `UPDATE flow_runs SET ${runSetList('flow_runs')}, updated_at = ?
    FROM (SELECT value ->> 0 AS id, value ->> 1 AS mask, value ->> 2 AS status, value ->> 3 AS output, value ->> 4 AS error,
                 value ->> 5 AS stop_reason, value ->> 6 AS waiting_for, value ->> 7 AS wake_at, value ->> 8 AS ended_at
            FROM json_each(?)) AS u
   WHERE flow_runs.id = u.id`,
};

const POSTGRES = {
  lease: `UPDATE flow_runs SET lease_until = $1, wake_at = $2, updated_at = $3
    WHERE id = ANY($4::bigint[]) AND lease_owner = $5 RETURNING id, status`,
  // FOR SHARE: a claim taking over an expired lease waits for this transaction (or this waits
  // for the claim, and then sees the new owner), as it would behind a renewal's UPDATE.
  fence: `SELECT id, status FROM flow_runs WHERE id = ANY($1::bigint[]) AND lease_owner = $2 FOR SHARE`,
  steps: `INSERT INTO flow_steps (${STEP_COLUMNS})
    SELECT * FROM unnest($1::bigint[], $2::text[], $3::int[], $4::text[], $5::text[], $6::int[], $7::text[],
                         $8::text[], $9::bigint[], $10::text[], $11::bigint[], $12::bigint[], $13::text[])
    ${STEP_CONFLICT}`,
  refs: `INSERT INTO lineage_refs (${REF_COLUMNS})
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::bigint[])
    ON CONFLICT DO NOTHING`,
  // The locking CTE is evaluated once, before the inserts read it; every part of the statement
  // runs whether or not its result is read.
  fenceAndWrite: `WITH owned AS (
      SELECT id, status FROM flow_runs WHERE id = ANY($1::bigint[]) AND lease_owner = $2 FOR SHARE
    ), steps AS (
      INSERT INTO flow_steps (${STEP_COLUMNS})
      SELECT * FROM unnest($3::bigint[], $4::text[], $5::int[], $6::text[], $7::text[], $8::int[], $9::text[],
                           $10::text[], $11::bigint[], $12::text[], $13::bigint[], $14::bigint[], $15::text[])
        AS u(${STEP_COLUMNS})
       WHERE u.run_id IN (SELECT id FROM owned)
      ${STEP_CONFLICT}
    ), refs AS (
      INSERT INTO lineage_refs (${REF_COLUMNS})
      SELECT * FROM unnest($16::text[], $17::text[], $18::text[], $19::bigint[], $20::text[], $21::text[], $22::bigint[])
        AS u(${REF_COLUMNS})
       WHERE u.run_id IN (SELECT id FROM owned)
      ON CONFLICT DO NOTHING
    )
    SELECT id, status FROM owned`,
  runs: `UPDATE flow_runs AS r SET ${runSetList('r')}, updated_at = $1
    FROM unnest($2::bigint[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::bigint[], $10::bigint[])
      AS u(id, mask, status, output, error, stop_reason, waiting_for, wake_at, ended_at)
   WHERE r.id = u.id`,
};

function stepValues(s: StepRow): unknown[] {
  return [s.run_id, s.name, s.seq, s.kind, s.status, s.attempts, s.result, s.error, s.due_at, s.wait, s.started_at, s.ended_at, s.trace_id];
}

function refValues(r: LineageRefTable): unknown[] {
  return [r.system, r.type, r.external_id, r.run_id, r.step, r.relation, r.at];
}

function changeValues(c: RunChange): unknown[] {
  return [c.runId, c.mask, c.status ?? null, c.output ?? null, c.error ?? null, c.stop_reason ?? null, c.waiting_for ?? null, c.wake_at ?? null, c.ended_at ?? null];
}

/** Rows as columns: PostgreSQL's `unnest` takes one array per column. */
function columns(rows: readonly unknown[][], width: number): unknown[][] {
  const out = Array.from({ length: width }, () => new Array<unknown>(rows.length));
  for (let r = 0; r < rows.length; r += 1) {
    const row = rows[r]!;
    for (let c = 0; c < width; c += 1) out[c]![r] = row[c];
  }
  return out;
}

async function run<R>(trx: Kysely<Database>, text: string, parameters: unknown[]): Promise<R[]> {
  const { rows } = await trx.executeQuery<R>(CompiledQuery.raw(text, parameters));
  return rows;
}

const sqliteStatements: JournalStatements = {
  async renewLeases(trx, ids, worker, until, now) {
    const rows = await run<{ id: number | string; status: RunStatus }>(trx, SQLITE.lease, [until, until, now, JSON.stringify(ids), worker]);
    return rows.map((r) => ({ id: Number(r.id), status: r.status }));
  },
  async fence(trx, ids, worker) {
    const rows = await run<{ id: number | string; status: RunStatus }>(trx, SQLITE.fence, [JSON.stringify(ids), worker]);
    return rows.map((r) => ({ id: Number(r.id), status: r.status }));
  },
  async upsertSteps(trx, steps) {
    // One prepared statement per entry: a step's result is JSON text already, and escaping it
    // again into a JSON array for json_each cost more than the extra executions (in-process calls).
    for (const step of steps) await run(trx, SQLITE.step, stepValues(step));
    return steps.length;
  },
  async insertRefs(trx, refs) {
    await run(trx, SQLITE.refs, [JSON.stringify(refs.map(refValues))]);
  },
  async updateRuns(trx, changes, now) {
    await run(trx, SQLITE.runs, [now, JSON.stringify(changes.map(changeValues))]);
  },
};

const postgresStatements: JournalStatements = {
  async renewLeases(trx, ids, worker, until, now) {
    const rows = await run<{ id: number | string; status: RunStatus }>(trx, POSTGRES.lease, [until, until, now, ids, worker]);
    return rows.map((r) => ({ id: Number(r.id), status: r.status }));
  },
  async fence(trx, ids, worker) {
    const rows = await run<{ id: number | string; status: RunStatus }>(trx, POSTGRES.fence, [ids, worker]);
    return rows.map((r) => ({ id: Number(r.id), status: r.status }));
  },
  async fenceAndWrite(trx, ids, worker, steps, refs) {
    const parameters = [ids, worker, ...columns(steps.map(stepValues), 13), ...columns(refs.map(refValues), 7)];
    const rows = await run<{ id: number | string; status: RunStatus }>(trx, POSTGRES.fenceAndWrite, parameters);
    return rows.map((r) => ({ id: Number(r.id), status: r.status }));
  },
  async upsertSteps(trx, steps) {
    await run(trx, POSTGRES.steps, columns(steps.map(stepValues), 13));
    return 1;
  },
  async insertRefs(trx, refs) {
    await run(trx, POSTGRES.refs, columns(refs.map(refValues), 7));
  },
  async updateRuns(trx, changes, now) {
    await run(trx, POSTGRES.runs, [now, ...columns(changes.map(changeValues), 9)]);
  },
};

/** The journal statements of `dialect`. */
export function journalStatements(dialect: Dialect): JournalStatements {
  return dialect === 'postgres' ? postgresStatements : sqliteStatements;
}
