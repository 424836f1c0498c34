/**
 * The history of reconciliation runs in the store: each run with its counts, and every
 * discrepancy it found with where its heal stands. Reports, exports, the CLI and the admin API
 * all read from here, so a report is the same wherever it is looked at.
 */
import type { Clock } from '../../core/clock.ts';
import { notFoundError } from '../../core/errors.ts';
import type { ReconcileDiscrepancyTable } from '../../store/migrations/0600-sync.ts';
import type { Store } from '../../store/store.ts';
import type { Discrepancy, DiscrepancyKind, HealStatus, StoredDiscrepancy } from './discrepancy.ts';

/** A run as the history shows it. */
export interface ReconcileRun {
  id: number;
  job: string;
  status: 'running' | 'completed' | 'failed';
  startedAt: string;
  finishedAt: string | null;
  startedBy: string;
  /** Records read per system. */
  read: Record<string, number>;
  /** Discrepancies per kind. */
  kinds: Partial<Record<DiscrepancyKind, number>>;
  discrepancies: number;
  error: string | null;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(Number(ms)).toISOString());
const json = (v: unknown): string | null => (v === undefined ? null : JSON.stringify(v));

/** Reads and writes the run history. */
export class ReconcileRuns {
  readonly #store: Store;
  readonly #clock: Clock;

  constructor(store: Store, clock: Clock) {
    this.#store = store;
    this.#clock = clock;
  }

  /** Records the start of a run of `job`; answers its id. */
  async start(job: string, startedBy: string): Promise<number> {
    const row = await this.#store.db
      .insertInto('reconcile_runs')
      .values({ job, status: 'running', started_at: this.#clock.now(), finished_at: null, read_counts: '{}', kind_counts: '{}', discrepancies: 0, error: null, started_by: startedBy })
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(row.id);
  }

  /** Appends discrepancies found by run `runId`. */
  async add(runId: number, found: readonly Discrepancy[]): Promise<void> {
    if (found.length === 0) return;
    const rows = found.map((d) => ({
      run_id: runId,
      kind: d.kind,
      key: d.key,
      system: d.system,
      record_ids: JSON.stringify(d.recordIds),
      field: d.field ?? null,
      expected: json(d.expected),
      actual: json(d.actual),
      context: JSON.stringify(d.context),
      heal_status: 'none',
      heal_detail: null,
      healed_at: null,
    }));
    await this.#store.transaction((trx) => trx.insertInto('reconcile_discrepancies').values(rows).execute(), { durable: false });
  }

  /** Records how run `runId` ended. */
  async finish(runId: number, outcome: { read: Record<string, number>; kinds: Partial<Record<DiscrepancyKind, number>>; error?: string }): Promise<void> {
    const total = Object.values(outcome.kinds).reduce((a, b) => a + (b ?? 0), 0);
    await this.#store.db
      .updateTable('reconcile_runs')
      .set({
        status: outcome.error === undefined ? 'completed' : 'failed',
        finished_at: this.#clock.now(),
        read_counts: JSON.stringify(outcome.read),
        kind_counts: JSON.stringify(outcome.kinds),
        discrepancies: total,
        error: outcome.error ?? null,
      })
      .where('id', '=', runId)
      .execute();
  }

  /** Runs, newest first, optionally of one job. */
  async list(options: { job?: string; limit?: number } = {}): Promise<ReconcileRun[]> {
    let q = this.#store.db.selectFrom('reconcile_runs').selectAll();
    if (options.job !== undefined) q = q.where('job', '=', options.job);
    const rows = await q.orderBy('id', 'desc').limit(options.limit ?? 50).execute();
    return rows.map(toRun);
  }

  /** One run. */
  async get(runId: number): Promise<ReconcileRun> {
    const row = await this.#store.db.selectFrom('reconcile_runs').selectAll().where('id', '=', runId).executeTakeFirst();
    if (row === undefined) throw notFoundError(`no reconciliation run ${runId}`);
    return toRun(row);
  }

  /** The run's discrepancies in order, read a page at a time (a report of any size streams). */
  async *discrepancies(runId: number, filter: { healStatus?: HealStatus } = {}, pageSize = 1000): AsyncGenerator<StoredDiscrepancy> {
    let after = 0;
    for (;;) {
      let q = this.#store.db.selectFrom('reconcile_discrepancies').selectAll().where('run_id', '=', runId).where('id', '>', after);
      if (filter.healStatus !== undefined) q = q.where('heal_status', '=', filter.healStatus);
      const rows = await q.orderBy('id').limit(pageSize).execute();
      for (const row of rows) yield toDiscrepancy(row);
      if (rows.length < pageSize) return;
      after = Number(rows.at(-1)?.id ?? after);
    }
  }

  /** One discrepancy. */
  async discrepancy(id: number): Promise<StoredDiscrepancy> {
    const row = await this.#store.db.selectFrom('reconcile_discrepancies').selectAll().where('id', '=', id).executeTakeFirst();
    if (row === undefined) throw notFoundError(`no discrepancy ${id}`);
    return toDiscrepancy(row);
  }

  /**
   * Moves a discrepancy's heal from one of `from` to `to`; answers whether it moved (false: someone
   * else moved it first, which is how two approvers never heal twice).
   */
  async setHeal(id: number, from: readonly HealStatus[], to: HealStatus, detail: string | null): Promise<boolean> {
    const res = await this.#store.db
      .updateTable('reconcile_discrepancies')
      .set({ heal_status: to, heal_detail: detail, healed_at: to === 'healed' ? this.#clock.now() : null })
      .where('id', '=', id)
      .where('heal_status', 'in', [...from])
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }
}

function toRun(row: { id: number; job: string; status: string; started_at: number; finished_at: number | null; started_by: string; read_counts: string; kind_counts: string; discrepancies: number; error: string | null }): ReconcileRun {
  return {
    id: Number(row.id),
    job: row.job,
    status: row.status as ReconcileRun['status'],
    startedAt: iso(row.started_at) ?? '',
    finishedAt: iso(row.finished_at),
    startedBy: row.started_by,
    read: JSON.parse(row.read_counts) as Record<string, number>,
    kinds: JSON.parse(row.kind_counts) as ReconcileRun['kinds'],
    discrepancies: Number(row.discrepancies),
    error: row.error,
  };
}

type Row = { [K in keyof ReconcileDiscrepancyTable]: K extends 'id' ? number : ReconcileDiscrepancyTable[K] };

function toDiscrepancy(row: Row): StoredDiscrepancy {
  return {
    id: Number(row.id),
    runId: Number(row.run_id),
    kind: row.kind as DiscrepancyKind,
    key: row.key,
    system: row.system,
    recordIds: JSON.parse(row.record_ids) as string[],
    ...(row.field === null ? {} : { field: row.field }),
    ...(row.expected === null ? {} : { expected: JSON.parse(row.expected) as StoredDiscrepancy['expected'] }),
    ...(row.actual === null ? {} : { actual: JSON.parse(row.actual) as StoredDiscrepancy['actual'] }),
    context: JSON.parse(row.context) as Record<string, string>,
    healStatus: row.heal_status as HealStatus,
    healDetail: row.heal_detail,
    healedAt: iso(row.healed_at),
  };
}
