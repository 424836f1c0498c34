/**
 * Observability's tables and columns: the trace a run belongs to (`flow_runs.traceparent`, the
 * W3C header of its root, so every execution of the run joins the same trace) and the trace of
 * each journal entry (`flow_steps.trace_id`); `lineage_refs`, the index from any system's record
 * id to the runs and steps that read or wrote it; and an index on step names for the business
 * figures (orders booked, invoices created), which are read by step name.
 */
import type { Kysely, Migration } from 'kysely';

/** `lineage_refs`: one row per record id a step of a run touched. */
export interface LineageRefTable {
  /** `salesforce`, `netsuite`, `stripe`, `avalara`, … */
  system: string;
  /** Record type in that system: `Opportunity`, `salesOrder`, `subscription`, … */
  type: string;
  external_id: string;
  run_id: number;
  /** The journal entry that produced it (`run:key` for the run's business key or input). */
  step: string;
  /** `wrote` (the step's result names it) or `read` (the run was started for it). */
  relation: 'wrote' | 'read';
  at: number;
}

/** Observability's tables, for the store's `Database` type. */
export interface ObservabilityTables {
  lineage_refs: LineageRefTable;
}

/** Adds the trace columns, the lineage index and the step-name index. */
export const observabilityMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('flow_runs').addColumn('traceparent', 'text').execute();
    await db.schema.alterTable('flow_steps').addColumn('trace_id', 'text').execute();
    await db.schema
      .createTable('lineage_refs')
      .addColumn('system', 'text', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('external_id', 'text', (c) => c.notNull())
      .addColumn('run_id', 'bigint', (c) => c.notNull())
      .addColumn('step', 'text', (c) => c.notNull())
      .addColumn('relation', 'text', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('lineage_refs_pk', ['external_id', 'run_id', 'step', 'system'])
      .execute();
    await db.schema.createIndex('lineage_refs_run').on('lineage_refs').columns(['run_id']).execute();
    await db.schema.createIndex('flow_steps_name').on('flow_steps').columns(['name', 'status', 'ended_at']).execute();
  },
};
