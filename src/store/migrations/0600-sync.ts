/**
 * The batch tables: reconciliation runs and their discrepancies (the history operators read and
 * approve heals from), the spill table a run sorts vendor reads in, and the sync schedules with
 * their lease (one instance of a sync at a time across every worker).
 */
import { sql, type Generated, type Kysely, type Migration } from 'kysely';
import { dialectOf, withSerialId } from './columns.ts';

/** `reconcile_runs`: one row per run of a reconciliation job. */
export interface ReconcileRunTable {
  id: Generated<number>;
  job: string;
  /** running | completed | failed */
  status: string;
  started_at: number;
  finished_at: number | null;
  /** JSON: records read per system. */
  read_counts: string;
  /** JSON: discrepancies per kind. */
  kind_counts: string;
  discrepancies: number;
  error: string | null;
  started_by: string;
}

/** `reconcile_discrepancies`: one row per discrepancy found by a run. */
export interface ReconcileDiscrepancyTable {
  id: Generated<number>;
  run_id: number;
  kind: string;
  key: string;
  system: string;
  /** JSON array of the record ids involved in `system`. */
  record_ids: string;
  field: string | null;
  /** JSON of the source system's value, or null. */
  expected: string | null;
  /** JSON of `system`'s value, or null. */
  actual: string | null;
  /** JSON: what the heal needs to know besides the key (ids in other systems). */
  context: string;
  /** none | pending-approval | healing | healed | failed | manual | rejected */
  heal_status: string;
  heal_detail: string | null;
  healed_at: number | null;
}

/** `reconcile_spill`: a run's vendor reads, re-read in business-key order. */
export interface ReconcileSpillTable {
  run_id: number;
  side: string;
  key: string;
  seq: number;
  body: string;
}

/** `sync_schedules`: one row per named sync: when it runs next, and who holds it now. */
export interface SyncScheduleTable {
  name: string;
  cron: string;
  next_at: number;
  lease_owner: string | null;
  lease_until: number;
  /** 1 when an operator asked for a full resync at the next run. */
  full_requested: number;
  last_started_at: number | null;
  last_finished_at: number | null;
  /** ok | failed | null (never ran) */
  last_status: string | null;
  last_error: string | null;
  /** JSON counts of the last run: read, written, deleted, batches. */
  last_counts: string | null;
}

/** The batch tables, for the store's Database type. */
export interface SyncTables {
  reconcile_runs: ReconcileRunTable;
  reconcile_discrepancies: ReconcileDiscrepancyTable;
  reconcile_spill: ReconcileSpillTable;
  sync_schedules: SyncScheduleTable;
}

/** Creates the batch tables. */
export const syncMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await withSerialId(db, db.schema.createTable('reconcile_runs'))
      .addColumn('job', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('started_at', 'bigint', (c) => c.notNull())
      .addColumn('finished_at', 'bigint')
      .addColumn('read_counts', 'text', (c) => c.notNull())
      .addColumn('kind_counts', 'text', (c) => c.notNull())
      .addColumn('discrepancies', 'integer', (c) => c.notNull())
      .addColumn('error', 'text')
      .addColumn('started_by', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('reconcile_runs_job').on('reconcile_runs').columns(['job', 'id']).execute();
    await withSerialId(db, db.schema.createTable('reconcile_discrepancies'))
      .addColumn('run_id', 'bigint', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('system', 'text', (c) => c.notNull())
      .addColumn('record_ids', 'text', (c) => c.notNull())
      .addColumn('field', 'text')
      .addColumn('expected', 'text')
      .addColumn('actual', 'text')
      .addColumn('context', 'text', (c) => c.notNull())
      .addColumn('heal_status', 'text', (c) => c.notNull())
      .addColumn('heal_detail', 'text')
      .addColumn('healed_at', 'bigint')
      .execute();
    await db.schema.createIndex('reconcile_discrepancies_run').on('reconcile_discrepancies').columns(['run_id', 'id']).execute();
    // Binary order on both databases, so the merge join sees the order JavaScript compares in.
    const keyType = dialectOf(db) === 'postgres' ? sql`text collate "C"` : sql`text`;
    await db.schema
      .createTable('reconcile_spill')
      .addColumn('run_id', 'bigint', (c) => c.notNull())
      .addColumn('side', 'text', (c) => c.notNull())
      .addColumn('key', keyType, (c) => c.notNull())
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('reconcile_spill_pk', ['run_id', 'side', 'key', 'seq'])
      .execute();
    await db.schema
      .createTable('sync_schedules')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('cron', 'text', (c) => c.notNull())
      .addColumn('next_at', 'bigint', (c) => c.notNull())
      .addColumn('lease_owner', 'text')
      .addColumn('lease_until', 'bigint', (c) => c.notNull())
      .addColumn('full_requested', 'integer', (c) => c.notNull())
      .addColumn('last_started_at', 'bigint')
      .addColumn('last_finished_at', 'bigint')
      .addColumn('last_status', 'text')
      .addColumn('last_error', 'text')
      .addColumn('last_counts', 'text')
      .execute();
  },
};
